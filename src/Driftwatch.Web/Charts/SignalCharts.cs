using Driftwatch.Core.Detection.Signals;
using Driftwatch.Web.Pages;

namespace Driftwatch.Web.Charts;

/// <summary>
/// The two charts of a signal: its daily value with the band a baseline day stays in and the
/// baseline value, and its detector's statistic against its limit (drawn as the pass rate's is).
/// </summary>
internal static class SignalCharts
{
    public static string Value(SignalVerdict signal, IReadOnlyList<SignalDay> days, IReadOnlyList<TrendMark> marks)
    {
        var band = days
            .Where(d => d.BandLow is not null && d.BandHigh is not null)
            .Select(d => (d.Day, d.BandLow!.Value, d.BandHigh!.Value))
            .ToList();
        IReadOnlyList<TrendRule> rules = signal.BaselineValue is { } baseline
            ? [new TrendRule(baseline, "#6a1b9a", $"baseline {SignalText.Value(signal, baseline)}", "baseline")]
            : [];
        return TrendChart.Draw(
            $"{signal.Label} per day with the band of a baseline day and the baseline",
            [new TrendLine(signal.Label, "#1565c0", [.. days.Select(d => (d.Day, d.Value))], "signal-value")],
            v => SignalText.Axis(signal, v),
            band: band.Count > 0 ? new TrendBand(band, "#90caf9", "signal-band") : null,
            rules: rules,
            marks: marks);
    }

    public static string Evidence(SignalVerdict signal, IReadOnlyList<SignalDay> days, IReadOnlyList<TrendMark> marks)
    {
        var up = SignalText.Direction(signal) == "up";
        var statistic = days
            .Select(d => (d.Day, Value: up ? d.Up : d.Down))
            .Where(p => p.Value is not null)
            .Select(p => (p.Day, p.Value!.Value))
            .ToList();
        return TrendChart.StatisticAgainstLimit($"{signal.Label}: detector statistic ({(up ? "up" : "down")}) against its limit", statistic, signal.Threshold, marks);
    }
}
