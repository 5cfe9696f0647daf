using Driftwatch.Web.Pages.Components;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Pages;

/// <summary>
/// The pages of docs/dashboard.md as whole HTML documents with their style inline: no script, nothing
/// fetched from elsewhere. Each is a Razor component (Components/) rendered to static HTML; the same
/// renderers serve `serve` and `report`, only the links differ.
/// </summary>
internal static class HtmlPages
{
    public static Task<string> OverviewAsync(IReadOnlyList<SeriesView> series, PageLinks links, string generated, OverviewFilter? filter = null) =>
        PageRenderer.RenderAsync<OverviewPage>(new Dictionary<string, object?> { ["Series"] = series, ["Links"] = links, ["Generated"] = generated, ["Filter"] = filter ?? OverviewFilter.All });

    public static Task<string> RunAsync(RunView view, PageLinks links) =>
        PageRenderer.RenderAsync<RunPage>(new Dictionary<string, object?> { ["View"] = view, ["Links"] = links });

    public static Task<string> TaskAsync(TaskView view, PageLinks links) =>
        PageRenderer.RenderAsync<TaskPage>(new Dictionary<string, object?> { ["View"] = view, ["Links"] = links });

    public static Task<string> TrialAsync(TrialView view, PageLinks links) =>
        PageRenderer.RenderAsync<TrialPage>(new Dictionary<string, object?> { ["View"] = view, ["Links"] = links });

    public static Task<string> NotFoundAsync(string what, PageLinks links) =>
        PageRenderer.RenderAsync<NotFoundPage>(new Dictionary<string, object?> { ["What"] = what, ["Links"] = links });

    /// <summary>The page of one agent × suite.</summary>
    public static Task<string> SeriesAsync(SeriesPageView view, PageLinks links) =>
        PageRenderer.RenderAsync<SeriesPage>(new Dictionary<string, object?> { ["View"] = view, ["Links"] = links });

    /// <summary>The page comparing the agents of one suite.</summary>
    public static Task<string> SuiteAsync(SuitePageView view, PageLinks links) =>
        PageRenderer.RenderAsync<SuitePage>(new Dictionary<string, object?> { ["View"] = view, ["Links"] = links });

    /// <summary>A page that could not be shown as asked (a filter that cannot be read), saying why.</summary>
    public static Task<string> ProblemAsync(string heading, string what, PageLinks links) =>
        PageRenderer.RenderAsync<ProblemPage>(new Dictionary<string, object?> { ["Heading"] = heading, ["What"] = what, ["Links"] = links });
}
