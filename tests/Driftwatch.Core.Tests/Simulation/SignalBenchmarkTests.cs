using Driftwatch.Core.Detection;
using Driftwatch.Core.Simulation;
using Shouldly;

namespace Driftwatch.Core.Tests.Simulation;

public sealed class SignalBenchmarkTests
{
    private static SignalSimulationOptions Options(int reps) => new()
    {
        Reference = new SimulationOptions
        {
            NullReps = reps,
            ChangeReps = reps,
            Detector = new DetectorOptions { Arl0 = 100, CalibrationPaths = 100 },
            NullCap = 1000,
            ChangeHorizon = 60,
            Parallelism = 1,
        },
    };

    [Fact]
    public void A_token_change_is_found_within_two_days_by_the_combined_verdict_and_not_by_the_pass_rate_alone()
    {
        // Given the tokens scenario (output tokens −30%, pass rate unchanged) at N = 50, K = 1
        var results = SignalBenchmark.Run(Options(12) with { Scenarios = [SignalScenario.Tokens] });

        // Then the combined verdict finds it in about two days, the pass rate alone hardly ever within a week
        var combined = results.Single(r => r.Detector == SignalBenchmark.Combined && r.Scenario == "tokens");
        var alone = results.Single(r => r.Detector == "cusum" && r.Scenario == "tokens");
        combined.MedianDelay!.Value.ShouldBeLessThanOrEqualTo(2);
        combined.DetectedWithin7Share!.Value.ShouldBe(1);
        (alone.DetectedWithin7Share ?? 0).ShouldBeLessThan(0.5);
    }

    [Fact]
    public void A_rise_in_lint_findings_is_found_by_the_combined_verdict_through_the_lint_signal_alone()
    {
        // Given the lint scenario (0.3 more findings per trial, pass rate and tokens unchanged)
        var results = SignalBenchmark.Run(Options(12) with { Scenarios = [SignalScenario.Lint] });

        // Then the lint signal finds it within days and the combined verdict with it; the token signal stays quiet
        var lint = results.Single(r => r.Detector == SignalBenchmark.LintFindings && r.Scenario == "lint");
        var combined = results.Single(r => r.Detector == SignalBenchmark.Combined && r.Scenario == "lint");
        var tokens = results.Single(r => r.Detector == SignalBenchmark.OutputTokens && r.Scenario == "lint");
        lint.MedianDelay!.Value.ShouldBeLessThanOrEqualTo(4);
        lint.DetectedWithin7Share!.Value.ShouldBeGreaterThanOrEqualTo(0.8);
        combined.MedianDelay!.Value.ShouldBeLessThanOrEqualTo(lint.MedianDelay.Value);
        (tokens.DetectedWithin7Share ?? 0).ShouldBeLessThan(0.5);
    }

    [Fact]
    public void Every_run_has_a_null_row_per_verdict_and_is_reproducible()
    {
        // Given the behaviour scenario, run twice with the same seed
        var first = SignalBenchmark.Run(Options(4) with { Scenarios = [SignalScenario.Behaviour] });
        var second = SignalBenchmark.Run(Options(4) with { Scenarios = [SignalScenario.Behaviour] });

        // Then each verdict, and the signal alone at its share, has its null row (the ARL0 and the
        // first-30-day share) and its change row with the step's size, the same both times
        first.Select(r => (r.Detector, r.Scenario)).ShouldBe([
            ("cusum", "null"), ("cusum", "behaviour"), ("combined", "null"), ("combined", "behaviour"),
            ("outputTokens", "null"), ("outputTokens", "behaviour"), ("lintBeyondReference", "null"), ("lintBeyondReference", "behaviour")]);
        first.Where(r => r.Scenario == "null").ShouldAllBe(r => r.Arl0 != null && r.FalseAlarm30Share != null);
        first.Single(r => r.Detector == "combined" && r.Scenario == "behaviour").Delta.ShouldBe(0.03);
        second.ShouldBe(first);
    }
}
