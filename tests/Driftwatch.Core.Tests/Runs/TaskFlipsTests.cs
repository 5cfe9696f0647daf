using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Shouldly;

namespace Driftwatch.Core.Tests.Runs;

/// <summary>A flip is a change of a task's majority outcome (the dashboard marks it, `db gc` keeps its artifacts).</summary>
public sealed class TaskFlipsTests
{
    private static Trial Trial(TrialOutcome outcome) => new()
    {
        RunId = 1, TaskId = "t", TrialIndex = 0, Sequence = 0, Category = TaskCategory.Generation, Language = "python",
        Outcome = outcome, StartedAt = DateTimeOffset.UnixEpoch, FinishedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void The_pass_rate_counts_scored_trials_only_and_is_unknown_without_any()
    {
        TaskFlips.PassRate([Trial(TrialOutcome.Pass), Trial(TrialOutcome.Fail), Trial(TrialOutcome.Error), Trial(TrialOutcome.Timeout)]).ShouldBe(1.0 / 3);
        TaskFlips.PassRate([Trial(TrialOutcome.Error)]).ShouldBeNull();
    }

    [Theory]
    [InlineData(1.0, 0.0, true)]
    [InlineData(0.5, 0.4, true)]
    [InlineData(0.4, 0.5, true)]
    [InlineData(0.5, 1.0, false)]
    [InlineData(0.0, 0.4, false)]
    public void A_task_flips_when_its_majority_outcome_changes(double before, double now, bool flipped) =>
        TaskFlips.Flipped(before, now).ShouldBe(flipped);

    [Fact]
    public void A_task_without_a_known_rate_on_either_side_does_not_flip()
    {
        TaskFlips.Flipped(null, 1.0).ShouldBeFalse();
        TaskFlips.Flipped(0.0, null).ShouldBeFalse();
    }
}
