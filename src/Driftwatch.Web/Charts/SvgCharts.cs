using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Charts;

/// <summary>
/// Charts drawn on the server as plain SVG: no script, no fonts or files from elsewhere, so a
/// page works offline and a chart can be saved next to a static report as it is.
/// </summary>
internal static class SvgCharts
{
    public const string Pass = "#2e7d32";
    public const string Fail = "#c62828";
    public const string Timeout = "#ef6c00";
    public const string Error = "#9e9e9e";
    private const string Band = "#90caf9";
    private const string Line = "#1565c0";
    private const string Baseline = "#6a1b9a";
    private const string Change = "#ff8f00";
    public const string SuspectMark = "#b71c1c";
    public const string FallbackMark = "#5e35b1";
    public const string RefusalMark = "#455a64";

    /// <summary>
    /// Pass rate per day with its 95% interval as a band, the baseline period and rate, the
    /// estimated change day and the alarm day, a tick for each version change, and on each day with
    /// flagged trials a stack of marks at the bottom (suspect, fallback model, refused), one per kind.
    /// </summary>
    public static string PassRate(SeriesView series, int width = 760, int height = 220) =>
        width == 760 && height == 220 ? Drawn.GetValue(series, s => DrawPassRate(s, width, height)) : DrawPassRate(series, width, height);

    // A series view is kept by the dashboard until one of its runs is written (DashboardReader), and
    // its chart with it (#20): a page rendered again for a new minute does not draw 730 days again.
    private static readonly ConditionalWeakTable<SeriesView, string> Drawn = [];

