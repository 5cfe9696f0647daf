using Driftwatch.Core.Detection;
using Driftwatch.Core.Reporting;
using Shouldly;

namespace Driftwatch.Core.Tests.Reporting;

public sealed class VerdictTextTests
{
    [Fact]
    public void Not_enough_history_says_how_many_days_there_are_and_how_many_are_needed()
    {
        VerdictText.Note(new VerdictNote(VerdictReason.NotEnoughHistory, Days: 5, DaysNeeded: 8))
            .ShouldBe("not enough history to judge: 5 day(s) since the last declared change, 8 needed");
    }

    [Fact]
    public void A_baseline_with_nothing_after_it_says_so()
    {
        VerdictText.Note(new VerdictNote(VerdictReason.AllDaysInBaseline))
            .ShouldBe("every day so far is part of the baseline");
    }

    [Fact]
    public void A_flipped_task_reads_as_passes_over_trials_before_and_after()
    {
        VerdictText.Flip(new TaskFlip("gen-b", TrialsBefore: 20, PassesBefore: 19, TrialsAfter: 5, PassesAfter: 1))
            .ShouldBe("gen-b 19/20 → 1/5");
    }
}
