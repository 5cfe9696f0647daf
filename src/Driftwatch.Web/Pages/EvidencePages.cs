using Driftwatch.Web.Pages.Components;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Pages;

/// <summary>The pages that show the evidence of agents over days: one agent × suite, and the agents of one suite side by side.</summary>
internal static class EvidencePages
{
    public static Task<string> SeriesAsync(SeriesPageView view, PageLinks links) =>
        PageRenderer.RenderAsync<SeriesPage>(new Dictionary<string, object?> { ["View"] = view, ["Links"] = links });

    public static Task<string> SuiteAsync(SuitePageView view, PageLinks links) =>
        PageRenderer.RenderAsync<SuitePage>(new Dictionary<string, object?> { ["View"] = view, ["Links"] = links });

    /// <summary>A page that could not be shown as asked (a filter that cannot be read), saying why.</summary>
    public static Task<string> ProblemAsync(string heading, string what, PageLinks links) =>
        PageRenderer.RenderAsync<ProblemPage>(new Dictionary<string, object?> { ["Heading"] = heading, ["What"] = what, ["Links"] = links });
}
