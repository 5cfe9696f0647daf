using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;
using Driftwatch.Formats.Alerts;
using Shouldly;
using static Driftwatch.Testing.SampleAlertInputs;

namespace Driftwatch.Core.Tests.Alerts;

/// <summary>
/// The events a verdict raises against the state recorded before it, behaviour signals included:
/// a behaviour alarm (a neutral signal past its limit) is told once as `changed`, and its end as
/// `recovered`; degraded and improved keep precedence.
/// </summary>
public sealed class AlertEventsTests
{
    private const string Moved = "behaviour changed: output tokens −34% since 2026-10-31 (agent version: 2.0.31 → 2.0.32)";

    /// <summary>Output tokens as the checker reports them: quiet (ok), near half their limit, or alarmed down since 2026-10-31.</summary>
    private static SignalVerdict Tokens(VerdictStatus status = VerdictStatus.Warning, string? direction = "down") => new()
    {
        Signal = "outputTokens",
        Label = "output tokens",
        Kind = SignalKind.Behaviour,
        Polarity = SignalPolarity.Neutral,
        Unit = "tokens",
        Status = status,
        Direction = direction,
        Change = status == VerdictStatus.Warning ? (direction == "up" ? 0.4 : -0.34) : -0.05,
        Low = status == VerdictStatus.Warning ? (direction == "up" ? 0.3 : -0.37) : -0.1,
        High = status == VerdictStatus.Warning ? (direction == "up" ? 0.5 : -0.31) : 0.01,
        Relative = true,
        ChangeDay = status == VerdictStatus.Warning ? new DateOnly(2026, 10, 31) : null,
        AlarmDay = status == VerdictStatus.Warning ? new DateOnly(2026, 11, 2) : null,
        Statistic = status == VerdictStatus.Warning ? 9.1 : 4.2,
        Threshold = 7.5,
        Arl0 = 1000,
        FingerprintChanges = status == VerdictStatus.Warning ? ["agent version: 2.0.31 → 2.0.32"] : [],
    };

    /// <summary>A verdict of claude-code on core with its pass rate's status and its signals; the combined status as the checker sets it.</summary>
    private static Verdict With(VerdictStatus passRate, params SignalVerdict[] signals)
    {
        if (passRate == VerdictStatus.Insufficient)
            return Verdict(passRate);
        var (status, triggeredBy) = SignalStatus.Combine(passRate, signals);
        return Verdict(status) with { Signals = signals, TriggeredBy = triggeredBy };
    }

    private static Verdict BehaviourChanged => With(VerdictStatus.Ok, Tokens());

    [Fact]
    public void A_first_verdict_with_a_behaviour_alarm_raises_changed()
    {
        AlertEvents.ForVerdict((VerdictState?)null, BehaviourChanged).ShouldBe([AlertEvents.Changed]);
        AlertEvents.ForVerdict(VerdictState.Of(With(VerdictStatus.Ok, Tokens(VerdictStatus.Ok, null))), BehaviourChanged).ShouldBe([AlertEvents.Changed]);
    }

    [Fact]
    public void The_same_behaviour_alarm_the_next_day_raises_nothing()
    {
        // Given the state recorded with yesterday's alarm, today's alarm dated a day later (the change point moves with new days)
        var yesterday = VerdictState.Of(BehaviourChanged);
        var today = With(VerdictStatus.Ok, Tokens() with { ChangeDay = new DateOnly(2026, 11, 1), AlarmDay = new DateOnly(2026, 11, 3), Change = -0.36 });

        AlertEvents.ForVerdict(yesterday, today).ShouldBeEmpty();
    }

    [Fact]
    public void The_same_signal_alarming_the_other_way_is_a_new_change()
    {
        AlertEvents.ForVerdict(VerdictState.Of(BehaviourChanged), With(VerdictStatus.Ok, Tokens(direction: "up"))).ShouldBe([AlertEvents.Changed]);
    }

    [Fact]
    public void A_degraded_verdict_with_a_behaviour_alarm_raises_degraded_whose_text_also_tells_the_behaviour_change()
    {
        // Given the pass rate degraded and output tokens alarmed
        var verdict = With(VerdictStatus.Degraded, Tokens());

        // When it follows an ok verdict
        var events = AlertEvents.ForVerdict(VerdictState.Of(With(VerdictStatus.Ok)), verdict);
        var alert = Alert.ForVerdict(events.ShouldHaveSingleItem(), verdict, VerdictState.Of(With(VerdictStatus.Ok)), new AlertContext(At));

        // Then it is one degraded alert, and the behaviour change is in it
        events.ShouldBe([AlertEvents.Degraded]);
        alert.Title.ShouldBe("claude-code on core: DEGRADED (was ok)");
        alert.Text.ShouldContain($"what moved: {Moved}");
        alert.Text.ShouldContain("output tokens: −34% (95% CI −37% to −31%), change began 2026-10-31, alarm on 2026-11-02");
        alert.Text.ShouldContain("effect: −12.5 pts since 2026-03-10");
    }

