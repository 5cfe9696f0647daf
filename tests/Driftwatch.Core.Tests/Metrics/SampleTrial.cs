using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;

namespace Driftwatch.Core.Tests.Metrics;

/// <summary>A finished trial for metric tests to measure.</summary>
internal static class SampleTrial
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);

    public static Trial Finished(long durationMs = 2000, AgentUsage? usage = null) => new()
    {
        RunId = 1,
        TaskId = "task-0",
        TrialIndex = 0,
        Sequence = 0,
        Category = TaskCategory.Generation,
        Language = "python",
        Outcome = TrialOutcome.Pass,
        TestsPassed = 3,
        TestsTotal = 3,
        StartedAt = Start,
        FinishedAt = Start.AddMilliseconds(durationMs),
        DurationMs = durationMs,
        Usage = usage ?? AgentUsage.None,
    };
}
