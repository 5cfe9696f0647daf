using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Alerts;
using Shouldly;
using static Driftwatch.Testing.SampleAlertInputs;

namespace Driftwatch.Core.Tests.Alerts;

public sealed class AlertTests
{
    [Theory]
    [InlineData(null, VerdictStatus.Ok, null)]
    [InlineData(null, VerdictStatus.Warning, null)]
    [InlineData(null, VerdictStatus.Degraded, AlertEvents.Degraded)]
    [InlineData(null, VerdictStatus.Improved, AlertEvents.Improved)]
    [InlineData(VerdictStatus.Ok, VerdictStatus.Warning, null)]
    [InlineData(VerdictStatus.Warning, VerdictStatus.Ok, null)]
    [InlineData(VerdictStatus.Ok, VerdictStatus.Degraded, AlertEvents.Degraded)]
    [InlineData(VerdictStatus.Warning, VerdictStatus.Degraded, AlertEvents.Degraded)]
    [InlineData(VerdictStatus.Degraded, VerdictStatus.Degraded, null)]
    [InlineData(VerdictStatus.Degraded, VerdictStatus.Ok, AlertEvents.Recovered)]
    [InlineData(VerdictStatus.Degraded, VerdictStatus.Warning, AlertEvents.Recovered)]
    [InlineData(VerdictStatus.Degraded, VerdictStatus.Improved, AlertEvents.Improved)]
    [InlineData(VerdictStatus.Ok, VerdictStatus.Improved, AlertEvents.Improved)]
    [InlineData(VerdictStatus.Improved, VerdictStatus.Ok, AlertEvents.Recovered)]
    [InlineData(VerdictStatus.Improved, VerdictStatus.Degraded, AlertEvents.Degraded)]
    [InlineData(null, VerdictStatus.Insufficient, null)]
    [InlineData(VerdictStatus.Insufficient, VerdictStatus.Ok, null)]
    [InlineData(VerdictStatus.Insufficient, VerdictStatus.Warning, null)]
    [InlineData(VerdictStatus.Insufficient, VerdictStatus.Degraded, AlertEvents.Degraded)]
    [InlineData(VerdictStatus.Insufficient, VerdictStatus.Improved, AlertEvents.Improved)]
    [InlineData(VerdictStatus.Ok, VerdictStatus.Insufficient, null)]
    [InlineData(VerdictStatus.Degraded, VerdictStatus.Insufficient, null)]
    [InlineData(VerdictStatus.Improved, VerdictStatus.Insufficient, null)]
    public void Only_a_change_between_normal_degraded_and_improved_raises_an_alert(VerdictStatus? previous, VerdictStatus current, string? expected) =>
        AlertEvents.ForVerdict(previous, current).ShouldBe(expected);

