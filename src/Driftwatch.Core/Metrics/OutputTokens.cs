using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>The tokens the model wrote for the trial, as the agent reported them.</summary>
public sealed class OutputTokens : ITrialMetric
{
    public string Name => "outputTokens";

    public string Unit => "tokens";

    public string Label => "output tokens";

    public Detection.Signals.SignalKind Kind => Detection.Signals.SignalKind.Behaviour;

    public Detection.Signals.SignalPolarity Polarity => Detection.Signals.SignalPolarity.Neutral;

    public double? Measure(Trial trial) => trial.Usage.OutputTokens;
}