    private static string DrawPassRate(SeriesView series, int width, int height)
    {
        const int left = 44, right = 12, top = 14, bottom = 34;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var days = series.Days.Where(d => d.Scored > 0).ToList();
        var svg = Open(width, height, $"Pass rate per day of {series.Agent} on {series.Suite}", "chart trend");
        // Axes and grid.
        foreach (var fraction in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            var y = top + plotHeight * (1 - fraction);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"#e0e0e0\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\" class=\"axis\">{fraction * 100:0}%</text>");
        }
        if (days.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\" class=\"axis\">no scored trials yet</text>");
            return Close(svg);
        }
        var first = days[0].Day.DayNumber;
        var span = Math.Max(1, days[^1].Day.DayNumber - first);
        double X(DateOnly day) => days.Count == 1 ? left + plotWidth / 2.0 : left + plotWidth * (day.DayNumber - first) / (double)span;
        double Y(double rate) => top + plotHeight * (1 - rate);

        var verdict = series.Verdict;
        if (verdict.BaselineFrom is { } from && verdict.BaselineTo is { } to && verdict.BaselinePassRate is { } baseRate)
        {
            var x0 = X(Clamp(from, days)) - 3;
            var x1 = X(Clamp(to, days)) + 3;
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"baseline-period\" x=\"{F(x0)}\" y=\"{top}\" width=\"{F(x1 - x0)}\" height=\"{plotHeight}\" fill=\"{Baseline}\" fill-opacity=\"0.06\"><title>baseline {from:yyyy-MM-dd} – {to:yyyy-MM-dd}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"baseline\" x1=\"{left}\" x2=\"{width - right}\" y1=\"{F(Y(baseRate))}\" y2=\"{F(Y(baseRate))}\" stroke=\"{Baseline}\" stroke-dasharray=\"6 4\"><title>baseline pass rate {baseRate:0.0%}</title></line>");
        }

        // The interval band: upper edge left to right, lower edge back.
        var band = new StringBuilder();
        foreach (var d in days)
            band.Append(CultureInfo.InvariantCulture, $"{F(X(d.Day))},{F(Y(d.High))} ");
        foreach (var d in Enumerable.Reverse(days))
            band.Append(CultureInfo.InvariantCulture, $"{F(X(d.Day))},{F(Y(d.Low))} ");
        svg.Append(CultureInfo.InvariantCulture, $"<polygon class=\"band\" points=\"{band.ToString().TrimEnd()}\" fill=\"{Band}\" fill-opacity=\"0.45\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"rate\" points=\"{string.Join(" ", days.Select(d => $"{F(X(d.Day))},{F(Y(d.Rate))}"))}\" fill=\"none\" stroke=\"{Line}\" stroke-width=\"2\"/>");
        foreach (var d in days)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"day\" cx=\"{F(X(d.Day))}\" cy=\"{F(Y(d.Rate))}\" r=\"3\" fill=\"{Line}\"><title>{d.Day:yyyy-MM-dd}: {d.Passes}/{d.Scored} = {d.Rate:0.0%} (95% {d.Low:0.0%}–{d.High:0.0%}){(d.Errors > 0 ? $", {d.Errors} infrastructure errors" : "")}</title></circle>");
        }

        foreach (var change in series.Changes)
        {
            var x = X(Clamp(change.Day, days));
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"version-change\"><line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{top}\" y2=\"{top + plotHeight}\" stroke=\"#455a64\" stroke-width=\"1\" stroke-dasharray=\"2 3\"/><path d=\"M{F(x - 5)},{top - 2} L{F(x + 5)},{top - 2} L{F(x)},{top + 6} Z\" fill=\"#455a64\"/><title>{Esc(change.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}: {Esc(change.What)}</title></g>");
        }
        foreach (var d in series.Days.Where(d => d.Flagged.Any))
        {
            var x = X(Clamp(d.Day, days));
            var marks = new StringBuilder();
            var k = 0;
            foreach (var (kind, count, colour) in new[] { (FlagKind.Suspect, d.Flagged.Suspect, SuspectMark), (FlagKind.Fallback, d.Flagged.Fallback, FallbackMark), (FlagKind.Refusal, d.Flagged.Refusal, RefusalMark) })
            {
                if (count == 0)
                    continue;
                var y = top + plotHeight - 10 - k * 10;
                marks.Append(CultureInfo.InvariantCulture, $"<rect class=\"mark {kind.Name()}\" x=\"{F(x - 4)}\" y=\"{F(y)}\" width=\"8\" height=\"8\" fill=\"{colour}\" stroke=\"#fff\" stroke-width=\"1\"/>");
                k++;
            }
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"flagged\" data-day=\"{d.Day:yyyy-MM-dd}\">{marks}<title>{d.Day:yyyy-MM-dd}: flagged trials: {Esc(d.Flagged.ToString())}</title></g>");
        }
        if (verdict.ChangeDay is { } changeDay)
        {
            var x = X(Clamp(changeDay, days));
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"change-day\" x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{top}\" y2=\"{top + plotHeight}\" stroke=\"{Change}\" stroke-width=\"2\"><title>estimated first day of the change: {changeDay:yyyy-MM-dd}</title></line>");
        }
        if (verdict.AlarmDay is { } alarmDay)
        {
            var x = X(Clamp(alarmDay, days));
            var colour = verdict.Status == VerdictStatus.Improved ? Pass : Fail;
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"alarm\"><line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{top}\" y2=\"{top + plotHeight}\" stroke=\"{colour}\" stroke-width=\"2\"/><circle cx=\"{F(x)}\" cy=\"{top + plotHeight + 8}\" r=\"5\" fill=\"{colour}\"/><title>alarm ({verdict.Status.ToString().ToLowerInvariant()}) raised on {alarmDay:yyyy-MM-dd}</title></g>");
        }
        // Date labels: first, last and a few between.
        var labels = days.Count <= 6 ? days : [.. Enumerable.Range(0, 6).Select(i => days[(int)Math.Round(i * (days.Count - 1) / 5.0)]).Distinct()];
        foreach (var d in labels)
        {
            var anchor = labels.Count > 1 && d == labels[^1] ? "end" : labels.Count > 1 && d == labels[0] ? "start" : "middle";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(d.Day))}\" y=\"{height - 6}\" text-anchor=\"{anchor}\" class=\"axis\">{d.Day:MM-dd}</text>");
        }
        return Close(svg);
    }

    /// <summary>A task's runs as a strip of cells, one per run; each cell split by trial, coloured by outcome.</summary>
    public static string TaskStrip(TaskView task, Func<TaskDay, string>? link = null, int cell = 16)
    {
        const int pad = 4;
        var width = pad * 2 + task.Days.Count * (cell + 2);
        var height = cell + 22;
        var svg = Open(Math.Max(width, 120), height, $"{task.TaskId}: outcome of every run");
        for (var i = 0; i < task.Days.Count; i++)
        {
            var day = task.Days[i];
            var x = pad + i * (cell + 2);
            var n = Math.Max(1, day.Outcomes.Count);
            var title = $"{day.Day:yyyy-MM-dd} run {day.RunId}: {string.Join(", ", day.Outcomes.Select(o => o.Name()))}";
            var cellSvg = new StringBuilder();
            for (var k = 0; k < day.Outcomes.Count; k++)
            {
                var h = cell / (double)n;
                cellSvg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{F(pad + k * h)}\" width=\"{cell}\" height=\"{F(h)}\" fill=\"{Colour(day.Outcomes[k])}\"/>");
            }
            var body = $"<g class=\"cell\">{cellSvg}<title>{Esc(title)}</title></g>";
            svg.Append(link is null ? body : $"<a href=\"{Esc(link(day))}\">{body}</a>");
        }
        if (task.Days.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{pad}\" y=\"{height - 4}\" class=\"axis\">{task.Days[0].Day:MM-dd}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{pad + (task.Days.Count - 1) * (cell + 2) + cell}\" y=\"{height - 4}\" text-anchor=\"end\" class=\"axis\">{task.Days[^1].Day:MM-dd}</text>");
        }
        return Close(svg);
    }

    /// <summary>One thin bar per task: green share passed, red failed, orange timed out, grey errors.</summary>
    public static string OutcomeBar(RunView view)
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
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{outcome.Name()}\" x=\"{x:0.#}\" y=\"0\" width=\"{w:0.#}\" height=\"{height}\" fill=\"{Colour(outcome)}\"><title>{outcome.Name()}: {count}</title></rect>");
            if (w > 50)
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 6:0.#}\" y=\"18\" fill=\"#fff\">{count} {outcome.Name()}</text>");
            x += w;
        }
        return svg.Append("</svg>").ToString();
    }

    public static string Colour(TrialOutcome outcome) => outcome switch
    {
        TrialOutcome.Pass => Pass,
        TrialOutcome.Fail => Fail,
        TrialOutcome.Timeout => Timeout,
        _ => Error,
    };

    private static DateOnly Clamp(DateOnly day, List<DayPoint> days) =>
        day < days[0].Day ? days[0].Day : day > days[^1].Day ? days[^1].Day : day;

    private static StringBuilder Open(int width, int height, string label, string cssClass = "chart")
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{cssClass}\" role=\"img\" aria-label=\"{Esc(label)}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append("<style>.axis{fill:#616161}</style>");
        return svg;
    }

    private static string Close(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
