using Driftwatch.Core.Detection;
using Driftwatch.Core.Simulation;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

/// <summary>
/// The calibration itself: on the reference model, detectors calibrated from their own 30-day
/// baselines to an ARL0 of 100 days run that long on average between false alarms. (A target of
/// 100 rather than 365 keeps the test fast; the procedure is the same.) Seeded, so it cannot flake;
/// the tolerance (±25%) covers the simulation noise of 800 replicates of a heavy-tailed run length.
/// These calibrate on average over baselines (<see cref="DetectorOptions.Guarantee"/> 0); the
/// guarantee for the baseline observed is tested in <see cref="GuaranteeTests"/>.
/// </summary>
public sealed class CalibrationTests
{
    private static SimulationOptions Options(double tau = 0) => new()
    {
        Scenarios = [Scenario.Null],
        NullReps = 800,
        Taus = [tau],
        NullCap = 1000,
        Seed = 11,
        Detectors = [DetectorCatalog.Cusum, DetectorCatalog.Ewma, DetectorCatalog.TrackerWindows],
        Detector = new DetectorOptions { Arl0 = 100, CalibrationCap = 1000, CalibrationPaths = 200, Guarantee = 0 },
    };

    [Fact]
    public void Calibrated_detectors_reach_their_false_alarm_budget()
    {
        var results = DetectorBenchmark.Run(Options());

        results.Single(r => r.Detector == "cusum").Arl0!.Value.ShouldBeInRange(75, 125);
        results.Single(r => r.Detector == "ewma").Arl0!.Value.ShouldBeInRange(75, 125);
    }

    [Fact]
    public void With_day_shocks_they_still_do_while_the_trackers_rule_falls_far_below()
    {
        var results = DetectorBenchmark.Run(Options(tau: 0.3));

        var cusum = results.Single(r => r.Detector == "cusum").Arl0!.Value;
        cusum.ShouldBeInRange(70, 130);
        results.Single(r => r.Detector == "tracker-windows").Arl0!.Value.ShouldBeLessThan(cusum * 0.6);
    }

    [Fact]
    public void Thresholds_come_from_the_fitted_baseline_not_a_constant()
    {
        // A noisier baseline (a day effect) needs a higher limit for the same budget.
        var quiet = Baseline.Of(Enumerable.Range(0, 40).Select(i => 0.2 + 0.6 * i / 39.0).ToArray());
        var noisy = Baseline.Of(quiet.Rates, dayShockSd: 0.6);
        var days = Enumerable.Range(0, 30).Select(_ => Enumerable.Repeat(1, 40).ToArray()).ToList();
        var options = new DetectorOptions { Arl0 = 100, CalibrationCap = 1000, CalibrationPaths = 200, Guarantee = 0 };

        var forQuiet = ThresholdCalibrator.Calibrate(quiet, days, new UniformAllocation(40, 1), options, seed: 1, downOnly: true);
        var forNoisy = ThresholdCalibrator.Calibrate(noisy, days, new UniformAllocation(40, 1), options, seed: 1, downOnly: true);

        forQuiet.CusumDown.ShouldBeGreaterThan(0);
        forNoisy.CusumDown.ShouldNotBe(forQuiet.CusumDown);
        forQuiet.EstimatedCusumArl0.ShouldBe(100, 1);
    }

    [Fact]
    public void The_same_seed_gives_the_same_table()
    {
        var options = Options() with { NullReps = 60, Scenarios = [Scenario.Null, Scenario.Step], StepDeltas = [0.1], ChangeReps = 40, Parallelism = 2 };

        var first = DetectorBenchmark.Run(options);
        var again = DetectorBenchmark.Run(options with { Parallelism = 1 });

        again.ShouldBe(first);
    }

    [Fact]
    public void A_large_step_is_found_within_days_and_a_sparse_break_is_found_at_all()
    {
        var options = Options() with
        {
            Scenarios = [Scenario.Step, Scenario.Sparse],
            StepDeltas = [0.10],
            ChangeReps = 150,
            Detectors = [DetectorCatalog.Cusum],
        };

        var results = DetectorBenchmark.Run(options);

        var step = results.Single(r => r.Scenario == "step");
        step.MedianDelay!.Value.ShouldBeLessThanOrEqualTo(4);
        step.DetectedWithin7Share!.Value.ShouldBeGreaterThan(0.9);
        results.Single(r => r.Scenario == "sparse").DetectedWithin7Share!.Value.ShouldBeGreaterThan(0.3);
    }
}