    [Fact]
    public void A_behaviour_alarm_that_ends_raises_recovered_saying_which_signal_is_back()
    {
        // Given output tokens alarmed yesterday and are quiet today (still above half their limit: a mere warning sign)
        var previous = VerdictState.Of(BehaviourChanged);
        var today = With(VerdictStatus.Ok, Tokens(VerdictStatus.Ok, "down"));

        // When it is judged
        var events = AlertEvents.ForVerdict(previous, today);
        var alert = Alert.ForVerdict(events.ShouldHaveSingleItem(), today, previous, new AlertContext(At));

        // Then the alert is recovered, from a warning, naming what went back
        events.ShouldBe([AlertEvents.Recovered]);
        alert.Title.ShouldBe("claude-code on core: back to ok (was warning)");
        alert.BehaviourEnded.ShouldBe(["output tokens"]);
        alert.Text.ShouldContain("behaviour back to its baseline: output tokens");
    }

    [Fact]
    public void A_half_limit_warning_raises_nothing()
    {
        // The pass rate's own early sign, and a signal above half its limit (shown with a direction but not alarmed)
        AlertEvents.ForVerdict(null, With(VerdictStatus.Warning, Tokens(VerdictStatus.Ok, "down"))).ShouldBeEmpty();
        AlertEvents.ForVerdict(VerdictState.Of(With(VerdictStatus.Ok)), With(VerdictStatus.Warning)).ShouldBeEmpty();
        AlertEvents.ForVerdict(VerdictState.Of(With(VerdictStatus.Warning)), With(VerdictStatus.Ok)).ShouldBeEmpty();
    }

    [Fact]
    public void A_pass_rate_that_recovers_as_behaviour_changes_raises_recovered_and_changed()
    {
        var events = AlertEvents.ForVerdict(VerdictState.Of(With(VerdictStatus.Degraded)), BehaviourChanged);

        events.ShouldBe([AlertEvents.Recovered, AlertEvents.Changed]);
    }

    [Fact]
    public void A_behaviour_alarm_ending_while_the_verdict_stays_degraded_raises_nothing()
    {
        AlertEvents.ForVerdict(VerdictState.Of(With(VerdictStatus.Degraded, Tokens())), With(VerdictStatus.Degraded)).ShouldBeEmpty();
    }

    [Fact]
    public void Insufficient_is_no_judgement_and_the_first_verdict_after_it_alerts_as_a_first_verdict()
    {
        AlertEvents.ForVerdict(VerdictState.Of(BehaviourChanged), With(VerdictStatus.Insufficient)).ShouldBeEmpty();
        AlertEvents.ForVerdict(VerdictState.Of(With(VerdictStatus.Insufficient)), BehaviourChanged).ShouldBe([AlertEvents.Changed]);
    }

    [Fact]
    public void A_changed_alert_says_what_moved_with_the_verdicts_words_its_interval_and_alarm_day_in_every_format()
    {
        // Given output tokens alarmed after an agent release, the pass rate unchanged
        var alert = Alert.ForVerdict(AlertEvents.Changed, BehaviourChanged, VerdictState.Of(With(VerdictStatus.Ok)),
            new AlertContext(At, 14, "entry", At, "https://dw.example/runs/{run}"));

        // Then the title says behaviour changed; the text says it as the verdict does, with the interval and the days
        alert.Title.ShouldBe("claude-code on core: behaviour changed (was ok)");
        alert.Text.ShouldStartWith($"""
            Driftwatch: claude-code on core: behaviour changed (was ok)
              what moved: {Moved}
              output tokens: −34% (95% CI −37% to −31%), change began 2026-10-31, alarm on 2026-11-02
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        var change = alert.BehaviourChanges.ShouldHaveSingleItem();
        (change.Signal, change.Direction, change.Change, change.AlarmDay).ShouldBe(("outputTokens", "down", -0.34, new DateOnly(2026, 11, 2)));
        change.Text.ShouldBe(Moved);

        // And the webhook's JSON keeps every field it had and adds the change; Slack and Discord carry the same words
        var json = System.Text.Json.Nodes.JsonNode.Parse(alert.ToJson())!.AsObject();
        json["event"]!.GetValue<string>().ShouldBe("changed");
        foreach (var field in new[] { "verdict", "previousVerdict", "effect", "changeDay", "alarmDay", "moved", "behaviourChanges", "behaviourEnded" })
            json.ContainsKey(field).ShouldBeTrue(field);
        json["behaviourChanges"]![0]!["alarmDay"]!.GetValue<string>().ShouldBe("2026-11-02");
        Alert.FromJson(alert.ToJson()).ToJson().ShouldBe(alert.ToJson());
        AlertFormats.Slack(alert)["text"]!.GetValue<string>().ShouldBe("Driftwatch: claude-code on core: behaviour changed (was ok)");
        AlertFormats.Discord(alert)["embeds"]![0]!["fields"]!.AsArray().ShouldContain(f => f!["value"]!.GetValue<string>() == Moved);
        AlertFormats.Colour(AlertEvents.Changed).ShouldBe(AlertFormats.Colour(AlertEvents.Incomplete));
    }
}
