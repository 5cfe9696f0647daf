using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>The turns (model responses) the agent took in the trial, as it reported them.</summary>
public sealed class Turns : ITrialMetric
{
    public string Name => "turns";

    public string Unit => "turns";

    public string Label => "turns";

    public Detection.Signals.SignalKind Kind => Detection.Signals.SignalKind.Behaviour;

    public Detection.Signals.SignalPolarity Polarity => Detection.Signals.SignalPolarity.Neutral;

    public double? Measure(Trial trial) => trial.Usage.Turns;
}
