using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Shouldly;

namespace Driftwatch.Core.Tests.Metrics;

public sealed class ToolCallsTests
{
    [Fact]
    public void Tool_calls_are_those_the_agent_reported()
    {
        // Given a trial whose agent reported 17 tool calls
        var trial = SampleTrial.Finished(usage: new AgentUsage { ToolCalls = 17, Turns = 9 });

        // When it is measured
        var value = new ToolCalls().Measure(trial);

        // Then the value is 17 calls, under the name toolCalls, and the catalog lists it
        value.ShouldBe(17);
        new ToolCalls().Name.ShouldBe("toolCalls");
        new ToolCalls().Unit.ShouldBe("calls");
        TrialMetrics.All.ShouldContain(m => m is ToolCalls);
    }

    [Fact]
    public void Tool_calls_are_absent_when_the_agent_does_not_report_them()
    {
        // Given a trial whose agent reported no usage
        var trial = SampleTrial.Finished(usage: AgentUsage.None);

        // When it is measured, then there is no value (not zero)
        new ToolCalls().Measure(trial).ShouldBeNull();
    }
}
