using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>The tokens the model wrote for the trial, as the agent reported them.</summary>
public sealed class OutputTokens : ITrialMetric
{
    public string Name => "outputTokens";

    public string Unit => "tokens";

    public double? Measure(Trial trial) => trial.Usage.OutputTokens;
}
