using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;
using Driftwatch.Core.Statistics;
using FsCheck;
using FsCheck.Xunit;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection.Signals;

public sealed class SignalStatisticsTests
{
    /// <summary>Days of a signal on the detection scale: task levels, a day effect of SD ω, trial noise of SD σ.</summary>
    private static List<SignalSample> Days(int days, int tasks, double sigma, double omega, ulong seed, int start = 0)
    {
        var rng = new Rng(seed);
        var levels = Enumerable.Range(0, tasks).Select(i => new Rng(1000 + (ulong)i).NextNormal() * 2).ToArray();
        return
        [
            .. Enumerable.Range(start, days).Select(d =>
            {
                var u = omega * rng.NextNormal();
                var values = Enumerable.Range(0, tasks).Select(i => levels[i] + u + sigma * rng.NextNormal()).ToArray();
                return new SignalSample(DateOnly.FromDayNumber(740000 + d), [.. Enumerable.Range(0, tasks)], values, values);
            }),
        ];
    }

    [Fact]
    public void The_baseline_fit_recovers_the_trial_spread_and_the_day_effect_apart()
    {
        // Given 120 days of 50 tasks with σ = 0.4 within a day and a day effect of ω = 0.1
        var days = Days(120, 50, 0.4, 0.1, seed: 7);

        // When the baseline is fitted
        var fitted = SignalBaseline.Fit(days, 50);

        // Then both spreads come back, and a day's mean has variance σ²/n + ω²
        fitted.WithinSd.ShouldBe(0.4, 0.02);
        fitted.DayEffectSd.ShouldBe(0.1, 0.025);
        fitted.DaySd(50).ShouldBe(Math.Sqrt(fitted.WithinSd * fitted.WithinSd / 50 + fitted.DayEffectSd * fitted.DayEffectSd), 1e-12);
    }

    [Fact]
    public void Without_a_day_effect_the_fit_finds_little_of_one()
    {
        var fitted = SignalBaseline.Fit(Days(120, 50, 0.4, 0, seed: 9), 50);

        fitted.DayEffectSd.ShouldBeLessThan(0.03);
    }

    [Fact]
    public void A_calibrated_limit_holds_its_false_alarm_budget_in_fresh_null_runs()
    {
        // Given a 30-day baseline with a day effect, and a limit calibrated for an ARL0 of 150 days
        var baseline = Days(30, 40, 0.5, 0.05, seed: 3);
        var fitted = SignalBaseline.Fit(baseline, 40);
        var tasks = Enumerable.Range(0, 40).ToArray();
        var limit = SignalCalibrator.Calibrate(fitted, baseline, [tasks], arl0: 150, referenceValue: 1, Average, seed: 1).Value;

        // When null days are drawn from the baseline model (with other seeds) and watched with the fitted baseline
        var model = new SignalCalibrator.Model(fitted, baseline);
        var runLengths = new List<int>();
        for (var path = 0; path < 400; path++)
        {
            var rng = Rng.Derive(99, path);
            double down = 0, up = 0;
            var t = 0;
            while (t < 3000)
            {
                t++;
                var z = fitted.Evidence(model.Draw(tasks, rng), 3);
                down = Math.Max(0, down - z - 1);
                up = Math.Max(0, up + z - 1);
                if (Math.Max(down, up) > limit)
                    break;
            }
            runLengths.Add(t);
        }

        // Then the mean days to a false alarm is near 150 (the calibration also allows for refitting, so it errs long)
        runLengths.Average().ShouldBeInRange(100, 300);
    }

    private static readonly DetectorOptions Average = new() { Guarantee = 0, EvidenceClip = 3, CalibrationPaths = 300 };

    [Fact]
    public void The_guarantee_keeps_baselines_that_erred_from_alarming_within_weeks()
    {
        // Given 200 baselines of 30 days drawn from one world (within-day spread 0.5, day effect 0.05,
        // 20 tasks), each calibrated for an ARL0 of 100 days on average and with the guarantee at 0.75
        var truth = Days(30, 20, 0.5, 0.05, seed: 1);
        var tasks = Enumerable.Range(0, 20).ToArray();
        var world = new SignalCalibrator.Model(SignalBaseline.Fit(Days(400, 20, 0.5, 0.05, seed: 2), 20), truth);
        int FirstAlarm(SignalBaseline fitted, double limit, int replicate)
        {
            var rng = Rng.Derive(77, replicate);
            double down = 0, up = 0;
            for (var t = 1; t <= 600; t++)
            {
                var z = fitted.Evidence(world.Draw(tasks, rng), 6);
                down = Math.Max(0, down - z - 1);
                up = Math.Max(0, up + z - 1);
                if (Math.Max(down, up) > limit)
                    return t;
            }
            return 601;
        }
        var onAverage = new List<int>();
        var guaranteed = new List<int>();
        var margins = new List<double>();
        for (var replicate = 0; replicate < 200; replicate++)
        {
            var rng = Rng.Derive(5, replicate);
            var baseline = Enumerable.Range(0, 30).Select(_ => world.Draw(tasks, rng)).ToList();
            var fitted = SignalBaseline.Fit(baseline, 20);
            var options = new DetectorOptions { Guarantee = 0, CalibrationPaths = 100, CalibrationCap = 600 };
            var average = SignalCalibrator.Calibrate(fitted, baseline, [tasks], 100, 1, options, (ulong)replicate);
            var sure = SignalCalibrator.Calibrate(fitted, baseline, [tasks], 100, 1, options with { Guarantee = 0.75 }, (ulong)replicate);
            average.Margin.ShouldBe(0);
            margins.Add(sure.Margin);
            onAverage.Add(FirstAlarm(fitted, average.Value, replicate));
            guaranteed.Add(FirstAlarm(fitted, sure.Value, replicate));
        }

        // Then the guarantee raised every limit by a margin, and far fewer baselines alarm in their first 30 days
        margins.ShouldAllBe(m => m >= 0);
        margins.Average().ShouldBeGreaterThan(0.1);
        var early = onAverage.Count(t => t <= 30) / 200.0;
        var earlyGuaranteed = guaranteed.Count(t => t <= 30) / 200.0;
        earlyGuaranteed.ShouldBeLessThan(early * 0.6);
        guaranteed.Average().ShouldBeGreaterThan(onAverage.Average());
    }

