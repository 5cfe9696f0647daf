using System.Net;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Pages;

/// <summary>
/// Where pages point to, and how a chart sits in a page: the server links to its routes and
/// draws charts inline; the static report links to files next to each other and writes each
/// chart as a file of its own.
/// </summary>
public abstract class PageLinks
{
    public abstract string Overview { get; }

    public abstract string Run(long runId);

    public abstract string Task(string agent, string suite, string taskId);

    public abstract string Trial(long runId, string taskId, int trialIndex);

    /// <summary>The page of one agent × suite, showing <paramref name="filter"/> (null: everything, daily).</summary>
    public abstract string Series(string agent, string suite, EvidenceFilter? filter = null);

    /// <summary>The page comparing the agents that ran one suite.</summary>
    public abstract string Suite(string suite, EvidenceFilter? filter = null);

    /// <summary>
    /// Whether pages can be asked for any filter (a server reads the query string; a static report
    /// only has the files it wrote: no filter form, only the windows it wrote).
    /// </summary>
    public virtual bool Filters => false;

    /// <summary>Whether links inside a chart work (an inline SVG's do; an image file's cannot be followed).</summary>
    public virtual bool ChartsLink => false;

    /// <summary>The HTML that shows the chart <paramref name="svg"/> named <paramref name="name"/>.</summary>
    public abstract string Chart(string name, string svg, string description);
}

/// <summary>Links to the routes of `serve`; charts inline.</summary>
internal sealed class ServerLinks : PageLinks
{
    public static readonly ServerLinks Instance = new();

    public override string Overview => "/";

    public override bool ChartsLink => true;

    public override bool Filters => true;

    public override string Run(long runId) => $"/runs/{runId}";

    public override string Series(string agent, string suite, EvidenceFilter? filter = null) =>
        $"/agents/{Uri.EscapeDataString(agent)}/{Uri.EscapeDataString(suite)}{EvidenceQuery.Format(filter)}";

    public override string Suite(string suite, EvidenceFilter? filter = null) =>
        $"/suites/{Uri.EscapeDataString(suite)}{EvidenceQuery.Format(filter)}";

    public override string Task(string agent, string suite, string taskId) =>
        $"/tasks/{Uri.EscapeDataString(agent)}/{Uri.EscapeDataString(suite)}/{Uri.EscapeDataString(taskId)}";

    public override string Trial(long runId, string taskId, int trialIndex) =>
        $"/runs/{runId}/trials/{Uri.EscapeDataString(taskId)}/{trialIndex}";

    public override string Chart(string name, string svg, string description) =>
        $"<figure class=\"chart\" data-chart=\"{WebUtility.HtmlEncode(name)}\">{svg}</figure>";
}

/// <summary>
/// Links between the files of a static report, all in one folder so that relative links work
/// wherever it is unpacked; charts are written to charts/NAME.svg by the caller.
/// </summary>
internal sealed class StaticLinks : PageLinks
{
    public const string ChartFolder = "charts";

    private readonly Dictionary<string, string> _charts = new(StringComparer.Ordinal);

    /// <summary>Charts the pages rendered so far refer to, by file name under <see cref="ChartFolder"/>.</summary>
    public IReadOnlyDictionary<string, string> Charts => _charts;

    public override string Overview => "index.html";

    public override string Run(long runId) => $"run-{runId}.html";

    public override string Task(string agent, string suite, string taskId) => $"task-{Slugs.Of(agent, suite, taskId)}.html";

    public override string Trial(long runId, string taskId, int trialIndex) => $"trial-{runId}-{Slugs.Of(taskId)}-{trialIndex}.html";

    /// <summary>One file per pass-rate window (daily, 7-day, 30-day); other filters need the server.</summary>
    public override string Series(string agent, string suite, EvidenceFilter? filter = null) =>
        filter is { Window: > 1 } f ? $"series-{Slugs.Of(agent, suite)}-{f.Window}d.html" : $"series-{Slugs.Of(agent, suite)}.html";

    public override string Suite(string suite, EvidenceFilter? filter = null) => $"suite-{Slugs.Of(suite)}.html";

    public override string Chart(string name, string svg, string description)
    {
        var file = $"{Slugs.Of(name)}.svg";
        _charts[file] = svg;
        return $"<figure class=\"chart\" data-chart=\"{WebUtility.HtmlEncode(name)}\"><img src=\"{ChartFolder}/{file}\" alt=\"{WebUtility.HtmlEncode(description)}\"></figure>";
    }
}
