using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;
using Driftwatch.Core.Reporting;
using Shouldly;

namespace Driftwatch.Core.Tests.Reporting;

public sealed class SignalTextTests
{
    private static readonly DateOnly Day = new(2026, 4, 16);

    private static SignalVerdict Tokens => new()
    {
        Signal = "outputTokens", Label = "output tokens", Kind = SignalKind.Behaviour, Polarity = SignalPolarity.Neutral, Unit = "tokens",
        Status = VerdictStatus.Warning, Relative = true, Change = -0.34, Low = -0.37, High = -0.31, ChangeDay = Day,
        FingerprintChanges = ["harness: output_config.effort high → medium (first seen 2026-04-16)"],
    };

    private static SignalVerdict Lint => new()
    {
        Signal = "lintFindings", Label = "lint findings", Kind = SignalKind.Quality, Polarity = SignalPolarity.HigherIsWorse, Unit = "findings",
        Status = VerdictStatus.Degraded, Relative = false, Change = 0.8, Low = 0.3, High = 1.2, ChangeDay = Day,
    };

    private static Verdict Verdict(VerdictStatus status, IReadOnlyList<string> triggeredBy, params SignalVerdict[] signals) => new()
    {
        Agent = "a", Suite = "s", Status = status, Detector = "cusum", Signals = signals, TriggeredBy = triggeredBy,
        Effect = -0.12, AlarmDay = Day.AddDays(2), ChangeDay = Day,
    };

    [Fact]
    public void A_behaviour_change_says_what_moved_by_how_much_since_when_and_what_changed_around_it()
    {
        var moved = VerdictText.WhatMoved(Verdict(VerdictStatus.Warning, ["outputTokens"], Tokens));

        moved.ShouldBe(["behaviour changed: output tokens −34% since 2026-04-16 (harness: output_config.effort high → medium (first seen 2026-04-16))"]);
    }

    [Fact]
    public void Correctness_comes_first_then_an_absolute_quality_change_in_its_unit()
    {
        var moved = VerdictText.WhatMoved(Verdict(VerdictStatus.Degraded, ["passRate", "lintFindings"], Lint));

        moved.ShouldBe(["correctness degraded: −12.0 pts since 2026-04-16", "quality worse: +0.8 lint findings since 2026-04-16"]);
        VerdictText.Change(Lint).ShouldBe("+0.8 findings (95% CI +0.3 to +1.2)");
        VerdictText.Change(Tokens).ShouldBe("−34% (95% CI −37% to −31%)");
    }

    [Fact]
    public void An_ok_verdict_moved_nothing()
    {
        VerdictText.WhatMoved(Verdict(VerdictStatus.Ok, [], Tokens with { Status = VerdictStatus.Ok })).ShouldBeEmpty();
    }
}
