using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>The tokens the model read for the trial (prompts, files, tool results), as the agent reported them.</summary>
public sealed class InputTokens : ITrialMetric
{
    public string Name => "inputTokens";

    public string Unit => "tokens";

    public string Label => "input tokens";

    public Detection.Signals.SignalKind Kind => Detection.Signals.SignalKind.Behaviour;

    public Detection.Signals.SignalPolarity Polarity => Detection.Signals.SignalPolarity.Neutral;

    public double? Measure(Trial trial) => trial.Usage.InputTokens;
}
