using System.Globalization;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;

namespace Driftwatch.Cli.Rendering;

/// <summary>The scorers' figures of one trial (docs/scorers.md), one line each, as `show --task` prints them.</summary>
internal static class TrialScoresText
{
    /// <summary>"lint findings beyond the reference's: +2 findings" for each scorer metric the trial has; "not measured" lines for the rest are left to its flags.</summary>
    public static IReadOnlyList<string> Lines(Trial trial) =>
        [.. ScorerMetrics.All.Where(m => trial.Metrics.ContainsKey(m.Name)).Select(m => $"{m.Label}: {Format(m, trial.Metrics[m.Name])}")];

    public static string Format(ScorerMetric metric, double value) => metric.Unit switch
    {
        "share" => value.ToString("0.###", CultureInfo.InvariantCulture),
        "× reference" => value.ToString("0.##", CultureInfo.InvariantCulture) + "×",
        _ => (value > 0 ? "+" : "") + value.ToString("0.##", CultureInfo.InvariantCulture) + " " + metric.Unit,
    };
}
