using System.Globalization;
using System.Text;
using Driftwatch.Core.Runs;
using Driftwatch.Web.Charts;
using Driftwatch.Web.Pages.Components;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Pages;

/// <summary>
/// The four views of docs/dashboard.md as whole HTML pages with their style inline: no script, nothing
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

    /// <summary>One thin bar per task: green share passed, red failed, orange timed out, grey errors.</summary>
    internal static string OutcomeBar(RunView view)
    {
        var summary = view.Run.Summary;
        const int width = 760, height = 28;
        var total = Math.Max(1, summary.Total);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-label=\"Outcomes of run {view.Run.Id}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">");
        double x = 0;
        foreach (var (outcome, count) in new[] { (TrialOutcome.Pass, summary.Pass), (TrialOutcome.Fail, summary.Fail), (TrialOutcome.Timeout, summary.Timeout), (TrialOutcome.Error, summary.Error) })
        {
            if (count == 0)
                continue;
            var w = width * count / (double)total;
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{outcome.Name()}\" x=\"{x:0.#}\" y=\"0\" width=\"{w:0.#}\" height=\"{height}\" fill=\"{SvgCharts.Colour(outcome)}\"><title>{outcome.Name()}: {count}</title></rect>");
            if (w > 50)
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 6:0.#}\" y=\"18\" fill=\"#fff\">{count} {outcome.Name()}</text>");
            x += w;
        }
        return svg.Append("</svg>").ToString();
    }
}
