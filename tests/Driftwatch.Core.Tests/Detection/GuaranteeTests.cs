using Driftwatch.Core.Detection;
using Driftwatch.Core.Simulation;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

/// <summary>
/// The false-alarm guarantee for the baseline actually observed (guaranteed conditional
/// performance, Gandy &amp; Kvaløy 2013): limits calibrated on average over baselines let the
/// unlucky ones alarm within weeks; the guarantee raises the limits by the spread of the bootstrap
/// replicates' own limits.
/// </summary>
public sealed class GuaranteeTests
{
    [Theory]
    // Textbook CUSUM run lengths for standard normal increments with reference k = 0.5 and limit h = 4:
    // 336 days in control, 8.38 after a one-standard-deviation shift (Montgomery, Table 9.3).
    [InlineData(-0.5, 336, 6)]
    [InlineData(0.5, 8.38, 0.3)]
    public void Siegmunds_approximation_gives_the_textbook_run_lengths(double drift, double expected, double tolerance)
    {
        ThresholdCalibrator.SiegmundArl(4, drift, 1).ShouldBe(expected, tolerance);
    }

    [Fact]
    public void Identical_replicates_need_no_margin_and_spread_ones_need_more_with_more_confidence()
    {
        var same = Enumerable.Repeat((Drift: -0.3, Sd: 1.0), 200).ToList();
        ThresholdCalibrator.GuaranteeMargin(same, 365, 3000, 0.7).ShouldBe(0, 1e-4);

        var rng = new Driftwatch.Core.Statistics.Rng(5);
        var spread = Enumerable.Range(0, 400).Select(_ => (Drift: -0.3 + 0.18 * rng.NextNormal(), Sd: 1.0)).ToList();
        var half = ThresholdCalibrator.GuaranteeMargin(spread, 365, 3000, 0.5);
        var seventy = ThresholdCalibrator.GuaranteeMargin(spread, 365, 3000, 0.7);
        var ninety = ThresholdCalibrator.GuaranteeMargin(spread, 365, 3000, 0.9);

        half.ShouldBeGreaterThan(0);
        seventy.ShouldBeGreaterThan(half);
        ninety.ShouldBeGreaterThan(seventy);
    }

    [Fact]
    public void A_baseline_too_short_to_guarantee_anything_useful_gets_at_most_two_clipped_days_of_margin()
    {
        // A week of a few tasks: replicates' biases as large as the drift itself, many of them past zero.
        var rng = new Driftwatch.Core.Statistics.Rng(9);
        var wild = Enumerable.Range(0, 400).Select(_ => (Drift: -0.1 + 0.4 * rng.NextNormal(), Sd: 1.0)).ToList();

        ThresholdCalibrator.GuaranteeMargin(wild, 365, 3000, 0.75).ShouldBeGreaterThan(6);
        ThresholdCalibrator.GuaranteeMargin(wild, 365, 3000, 0.75, maxMargin: 6).ShouldBe(6);
    }

    [Fact]
    public void With_the_guarantee_far_fewer_baselines_raise_a_false_alarm_in_their_first_30_days()
    {
        // ARL0 100 keeps the test fast; the same replicates (seeded) with and without the guarantee.
        SimulationOptions Options(double guarantee) => new()
        {
            Scenarios = [Scenario.Null],
            NullReps = 600,
            NullCap = 1000,
            Seed = 21,
            Detectors = [DetectorCatalog.Cusum],
            Detector = new DetectorOptions { Arl0 = 100, CalibrationCap = 1000, CalibrationPaths = 200, Guarantee = guarantee },
        };

        var average = DetectorBenchmark.Run(Options(0)).Single();
        var guaranteed = DetectorBenchmark.Run(Options(0.7)).Single();

        average.FalseAlarm30Share!.Value.ShouldBeGreaterThan(0.25);
        guaranteed.FalseAlarm30Share!.Value.ShouldBeLessThan(average.FalseAlarm30Share.Value * 0.6);
        guaranteed.Arl0!.Value.ShouldBeGreaterThan(average.Arl0!.Value);
    }
}
