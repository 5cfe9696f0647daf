using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>The tool calls the agent made in the trial, as it reported them.</summary>
public sealed class ToolCalls : ITrialMetric
{
    public string Name => "toolCalls";

    public string Unit => "calls";

    public string Label => "tool calls";

    public Detection.Signals.SignalKind Kind => Detection.Signals.SignalKind.Behaviour;

    public Detection.Signals.SignalPolarity Polarity => Detection.Signals.SignalPolarity.Neutral;

    public double? Measure(Trial trial) => trial.Usage.ToolCalls;
}
