using Driftwatch.Core.Detection;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

public sealed class CheckerTests
{
    private static readonly CheckOptions Options = new() { Detection = new DetectorOptions { CalibrationPaths = 200 } };

    [Fact]
    public void A_stable_agent_is_ok()
    {
        var history = new HistoryBuilder(50, seed: 3).Days(45).Build();

        var verdict = Checker.Check(history, Options);

        verdict.Status.ShouldBeOneOf(VerdictStatus.Ok, VerdictStatus.Warning);
        verdict.BaselineDays.ShouldBe(27);
        verdict.MonitoredDays.ShouldBe(18);
        verdict.ChangeDay.ShouldBeNull();
    }

    [Fact]
    public void A_drop_is_degraded_dated_explained_and_attributed()
    {
        // Given 30 good days, then a new agent version with which ten tasks that used to pass fail
        var builder = new HistoryBuilder(50, seed: 5);
        var broken = Enumerable.Range(0, 50).Where(i => builder.Rates[i] > 0.7).Take(10).ToHashSet();
        var history = builder.Days(30)
            .Days(12, (i, p) => broken.Contains(i) ? 0.05 : p, agentVersion: "2.0")
            .Build();

        // When it is checked
        var verdict = Checker.Check(history, Options with { BaselineDays = 30 });

        // Then it is degraded, the change is dated near day 31, and the evidence points at the cause
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        var changeDay = verdict.ChangeDay!.Value.DayNumber - HistoryBuilder.Start.DayNumber + 1;
        changeDay.ShouldBeInRange(29, 33);
        verdict.AlarmDay!.Value.ShouldBeGreaterThanOrEqualTo(verdict.ChangeDay.Value);
        verdict.Effect!.Value.ShouldBeLessThan(-0.1);
        verdict.High!.Value.ShouldBeLessThan(0);
        verdict.FlippedTasks.Count.ShouldBeGreaterThanOrEqualTo(5);
        var brokenIds = broken.Select(builder.TaskId).ToHashSet();
        verdict.FlippedTasks.Select(f => f.Task).ShouldBeSubsetOf(brokenIds);
        verdict.FingerprintChanges.ShouldContain(c => c.StartsWith("agent version: 1.0 → 2.0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_the_baseline_never_recorded_is_not_told_as_the_value_none()
    {
        // Given baseline runs stored before the sandbox was recorded, then runs with the sandbox off and a drop
        var builder = new HistoryBuilder(50, seed: 5);
        var broken = Enumerable.Range(0, 50).Where(i => builder.Rates[i] > 0.7).Take(10).ToHashSet();
        var history = builder.Days(30, sandbox: null)
            .Days(12, (i, p) => broken.Contains(i) ? 0.05 : p, sandbox: "none")
            .Build();

        // When it is checked
        var verdict = Checker.Check(history, Options with { BaselineDays = 30 });

        // Then the sandbox line says the baseline had no value, not that "none" became "none"
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        verdict.FingerprintChanges.ShouldContain(c => c.StartsWith("sandbox: not recorded → none", StringComparison.Ordinal));
        verdict.FingerprintChanges.ShouldNotContain(c => c.StartsWith("sandbox: none → none", StringComparison.Ordinal));
    }

    [Fact]
    public void A_drop_that_came_with_a_harness_change_names_what_the_harness_sent_differently()
    {
        // Given 30 days under one harness, then a CLI release whose system prompt gains a line and
        // whose default effort falls, with which ten tasks that used to pass fail
        var before = Fingerprints.FingerprintDiffTests.Run(version: "2.1.67");
        var after = Fingerprints.FingerprintDiffTests.Run(system: "You are an agent.\nBe helpful.\nKeep answers under 25 words.", effort: "medium", version: "2.1.68");
        var builder = new HistoryBuilder(50, seed: 5);
        var broken = Enumerable.Range(0, 50).Where(i => builder.Rates[i] > 0.7).Take(10).ToHashSet();
        var history = builder.Days(30, agentVersion: "2.1.67 (Claude Code)", harness: before.Fingerprint.Harness)
            .Days(12, (i, p) => broken.Contains(i) ? 0.05 : p, agentVersion: "2.1.68 (Claude Code)", harness: after.Fingerprint.Harness)
            .Build(before.Texts.Concat(after.Texts).DistinctBy(p => p.Key).ToDictionary());

        // When it is checked
        var verdict = Checker.Check(history, Options with { BaselineDays = 30 });

        // Then the verdict names the system prompt line and the effort change, with the day and the CLI version
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        var day = HistoryBuilder.Start.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        verdict.FingerprintChanges.ShouldContain($"system prompt changed on {day} (agent 2.1.68 (Claude Code)): +1 line, −0 lines");
        verdict.FingerprintChanges.ShouldContain($"output_config.effort: high → medium since {day} (agent 2.1.68 (Claude Code))");
        verdict.FingerprintChanges.ShouldNotContain(c => c.StartsWith("tools", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rise_is_improved()
    {
        var builder = new HistoryBuilder(50, seed: 8);
        var history = builder.Days(30).Days(12, (_, p) => p is > 0.2 and < 0.8 ? 0.97 : p).Build();

        Checker.Check(history, Options).Status.ShouldBe(VerdictStatus.Improved);
    }

    [Fact]
    public void A_short_history_is_insufficient_never_ok()
    {
        var verdict = Checker.Check(new HistoryBuilder(20).Days(5).Build(), Options);

        verdict.Status.ShouldBe(VerdictStatus.Insufficient);
        verdict.Note.ShouldBe(new VerdictNote(VerdictReason.NotEnoughHistory, Days: 5, DaysNeeded: CheckOptions.MinimumDays));
    }

    [Fact]
    public void A_new_suite_revision_starts_a_new_baseline()
    {
        // Given a drop to half the pass rate that came with a new suite revision (a declared change)
        var builder = new HistoryBuilder(50, seed: 6);
        var history = builder.Days(30).Days(20, (_, p) => p * 0.5, revision: "rev2").Build();

        // When it is checked
        var verdict = Checker.Check(history, Options);

        // Then only the new revision's days are judged, against a baseline of their own
        verdict.BaselineFrom.ShouldBe(HistoryBuilder.Start.AddDays(30));
        verdict.BaselineDays.ShouldBe(12);
        verdict.BaselinePassRate!.Value.ShouldBeLessThan(0.4);
        verdict.Effect!.Value.ShouldBeGreaterThan(-0.2);
    }

    [Fact]
    public void The_trackers_rule_can_be_chosen_for_comparison()
    {
        var builder = new HistoryBuilder(50, seed: 5);
        var history = builder.Days(30).Days(10, (_, p) => p * 0.6).Build();

        var verdict = Checker.Check(history, Options with { Detector = DetectorCatalog.TrackerWindows });

        verdict.Detector.ShouldBe("tracker-windows");
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
    }

    [Fact]
    public void Adaptive_trials_come_from_the_baseline()
    {
        var builder = new HistoryBuilder(20, seed: 2);
        var history = builder.Days(20).Build();
        var ids = Enumerable.Range(0, 20).Select(builder.TaskId).ToList();

        var trials = Checker.AdaptiveTrials(history, ids, budget: 40, day: HistoryBuilder.Start.AddDays(25), Options)!;

        trials.Values.Sum().ShouldBe(40);
        Checker.AdaptiveTrials(new HistoryBuilder(20).Days(3).Build(), ids, 40, HistoryBuilder.Start, Options).ShouldBeNull();
    }
}
