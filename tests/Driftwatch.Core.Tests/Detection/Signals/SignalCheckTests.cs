using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection.Signals;

public sealed class SignalCheckTests
{
    private static readonly CheckOptions Options = new() { BaselineDays = 30, Detection = new DetectorOptions { CalibrationPaths = 200 } };

    private static int DayOf(DateOnly day) => day.DayNumber - HistoryBuilder.Start.DayNumber + 1;

    [Fact]
    public void Output_tokens_dropping_a_third_with_the_pass_rate_unchanged_is_a_behaviour_warning_dated_near_the_change()
    {
        // Given 30 days, then 10 days on which every trial writes 34% fewer output tokens, pass rates unchanged
        var history = new HistoryBuilder(50, seed: 3).Days(30, tokens: 1).Days(10, tokens: 0.66).Build();

        // When it is checked
        var verdict = Checker.Check(history, Options);

        // Then the verdict warns because of output tokens alone, which moved down by about a third from day 31
        verdict.Status.ShouldBe(VerdictStatus.Warning);
        verdict.TriggeredBy.ShouldBe(["outputTokens"]);
        var tokens = verdict.Signals.Single(s => s.Signal == "outputTokens");
        tokens.Status.ShouldBe(VerdictStatus.Warning);
        tokens.Kind.ShouldBe(SignalKind.Behaviour);
        tokens.Direction.ShouldBe("down");
        tokens.Relative.ShouldBeTrue();
        DayOf(tokens.ChangeDay!.Value).ShouldBeInRange(30, 32);
        DayOf(tokens.AlarmDay!.Value).ShouldBeInRange(31, 33);
        // and the change is told on the tokens themselves, not on the detection scale: this seeded
        // history's own ratio of means (−31%; the model's −34% plus its noise) lies inside the interval
        var observed = tokens.RecentValue!.Value / tokens.BaselineValue!.Value - 1;
        tokens.Change!.Value.ShouldBe(-0.34, 0.06);
        tokens.Low!.Value.ShouldBeLessThan(observed);
        tokens.High!.Value.ShouldBeGreaterThan(observed);
        tokens.High!.Value.ShouldBeLessThan(-0.2);
        tokens.Days.Count.ShouldBe(40);
        verdict.BaselineDays.ShouldBe(24);
        tokens.Days.Take(24).ShouldAllBe(d => d.Down == null && d.Up == null);
        tokens.Days[^1].BandLow!.Value.ShouldBeGreaterThan(tokens.Days[^1].Value);
    }

