using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Shouldly;

namespace Driftwatch.Core.Tests.Metrics;

public sealed class OutputTokensTests
{
    [Fact]
    public void Output_tokens_are_those_the_agent_reported()
    {
        // Given a trial whose agent reported 480 output tokens
        var trial = SampleTrial.Finished(usage: new AgentUsage { InputTokens = 9000, OutputTokens = 480 });

        // When it is measured
        var value = new OutputTokens().Measure(trial);

        // Then the value is 480 tokens, under the name outputTokens
        value.ShouldBe(480);
        new OutputTokens().Name.ShouldBe("outputTokens");
        new OutputTokens().Unit.ShouldBe("tokens");
    }

    [Fact]
    public void Output_tokens_are_absent_when_the_agent_does_not_report_them()
    {
        // Given a trial whose agent reported no usage
        var trial = SampleTrial.Finished(usage: AgentUsage.None);

        // When it is measured, then there is no value (not zero)
        new OutputTokens().Measure(trial).ShouldBeNull();
    }
}
