using Driftwatch.Core.Detection;
using Driftwatch.Core.Simulation;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

public sealed class ConsecutiveLowDaysDetectorTests
{
    private static readonly DetectorOptions Options = new() { Arl0 = 365 };

    [Fact]
    public void It_is_found_by_its_name()
    {
        DetectorCatalog.Find("last-days").ShouldBeOfType<ConsecutiveLowDaysDetector>();
    }

    [Theory]
    [InlineData(1, 365)]
    [InlineData(3, 365)]
    [InlineData(5, 100)]
    public void The_daily_share_of_low_days_makes_runs_of_K_as_rare_as_the_budget(int k, double arl0)
    {
        // When the share q of low days is chosen for K days in a row and the budget
        var q = ConsecutiveLowDaysDetector.LowDayProbability(k, arl0);

        // Then the mean wait for K low days in a row, (1 − q^K) / ((1 − q) q^K), is the budget
        var wait = (1 - Math.Pow(q, k)) / ((1 - q) * Math.Pow(q, k));
        wait.ShouldBe(arl0, arl0 * 1e-6);
    }

    [Fact]
    public void It_alarms_on_the_Kth_low_day_in_a_row_and_a_normal_day_starts_the_count_again()
    {
        // Given a run with K = 3 and the budget's cut-off
        var detector = new ConsecutiveLowDaysDetector(days: 3);
        var limits = detector.Limits(Calibration());
        var run = detector.Start(Context(), limits);
        var low = new DayEvidence(-2.5, 0);
        var normal = new DayEvidence(0, 0);

        // When days come low, low, normal, low, low, low
        var steps = new[] { low, low, normal, low, low, low }.Select(e => run.Observe(Day(), e).Down).ToList();

        // Then only the sixth day is above the limit
        steps.Select(s => s > limits.Down).ShouldBe([false, false, false, false, false, true]);
    }

    [Fact]
    public void Better_days_in_a_row_count_towards_improved()
    {
        var detector = new ConsecutiveLowDaysDetector(days: 2);
        var limits = detector.Limits(Calibration());
        var run = detector.Start(Context(), limits);

        run.Observe(Day(), new DayEvidence(2.5, 0));
        var second = run.Observe(Day(), new DayEvidence(2.5, 0));

        second.Up.ShouldBeGreaterThan(limits.Up);
        second.Down.ShouldBe(0);
    }

    [Fact]
    public void A_day_just_inside_the_cut_off_is_not_low()
    {
        // Given the cut-off c for K = 3 at an ARL0 of 365 (a low day is z < −c)
        var cutoff = ConsecutiveLowDaysDetector.Cutoff(3, 365);
        var detector = new ConsecutiveLowDaysDetector(days: 3);
        var run = detector.Start(Context(), detector.Limits(Calibration()));

        // Then a day just above −c does not count, one just below does
        run.Observe(Day(), new DayEvidence(-cutoff + 0.01, 0)).Down.ShouldBe(0);
        run.Observe(Day(), new DayEvidence(-cutoff - 0.01, 0)).Down.ShouldBe(1);
        cutoff.ShouldBeInRange(1.0, 1.1);
    }

    [Fact]
    public void K_must_be_at_least_one()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new ConsecutiveLowDaysDetector(days: 0));
    }

    [Fact]
    public void Check_finds_a_large_drop_with_it()
    {
        // Given 30 good days, then 10 days at 60% of every task's rate
        var history = new HistoryBuilder(50, seed: 5).Days(30).Days(10, (_, p) => p * 0.6).Build();

        // When it is checked with the consecutive-low-days detector
        var verdict = Checker.Check(history, new CheckOptions { Detector = DetectorCatalog.Find("last-days"), BaselineDays = 30 });

        // Then it is degraded, by that detector, within the first days of the drop
        verdict.Detector.ShouldBe("last-days");
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        (verdict.AlarmDay!.Value.DayNumber - HistoryBuilder.Start.DayNumber + 1).ShouldBeInRange(31, 35);
    }

    [Fact]
    public void Its_false_alarms_on_the_reference_model_are_rarer_than_the_budget_but_within_a_factor_of_two_and_a_half()
    {
        // Given the benchmark's null scenario with fitted 30-day baselines and a budget of 100 days
        var options = new SimulationOptions
        {
            Scenarios = [Scenario.Null],
            NullReps = 800,
            NullCap = 1000,
            Seed = 11,
            Detectors = [DetectorCatalog.Find("last-days")],
            Detector = new DetectorOptions { Arl0 = 100 },
        };

        // When it runs
        var result = DetectorBenchmark.Run(options).Single();

        // Then false alarms are rarer than designed, not more frequent: the normal cut-off is
        // conservative for discrete daily totals (measured in docs/detection.md), and it is not
        // so conservative that the budget stops meaning anything
        result.Arl0!.Value.ShouldBeInRange(100, 250);
    }

    private static DayCounts Day() => new(default, [1], [1]);

    private static DetectorContext Context() => new(Baseline.Of([0.5]), [], Options);

    private static DetectorCalibration Calibration() =>
        new(Baseline.Of([0.5]), Options, () => throw new InvalidOperationException("this detector needs no simulation"));
}