    [Fact]
    public void A_verdict_alert_carries_the_effect_interval_change_day_top_flips_fingerprint_and_link()
    {
        // Given a degraded verdict with eight flipped tasks
        var alert = Alert.ForVerdict(AlertEvents.Degraded, Verdict(VerdictStatus.Degraded, flips: 8), VerdictStatus.Ok,
            new AlertContext(At, 14, "entry", At, "https://dw.example/a/{agent}/{suite}/{run}"));

        // Then the text says all of it, the five top flips are kept, and the link is filled in
        alert.Title.ShouldBe("claude-code on core: DEGRADED (was ok)");
        alert.FlippedTasks.Count.ShouldBe(Alert.TopFlips);
        alert.DashboardUrl.ShouldBe("https://dw.example/a/claude-code/core/14");
        alert.Text.ShouldBe("""
            Driftwatch: claude-code on core: DEGRADED (was ok)
              effect: −12.5 pts since 2026-03-10 (95% CI −18.0 pts to −7.0 pts)
              pass rate: 62.0%, baseline 80.0%
              change began: 2026-03-10, alarm on 2026-03-12
              tasks that moved most: task-0 10/10 → 0/3; task-1 10/10 → 0/3; task-2 10/10 → 0/3; task-3 10/10 → 0/3; task-4 10/10 → 0/3
              changed around then: agent version 2.1.0 → 2.2.0
              run: 14
              schedule: entry, slot 2026-03-12 06:05 UTC
              dashboard: https://dw.example/a/claude-code/core/14
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void The_harness_changes_the_checker_names_reach_the_text_and_every_sink_format()
    {
        // Given a drop that came with a CLI release whose system prompt gained a line and whose
        // default effort fell, judged by the real checker
        var before = Fingerprints.FingerprintDiffTests.Run(version: "2.1.67");
        var after = Fingerprints.FingerprintDiffTests.Run(system: "You are an agent.\nBe helpful.\nKeep answers under 25 words.", effort: "medium", version: "2.1.68");
        var builder = new Detection.HistoryBuilder(50, seed: 5);
        var broken = Enumerable.Range(0, 50).Where(i => builder.Rates[i] > 0.7).Take(10).ToHashSet();
        var history = builder.Days(30, agentVersion: "2.1.67 (Claude Code)", harness: before.Fingerprint.Harness)
            .Days(12, (i, p) => broken.Contains(i) ? 0.05 : p, agentVersion: "2.1.68 (Claude Code)", harness: after.Fingerprint.Harness)
            .Build(before.Texts.Concat(after.Texts).DistinctBy(p => p.Key).ToDictionary());
        var verdict = Checker.Check(history, new CheckOptions { BaselineDays = 30, Detection = new DetectorOptions { CalibrationPaths = 200 } });
        verdict.Status.ShouldBe(VerdictStatus.Degraded);

        // When the verdict becomes an alert
        var alert = Alert.ForVerdict(AlertEvents.Degraded, verdict, VerdictStatus.Ok, new AlertContext(At));

        // Then the lines naming the system prompt and the effort change are in the text, the JSON, Slack and Discord
        var day = Detection.HistoryBuilder.Start.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var prompt = $"system prompt changed on {day} (agent 2.1.68 (Claude Code)): +1 line, −0 lines";
        var effort = $"output_config.effort: high → medium since {day} (agent 2.1.68 (Claude Code))";
        foreach (var line in new[] { prompt, effort })
        {
            alert.Text.ShouldContain($"changed around then: {line}");
            alert.ToJson().ShouldContain(line);
            AlertFormats.Slack(alert).ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
                .ShouldContain(line.Replace(">", "&gt;", StringComparison.Ordinal));
            AlertFormats.Discord(alert)["embeds"]![0]!["fields"]!.AsArray().ShouldContain(f => f!["value"]!.GetValue<string>() == line);
        }
    }

    [Fact]
    public void An_incomplete_run_alert_counts_the_errors_and_says_how_to_finish_the_run()
    {
        var run = new RunHeader
        {
            Id = 7, Agent = "codex", AgentKind = "codex", Synthetic = false, Suite = "core", SuiteRevision = "r", Status = RunStatus.Incomplete,
            StartedAt = At, Seed = 1, TrialsPerTask = 1, PlannedTrials = 40, SandboxMode = "bwrap",
            Summary = new RunSummary(40, 20, 10, 0, 10, 0),
        };

        var alert = Alert.ForIncompleteRun(run, new AlertContext(At));

        alert.Title.ShouldBe("codex on core: run 7 ended incomplete");
        alert.Text.ShouldContain("trials: 40 planned, 10 in infrastructure errors, 0 not run; pass rate of the scored ones 66.7%");
        alert.Text.ShouldContain("to finish it: driftwatch run --resume 7");
    }

    [Fact]
    public void The_generic_JSON_round_trips_and_has_every_documented_field_even_when_empty()
    {
        var alert = Alert.ForVerdict(AlertEvents.Recovered, Verdict(VerdictStatus.Ok), VerdictStatus.Degraded, new AlertContext(At));

        var json = System.Text.Json.Nodes.JsonNode.Parse(alert.ToJson())!.AsObject();
        var back = Alert.FromJson(alert.ToJson());

        foreach (var field in new[] { "event", "agent", "suite", "verdict", "previousVerdict", "effect", "low", "high", "changeDay", "alarmDay",
                     "flippedTasks", "fingerprintChanges", "runId", "dashboardUrl", "title", "text",
                     "suspectTrials", "fallbackTrials", "refusedTrials", "flags" })
            json.ContainsKey(field).ShouldBeTrue(field);
        json["runId"].ShouldBeNull();
        json["title"]!.GetValue<string>().ShouldBe("claude-code on core: back to ok (was degraded)");
        back.ToJson().ShouldBe(alert.ToJson());
        back.FlippedTasks.ShouldBe(alert.FlippedTasks);
        back.ChangeDay.ShouldBe(alert.ChangeDay);
    }

    [Fact]
    public void A_run_with_suspect_trials_raises_one_suspect_alert_with_the_count_and_the_first_flags_in_the_order_they_ran()
    {
        // Given a run whose seven trials touched the test machinery (one with two flags), stored out of order, and one plain pass
        var trials = Enumerable.Range(0, 7)
            .Select(i => Trial($"task-{i}", 7 - i, TrialOutcome.Error, "suspect", $"suspect:site-customisation t{i}/sitecustomize.py"))
            .Append(Trial("task-x", 0, TrialOutcome.Fail, null, "suspect:test-runner .driftwatch/a.py", "suspect:shadows-test-framework unittest.py"))
            .Append(Trial("task-ok", 8, TrialOutcome.Pass, null))
            .ToList();

        // When the finished run's flagged trials are turned into alerts
        var alert = Alert.ForFlaggedTrials(Run(), trials, new AlertContext(At, 9, "entry", At, "https://dw.example/runs/{run}")).ShouldHaveSingleItem();

        // Then it is a suspect-trials alert counting 8 trials, listing the first five flags by the order the trials ran
        alert.Event.ShouldBe(AlertEvents.SuspectTrials);
        (alert.SuspectTrials, alert.FallbackTrials, alert.RefusedTrials).ShouldBe((8, null, null));
        alert.Flags.Count.ShouldBe(Alert.TopFlags);
        alert.Flags[0].ShouldBe(new AlertFlag("task-x", 0, "fail", null, "suspect:test-runner .driftwatch/a.py"));
        alert.Flags[2].ShouldBe(new AlertFlag("task-6", 0, "error", "suspect", "suspect:site-customisation t6/sitecustomize.py"));
        alert.Text.ShouldBe("""
            Driftwatch: claude-code on core: run 9 had 8 trials whose change touched the test machinery
              suspect trials: 8 of 12: the change went for the tests; a pass among them is not counted (error suspect)
              flagged: task-x#0 fail: suspect:test-runner .driftwatch/a.py
              flagged: task-x#0 fail: suspect:shadows-test-framework unittest.py
              flagged: task-6#0 error (suspect): suspect:site-customisation t6/sitecustomize.py
              flagged: task-5#0 error (suspect): suspect:site-customisation t5/sitecustomize.py
              flagged: task-4#0 error (suspect): suspect:site-customisation t4/sitecustomize.py
              to see every flag: driftwatch show 9
              run: 9
              schedule: entry, slot 2026-03-12 06:05 UTC
              dashboard: https://dw.example/runs/9
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_served_by_a_fallback_model_or_refused_raises_one_model_fallback_alert_counting_each()
    {
        // Given a run with two trials served by a fallback model (one left out, one scored), one refusal, and a suspect one
        var trials = new[]
        {
            Trial("a", 0, TrialOutcome.Error, "model-fallback", "fallback:claude-opus-5-5→claude-sonnet-5-5"),
            Trial("b", 1, TrialOutcome.Pass, null, "fallback:claude-opus-5-5→claude-sonnet-5-5"),
            Trial("c", 2, TrialOutcome.Error, "refusal", "refusal"),
            Trial("d", 3, TrialOutcome.Error, "suspect", "suspect:tampered-at-runtime"),
        };

        // When they are turned into alerts
        var alerts = Alert.ForFlaggedTrials(Run(planned: 4), trials, new AlertContext(At, 9));

        // Then there is one alert of each event; the model-fallback one counts fallbacks and refusals and lists only their flags
        alerts.Select(a => a.Event).ShouldBe([AlertEvents.SuspectTrials, AlertEvents.ModelFallback]);
        var fallback = alerts[1];
        (fallback.SuspectTrials, fallback.FallbackTrials, fallback.RefusedTrials).ShouldBe((null, 2, 1));
        fallback.Flags.Select(f => f.Flag).ShouldBe(["fallback:claude-opus-5-5→claude-sonnet-5-5", "fallback:claude-opus-5-5→claude-sonnet-5-5", "refusal"]);
        fallback.Title.ShouldBe("claude-code on core: run 9 had 2 trials served by a fallback model and 1 trial refused");
        fallback.Text.ShouldContain("served by a fallback model: 2 of 4");
        fallback.Text.ShouldContain("refused: 1 of 4");
        fallback.Text.ShouldContain("flagged: c#0 error (refusal): refusal");
        AlertFormats.Colour(AlertEvents.SuspectTrials).ShouldBe(AlertFormats.Colour(AlertEvents.Degraded));
        AlertFormats.Colour(AlertEvents.ModelFallback).ShouldBe(AlertFormats.Colour(AlertEvents.Incomplete));
    }

    [Fact]
    public void A_run_whose_trials_carry_no_counted_flag_raises_no_flag_alert()
    {
        var trials = new[] { Trial("a", 0, TrialOutcome.Pass, null), Trial("b", 1, TrialOutcome.Fail, null, "something-new") };

        Alert.ForFlaggedTrials(Run(planned: 2), trials, new AlertContext(At, 9)).ShouldBeEmpty();
    }
}
