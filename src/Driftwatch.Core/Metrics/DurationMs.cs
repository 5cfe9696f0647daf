using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>The trial's wall time, from the fresh workspace to the score.</summary>
public sealed class DurationMs : ITrialMetric
{
    public string Name => "durationMs";

    public string Unit => "ms";

    public string Label => "trial time";

    public Detection.Signals.SignalKind Kind => Detection.Signals.SignalKind.Cost;

    public Detection.Signals.SignalPolarity Polarity => Detection.Signals.SignalPolarity.HigherIsWorse;

    public double? Measure(Trial trial) => trial.DurationMs;
}
