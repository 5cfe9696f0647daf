using Driftwatch.Core.Runs;
using Shouldly;

namespace Driftwatch.Core.Tests.Runs;

public sealed class TrialFlagsTests
{
    [Theory]
    [InlineData("suspect:patches-test-framework calc.py:3", FlagKind.Suspect)]
    [InlineData("suspect:tampered-at-runtime", FlagKind.Suspect)]
    [InlineData("fallback:claude-opus-5-5→claude-sonnet-5-5", FlagKind.Fallback)]
    [InlineData("refusal", FlagKind.Refusal)]
    [InlineData("suspicious", FlagKind.Other)]
    [InlineData("refusals", FlagKind.Other)]
    [InlineData("something-new detail", FlagKind.Other)]
    public void A_flag_is_of_the_kind_its_prefix_names(string flag, FlagKind kind) =>
        TrialFlags.KindOf(flag).ShouldBe(kind);

    [Fact]
    public void Flag_counts_count_each_trial_once_per_kind_and_a_trial_in_every_kind_it_has()
    {
        // Given a trial with two suspect flags, one suspect and served by a fallback model, one refused, one with an unknown flag and one with none
        string[][] trials =
        [
            ["suspect:site-customisation sitecustomize.py", "suspect:shadows-test-framework unittest.py"],
            ["suspect:test-runner .driftwatch/x.py", "fallback:a→b"],
            ["refusal"],
            ["something-new"],
            [],
        ];

        // When they are counted
        var counts = FlagCounts.Of(trials);

        // Then two are suspect, one fallback, one refused; the unknown flag counts nowhere
        counts.ShouldBe(new FlagCounts(Suspect: 2, Fallback: 1, Refusal: 1));
        counts.ToString().ShouldBe("2 suspect, 1 served by a fallback model, 1 refused");
        (counts + counts).ShouldBe(new FlagCounts(4, 2, 2));
        FlagCounts.None.Any.ShouldBeFalse();
        FlagCounts.None.ToString().ShouldBe("none");
    }
}
