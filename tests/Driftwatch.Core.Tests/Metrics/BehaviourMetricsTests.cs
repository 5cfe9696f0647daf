using Driftwatch.Core.Detection.Signals;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Shouldly;

namespace Driftwatch.Core.Tests.Metrics;

public sealed class BehaviourMetricsTests
{
    [Fact]
    public void Input_tokens_turns_agent_time_and_cost_are_measured_from_what_the_trial_recorded()
    {
        // Given a trial whose agent reported its usage, and took 1.5 s of the trial's time
        var trial = SampleTrial.Finished(usage: new AgentUsage { InputTokens = 9000, OutputTokens = 480, Turns = 7, CostUsd = 0.125m }) with { AgentDurationMs = 1500 };

        // When it is measured
        var values = TrialMetrics.Measure(trial);

        // Then each value is there under its stable camelCase name
        values.Get("inputTokens").ShouldBe(9000);
        values.Get("turns").ShouldBe(7);
        values.Get("agentDurationMs").ShouldBe(1500);
        values.Get("costUsd").ShouldBe(0.125);
    }

    [Fact]
    public void Usage_the_agent_did_not_report_and_an_unmeasured_agent_time_are_absent_not_zero()
    {
        var values = TrialMetrics.Measure(SampleTrial.Finished(usage: AgentUsage.None));

        values.ContainsKey("inputTokens").ShouldBeFalse();
        values.ContainsKey("turns").ShouldBeFalse();
        values.ContainsKey("costUsd").ShouldBeFalse();
        values.ContainsKey("agentDurationMs").ShouldBeFalse();
    }

    [Theory]
    [InlineData("inputTokens", SignalKind.Behaviour, SignalPolarity.Neutral)]
    [InlineData("outputTokens", SignalKind.Behaviour, SignalPolarity.Neutral)]
    [InlineData("turns", SignalKind.Behaviour, SignalPolarity.Neutral)]
    [InlineData("toolCalls", SignalKind.Behaviour, SignalPolarity.Neutral)]
    [InlineData("durationMs", SignalKind.Cost, SignalPolarity.HigherIsWorse)]
    [InlineData("agentDurationMs", SignalKind.Cost, SignalPolarity.HigherIsWorse)]
    [InlineData("costUsd", SignalKind.Cost, SignalPolarity.HigherIsWorse)]
    public void Behaviour_metrics_are_neutral_and_cost_and_time_are_worse_up_all_relative(string name, SignalKind kind, SignalPolarity polarity)
    {
        var metric = TrialMetrics.All.Single(m => m.Name == name);

        metric.Kind.ShouldBe(kind);
        metric.Polarity.ShouldBe(polarity);
        metric.Relative.ShouldBeTrue();
        metric.Label.ShouldNotBeNullOrWhiteSpace();
    }
}
