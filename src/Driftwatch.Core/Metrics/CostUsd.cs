using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>What the trial cost in US dollars, as the agent reported it.</summary>
public sealed class CostUsd : ITrialMetric
{
    public string Name => "costUsd";

    public string Unit => "USD";

    public string Label => "cost";

    public Detection.Signals.SignalKind Kind => Detection.Signals.SignalKind.Cost;

    public Detection.Signals.SignalPolarity Polarity => Detection.Signals.SignalPolarity.HigherIsWorse;

    public double? Measure(Trial trial) => trial.Usage.CostUsd is { } cost ? (double)cost : null;
}
