using System.Globalization;
using System.Net;
using System.Text;

namespace Driftwatch.Web.Charts;

/// <summary>One line of a trend chart: a value per day.</summary>
internal sealed record TrendLine(string Name, string Colour, IReadOnlyList<(DateOnly Day, double Value)> Points, string Class, bool Dashed = false);

/// <summary>A horizontal rule across a trend chart (a limit, a baseline).</summary>
internal sealed record TrendRule(double Value, string Colour, string Title, string Class);

/// <summary>A vertical mark on one day (an alarm, a change day).</summary>
internal sealed record TrendMark(DateOnly Day, string Colour, string Title, string Class);

/// <summary>A shaded band per day (an interval).</summary>
internal sealed record TrendBand(IReadOnlyList<(DateOnly Day, double Low, double High)> Points, string Colour, string Class);

/// <summary>
/// Values per day as lines on one date axis, drawn as plain SVG that scales to its container (the
/// page sets its width; the view box keeps its proportions): pooled pass rates, a detector's
/// statistic against its limit, tokens and cost per day.
/// </summary>
internal static class TrendChart
{
    public static string Draw(
        string label,
        IReadOnlyList<TrendLine> lines,
        Func<double, string> format,
        double? yMax = null,
        TrendBand? band = null,
        IReadOnlyList<TrendRule>? rules = null,
        IReadOnlyList<TrendMark>? marks = null,
        int width = 760,
        int height = 200)
    {
        const int left = 58, right = 12, top = 14, bottom = 28;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart trend\" role=\"img\" aria-label=\"{Esc(label)}\" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMinYMin meet\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append("<style>.axis{fill:#616161}</style>");
        var days = lines.SelectMany(l => l.Points.Select(p => p.Day)).Concat(band?.Points.Select(p => p.Day) ?? []).Distinct().Order().ToList();
        if (days.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\" class=\"axis\">nothing recorded in these days</text>");
            return svg.Append("</svg>").ToString();
        }
        var values = lines.SelectMany(l => l.Points.Select(p => p.Value)).Concat(rules?.Select(r => r.Value) ?? []).Concat(band?.Points.Select(p => p.High) ?? []).Where(double.IsFinite).ToList();
        var max = yMax ?? Nice(values.Count == 0 ? 1 : Math.Max(values.Max(), 1e-9) * 1.1);
        var first = days[0].DayNumber;
        var span = Math.Max(1, days[^1].DayNumber - first);
        double X(DateOnly day) => days.Count == 1 ? left + plotWidth / 2.0 : left + plotWidth * (day.DayNumber - first) / (double)span;
        double Y(double value) => top + plotHeight * (1 - Math.Clamp(value / max, 0, 1));

        foreach (var fraction in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            var y = top + plotHeight * (1 - fraction);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"#e0e0e0\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\" class=\"axis\">{Esc(format(max * fraction))}</text>");
        }
        if (band is { Points.Count: > 0 })
        {
            var points = string.Join(" ", band.Points.Select(p => $"{F(X(p.Day))},{F(Y(p.High))}").Concat(band.Points.Reverse().Select(p => $"{F(X(p.Day))},{F(Y(p.Low))}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polygon class=\"{band.Class}\" points=\"{points}\" fill=\"{band.Colour}\" fill-opacity=\"0.45\"/>");
        }
        foreach (var rule in rules ?? [])
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"{rule.Class}\" x1=\"{left}\" x2=\"{width - right}\" y1=\"{F(Y(rule.Value))}\" y2=\"{F(Y(rule.Value))}\" stroke=\"{rule.Colour}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>{Esc(rule.Title)}</title></line>");
        }
        foreach (var mark in marks ?? [])
        {
            var x = X(mark.Day < days[0] ? days[0] : mark.Day > days[^1] ? days[^1] : mark.Day);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"{mark.Class}\" x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{top}\" y2=\"{top + plotHeight}\" stroke=\"{mark.Colour}\" stroke-width=\"2\"><title>{Esc(mark.Title)}</title></line>");
        }
        foreach (var line in lines.Where(l => l.Points.Count > 0))
        {
            var dash = line.Dashed ? " stroke-dasharray=\"4 3\"" : "";
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"{line.Class}\" data-points=\"{line.Points.Count}\"><polyline points=\"{string.Join(" ", line.Points.Select(p => $"{F(X(p.Day))},{F(Y(p.Value))}"))}\" fill=\"none\" stroke=\"{line.Colour}\" stroke-width=\"2\"{dash}/>");
            foreach (var (day, value) in line.Points)
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(day))}\" cy=\"{F(Y(value))}\" r=\"2.5\" fill=\"{line.Colour}\"><title>{day:yyyy-MM-dd} {Esc(line.Name)}: {Esc(format(value))}</title></circle>");
            svg.Append("</g>");
        }
        var labels = days.Count <= 6 ? days : [.. Enumerable.Range(0, 6).Select(i => days[(int)Math.Round(i * (days.Count - 1) / 5.0)]).Distinct()];
        foreach (var day in labels)
        {
            var anchor = labels.Count > 1 && day == labels[^1] ? "end" : labels.Count > 1 && day == labels[0] ? "start" : "middle";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(day))}\" y=\"{height - 8}\" text-anchor=\"{anchor}\" class=\"axis\">{day:MM-dd}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>
    /// A detector's statistic day by day against its alarm limit (dashed red): the evidence behind
    /// an alarm, for the pass rate's detector and for each signal's alike.
    /// </summary>
    public static string StatisticAgainstLimit(string label, IReadOnlyList<(DateOnly Day, double Value)> statistic, double? limit, IReadOnlyList<TrendMark> marks) =>
        Draw(
            label,
            [new TrendLine("statistic", "#37474f", statistic, "statistic")],
            v => v.ToString("0.0", CultureInfo.InvariantCulture),
            rules: limit is { } l ? [new TrendRule(l, SvgCharts.Fail, $"alarm limit {l.ToString("0.00", CultureInfo.InvariantCulture)}", "limit")] : [],
            marks: marks);

    /// <summary>1, 2 or 5 times a power of ten at or above <paramref name="value"/>: a round top for the axis.</summary>
    internal static double Nice(double value)
    {
        if (value <= 0 || !double.IsFinite(value))
            return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            if (step * power >= value)
                return step * power;
        }
        return 10 * power;
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