    [Fact]
    public void A_relative_change_is_told_on_the_values_not_on_the_detection_scale()
    {
        // Given 30 tasks writing 300 to 1,500 output tokens, 34% fewer from day 31 (little noise, so
        // that the detection scale's offset — half the smallest baseline value — would show)
        var rng = new Driftwatch.Core.Statistics.Rng(8);
        var levels = Enumerable.Range(0, 30).Select(i => 300.0 + 40 * i).ToArray();
        var runs = Enumerable.Range(0, 45).Select(d =>
        {
            var trials = levels.Select((_, i) => ($"task-{i:00}", rng.NextDouble() < 0.7 ? Driftwatch.Core.Runs.TrialOutcome.Pass : Driftwatch.Core.Runs.TrialOutcome.Fail)).ToList();
            var metrics = levels.Select((level, i) => new TrialMetricValues($"task-{i:00}", 0, Core.Metrics.MetricDictionary.Of(
                [new("outputTokens", Math.Round(level * (d >= 30 ? 0.66 : 1) * Math.Exp(0.1 * rng.NextNormal())))]))).ToList();
            return new HistoryRun(d + 1, HistoryBuilder.Start.AddDays(d), "rev", "{}", new Driftwatch.Core.Runs.RunFingerprint(), trials) { Metrics = metrics };
        }).ToList();

        // When it is checked
        var tokens = Checker.Check(new History("agent", "suite", runs), Options).Signals.Single(s => s.Signal == "outputTokens");

        // Then the change is −34%, inside its interval (on the log(x + c) scale it read about −29%)
        tokens.Change!.Value.ShouldBe(-0.34, 0.02);
        tokens.Low!.Value.ShouldBeLessThan(-0.34);
        tokens.High!.Value.ShouldBeGreaterThan(-0.34);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_relative_change_seen_on_a_few_days_has_an_interval_that_covers_it(int daysAfter)
    {
        // Given 300 histories of 30 tasks, 30 baseline days and a few days after a −34% change,
        // trial noise 0.2 and a day effect of 0.05 on the log scale
        var covered = 0;
        for (var seed = 0; seed < 300; seed++)
        {
            var rng = new Driftwatch.Core.Statistics.Rng((ulong)seed + 100);
            var tasks = Enumerable.Range(0, 30).ToArray();
            var levels = tasks.Select(i => 300.0 + 40 * i).ToArray();
            SignalSample Day(double factor)
            {
                var u = 0.05 * rng.NextNormal();
                double[] raw = [.. levels.Select(level => level * factor * Math.Exp(u + 0.2 * rng.NextNormal()))];
                return new SignalSample(default, tasks, raw, raw);
            }
            var before = Enumerable.Range(0, 30).Select(_ => Day(1)).ToList();
            var after = Enumerable.Range(0, daysAfter).Select(_ => Day(0.66)).ToList();
            var means = tasks.Select(i => before.Average(d => d.Raw[i])).ToArray();

            // When the change is told
            var (_, low, high) = SignalMonitor.RelativeChange(means, before, after);

            if (Math.Log(0.66) >= low && Math.Log(0.66) <= high)
                covered++;
        }

        // Then its 95% interval covers the true change in about 95% of them (not fewer than 90%)
        (covered / 300.0).ShouldBeGreaterThanOrEqualTo(0.9);
    }

    [Fact]
    public void A_stable_history_with_metrics_is_ok_and_its_signal_quiet()
    {
        // Given 45 days in which nothing changes, tokens included
        var history = new HistoryBuilder(50, seed: 3).Days(45, tokens: 1).Build();

        // When it is checked
        var verdict = Checker.Check(history, Options);

        // Then nothing alarmed: the signal is watched, quiet, under its limit
        verdict.Status.ShouldBe(VerdictStatus.Ok);
        verdict.TriggeredBy.ShouldBeEmpty();
        var tokens = verdict.Signals.ShouldHaveSingleItem();
        tokens.Watched.ShouldBeTrue();
        tokens.Status.ShouldBe(VerdictStatus.Ok);
        tokens.AlarmDay.ShouldBeNull();
        tokens.Statistic!.Value.ShouldBeLessThan(tokens.Threshold!.Value);
    }

    [Fact]
    public void A_history_without_metrics_keeps_the_whole_budget_for_the_pass_rate_and_with_a_signal_its_limit_rises()
    {
        // Given the same outcomes once without and once with output tokens (metrics have their own random stream)
        var bare = new HistoryBuilder(50, seed: 5).Days(40).Build();
        var withTokens = new HistoryBuilder(50, seed: 5).Days(40, tokens: 1).Build();

        // When both are checked, and the second also with signals switched off
        var before = Checker.Check(bare, Options);
        var off = Checker.Check(withTokens, Options with { Signals = new SignalOptions { Enabled = false } });
        var after = Checker.Check(withTokens, Options);

        // Then without metrics the verdict is the pass rate's alone, with all of the ARL0, and the same as with signals off
        before.Signals.ShouldBeEmpty();
        before.Arl0.ShouldBe(365);
        before.PassRateArl0.ShouldBe(365);
        off.Threshold.ShouldBe(before.Threshold);
        off.Status.ShouldBe(before.Status);
        off.Trace.ShouldBe(before.Trace);
        // and with one watched signal the pass rate has half the alarm rate (ARL0 730), so a higher limit
        after.PassRateArl0.ShouldBe(730);
        after.Signals.Single().Arl0.ShouldBe(730);
        after.Threshold!.Value.ShouldBeGreaterThan(before.Threshold!.Value);
    }

    [Fact]
    public void The_alarm_rates_of_the_pass_rate_and_the_watched_signals_add_up_to_the_verdicts()
    {
        // Given a history with two signals
        var builder = new HistoryBuilder(30, seed: 8).Days(20, tokens: 1);
        var history = Merge(builder.Build(), new HistoryBuilder(30, seed: 8).Days(20, tokens: 1, metric: "costUsd").Build());

        // When it is checked with an ARL0 of 200 days
        var verdict = Checker.Check(history, Options with { Detection = Options.Detection with { Arl0 = 200 } });

        // Then 1/ARL0 = 1/ARL0(pass rate) + Σ 1/ARL0(signal), the pass rate with half
        verdict.Signals.Count.ShouldBe(2);
        verdict.Signals.ShouldAllBe(s => s.Watched);
        (1 / verdict.PassRateArl0 + verdict.Signals.Sum(s => 1 / s.Arl0)).ShouldBe(1 / 200.0, 1e-12);
        verdict.PassRateArl0.ShouldBe(400);
    }

    [Fact]
    public void A_cost_that_rises_degrades_the_verdict_and_names_the_cost()
    {
        // Given 30 days, then 8 days on which every trial costs 60% more
        var history = new HistoryBuilder(40, seed: 11).Days(30, tokens: 1, metric: "costUsd").Days(8, tokens: 1.6, metric: "costUsd").Build();

        // When it is checked
        var verdict = Checker.Check(history, Options);

        // Then it is degraded by the cost, whose change is up by about 60%
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        verdict.TriggeredBy.ShouldBe(["costUsd"]);
        var cost = verdict.Signals.Single();
        cost.Kind.ShouldBe(SignalKind.Cost);
        cost.Direction.ShouldBe("up");
        cost.Change!.Value.ShouldBe(0.6, 0.1);
    }

    [Fact]
    public void A_cost_that_falls_alone_is_an_improvement()
    {
        var history = new HistoryBuilder(40, seed: 11).Days(30, tokens: 1, metric: "costUsd").Days(8, tokens: 0.5, metric: "costUsd").Build();

        var verdict = Checker.Check(history, Options);

        verdict.Status.ShouldBe(VerdictStatus.Improved);
        verdict.TriggeredBy.ShouldBe(["costUsd"]);
    }

    [Fact]
    public void A_signal_with_too_few_baseline_values_is_not_watched_takes_no_budget_and_says_why()
    {
        // Given tokens recorded only on the monitored days
        var history = new HistoryBuilder(50, seed: 3).Days(30).Days(10, tokens: 0.5).Build();

        // When it is checked
        var verdict = Checker.Check(history, Options);

        // Then the signal is listed as not watched, with its reason, and the pass rate keeps the whole budget
        var tokens = verdict.Signals.ShouldHaveSingleItem();
        tokens.Watched.ShouldBeFalse();
        tokens.NotWatchedReason.ShouldNotBeNull();
        tokens.Arl0.ShouldBe(0);
        tokens.Status.ShouldBe(VerdictStatus.Ok);
        verdict.PassRateArl0.ShouldBe(365);
        verdict.TriggeredBy.ShouldNotContain("outputTokens");
    }

    [Fact]
    public void A_pass_rate_drop_together_with_a_token_change_is_degraded_by_the_pass_rate_and_names_both()
    {
        // Given ten always-passing tasks that fail from day 31, and output tokens down 40% from then too
        var builder = new HistoryBuilder(50, seed: 5);
        var broken = Enumerable.Range(0, 50).Where(i => builder.Rates[i] > 0.7).Take(10).ToHashSet();
        var history = builder.Days(30, tokens: 1).Days(10, (i, p) => broken.Contains(i) ? 0.05 : p, tokens: 0.6).Build();

        // When it is checked
        var verdict = Checker.Check(history, Options);

        // Then correctness degrades it; the behaviour change is named after it
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        verdict.TriggeredBy.ShouldBe([SignalStatus.PassRate]);
        verdict.Signals.Single().Status.ShouldBe(VerdictStatus.Warning);
    }

    [Fact]
    public void A_value_fixed_per_task_has_no_spread_and_is_not_watched()
    {
        // Given input tokens that are the same for every trial of a task (a fixed prompt), then change
        var history = new HistoryBuilder(50, seed: 3).Days(30, tokens: 1).Build();
        history = history with
        {
            Runs = [.. history.Runs.Select((r, d) => r with
            {
                Metrics = [.. r.Metrics.Select(m => m with { Metrics = Core.Metrics.MetricDictionary.Of([new("inputTokens", 1000.0 + 10 * m.TaskId.GetHashCode(StringComparison.Ordinal) % 7 + (d >= 24 ? 1 : 0))]) })],
            })],
        };

        // When it is checked
        var verdict = Checker.Check(history, Options);

        // Then it is listed as not watched for want of spread, and alarms nothing
        var input = verdict.Signals.ShouldHaveSingleItem();
        input.Watched.ShouldBeFalse();
        input.NotWatchedReason.ShouldBe("no spread in the baseline");
        verdict.TriggeredBy.ShouldNotContain("inputTokens");
    }

    private static History Merge(History a, History b) => a with
    {
        Runs = [.. a.Runs.Zip(b.Runs, (x, y) => x with { Metrics = [.. x.Metrics.Zip(y.Metrics, (m, n) => m with { Metrics = Core.Metrics.MetricDictionary.Of([.. m.Metrics, .. n.Metrics]) })] })],
    };
}
