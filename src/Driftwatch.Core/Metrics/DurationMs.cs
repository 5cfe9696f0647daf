using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>The trial's wall time, from the fresh workspace to the score.</summary>
public sealed class DurationMs : ITrialMetric
{
    public string Name => "durationMs";

    public string Unit => "ms";

    public double? Measure(Trial trial) => trial.DurationMs;
}
