using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>The catalog of per-trial metrics: every one is measured when a trial is recorded, stored, and listed in JSON and CSV.</summary>
public static class TrialMetrics
{
    public static readonly IReadOnlyList<ITrialMetric> All =
    [
        new DurationMs(),
        new OutputTokens(),
        new ToolCalls(),
        new InputTokens(),
        new Turns(),
        new AgentDurationMs(),
        new CostUsd(),
        .. ScorerMetrics.All,
    ];

    /// <summary>The values of <paramref name="metrics"/> (default: the catalog) that the trial has.</summary>
    public static MetricDictionary Measure(Trial trial, IEnumerable<ITrialMetric>? metrics = null) =>
        MetricDictionary.Of((metrics ?? All)
            .Select(m => (m.Name, Value: m.Measure(trial)))
            .Where(m => m.Value is not null)
            .Select(m => KeyValuePair.Create(m.Name, m.Value!.Value)));
}