    [Property(MaxTest = 200)]
    public void The_budget_split_adds_up_to_the_verdicts_ARL0(PositiveInt days, byte signals, byte share)
    {
        var arl0 = 10.0 + days.Get % 5000;
        var passShare = 0.05 + 0.9 * share / 255.0;
        var count = signals % 12;

        var budget = FalseAlarmBudget.Split(arl0, count, passShare);

        budget.Recombined.ShouldBe(arl0, arl0 * 1e-9);
        if (count == 0)
            budget.PassRate.ShouldBe(arl0);
        else
            (1 / budget.PassRate).ShouldBe(passShare / arl0, 1e-12);
    }

    [Property(MaxTest = 200)]
    public void The_log_scale_is_finite_at_zero_and_keeps_order(NonNegativeInt a, NonNegativeInt b, PositiveInt smallest)
    {
        var scale = SignalScale.For(true, [smallest.Get, smallest.Get * 3.0])!.Value;

        double.IsFinite(scale.Of(0)).ShouldBeTrue();
        (scale.Of(a.Get) <= scale.Of(b.Get)).ShouldBe(a.Get <= b.Get);
    }

    [Fact]
    public void A_relative_signal_without_a_positive_baseline_value_has_no_scale()
    {
        SignalScale.For(true, [0, 0, 0]).ShouldBeNull();
        SignalScale.For(false, [0, 0]).ShouldBe(new SignalScale(false, 0));
    }

    [Property(MaxTest = 300)]
    public void Evidence_is_clipped_whatever_the_day(NormalFloat shift)
    {
        var baseline = Days(20, 10, 0.3, 0, seed: 4);
        var fitted = SignalBaseline.Fit(baseline, 10);
        var day = baseline[0] with { Values = [.. baseline[0].Values.Select(v => v + shift.Get)] };

        Math.Abs(fitted.Evidence(day, 3)).ShouldBeLessThanOrEqualTo(3);
    }

    [Fact]
    public void A_shift_of_every_trial_is_estimated_with_an_interval_that_holds_it()
    {
        // Given a baseline and ten days later shifted by −0.4 on the detection scale
        var baseline = Days(30, 50, 0.4, 0.05, seed: 12);
        var fitted = SignalBaseline.Fit(baseline, 50);
        var after = Days(10, 50, 0.4, 0.05, seed: 13, start: 30).Select(d => d with { Values = [.. d.Values.Select(v => v - 0.4)] }).ToList();

        // When the change is estimated
        var (value, low, high) = SignalMonitor.Change(fitted, baseline, after);

        // Then it is near −0.4 and the interval holds it
        value.ShouldBe(-0.4, 0.08);
        low.ShouldBeLessThan(-0.4);
        high.ShouldBeGreaterThan(-0.4);
    }

    [Theory]
    [InlineData(VerdictStatus.Ok, "Degraded", "Warning", "Degraded", "cost")]
    [InlineData(VerdictStatus.Degraded, "Ok", "Warning", "Degraded", "passRate")]
    [InlineData(VerdictStatus.Ok, "Ok", "Warning", "Warning", "tokens")]
    [InlineData(VerdictStatus.Improved, "Ok", "Warning", "Warning", "tokens")]
    [InlineData(VerdictStatus.Ok, "Improved", "Ok", "Improved", "cost")]
    [InlineData(VerdictStatus.Improved, "Improved", "Ok", "Improved", "passRate,cost")]
    [InlineData(VerdictStatus.Ok, "Ok", "Ok", "Ok", "")]
    public void The_status_is_the_worst_of_degraded_then_warning_then_improved(VerdictStatus passRate, string cost, string tokens, string expected, string triggeredBy)
    {
        SignalVerdict Signal(string name, string status, SignalKind kind) => new()
        {
            Signal = name, Label = name, Kind = kind, Polarity = SignalPolarity.HigherIsWorse, Unit = "x",
            Status = Enum.Parse<VerdictStatus>(status),
        };

        var (status, by) = SignalStatus.Combine(passRate, [Signal("cost", cost, SignalKind.Cost), Signal("tokens", tokens, SignalKind.Behaviour)]);

        status.ShouldBe(Enum.Parse<VerdictStatus>(expected));
        string.Join(',', by).ShouldBe(triggeredBy);
    }
}
