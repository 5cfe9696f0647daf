using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>The time the agent itself took, from its start to its exit (the trial's wall time less workspace and scoring); absent when not measured (0).</summary>
public sealed class AgentDurationMs : ITrialMetric
{
    public string Name => "agentDurationMs";

    public string Unit => "ms";

    public string Label => "agent time";

    public Detection.Signals.SignalKind Kind => Detection.Signals.SignalKind.Cost;

    public Detection.Signals.SignalPolarity Polarity => Detection.Signals.SignalPolarity.HigherIsWorse;

    public double? Measure(Trial trial) => trial.AgentDurationMs > 0 ? trial.AgentDurationMs : null;
}
