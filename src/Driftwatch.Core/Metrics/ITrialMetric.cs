using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>
/// One figure measured of every finished trial, stored and shown by name with no schema or export
/// change: a metric is one class implementing this, listed in <see cref="TrialMetrics.All"/>.
/// </summary>
public interface ITrialMetric
{
    /// <summary>The stored and shown name, camelCase (the JSON key; the CSV column is <c>metric_</c> + name).</summary>
    string Name { get; }

    /// <summary>What the value counts (ms, tokens, ratio).</summary>
    string Unit { get; }

    /// <summary>The value for a finished trial, or null when the trial does not say (the agent did not report it).</summary>
    double? Measure(Trial trial);
}
