using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

public sealed class PairedComparisonTests
{
    private static Trial Trial(string task, int index, bool pass) => new()
    {
        RunId = 1,
        TaskId = task,
        TrialIndex = index,
        Sequence = 0,
        Category = TaskCategory.Generation,
        Language = "python",
        Outcome = pass ? TrialOutcome.Pass : TrialOutcome.Fail,
        StartedAt = DateTimeOffset.UnixEpoch,
        FinishedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void One_trial_per_task_uses_exact_McNemar_on_the_flips()
    {
        // 30 tasks: 20 pass in both, 7 pass→fail, 1 fail→pass, 2 fail in both
        var a = new List<Trial>();
        var b = new List<Trial>();
        for (var i = 0; i < 30; i++)
        {
            var (pa, pb) = i < 20 ? (true, true) : i < 27 ? (true, false) : i < 28 ? (false, true) : (false, false);
            a.Add(Trial($"t{i}", 0, pa));
            b.Add(Trial($"t{i}", 0, pb));
        }

        var comparison = PairedComparison.Of(a, b);

        comparison.Method.ShouldBe("mcnemar-exact");
        comparison.PassToFail.ShouldBe(7);
        comparison.FailToPass.ShouldBe(1);
        comparison.PValue.ShouldBe(2 * 9.0 / 256, 1e-9);
        comparison.Difference.ShouldBe(-6.0 / 30, 1e-12);
        comparison.Interval.High.ShouldBeLessThan(0.01);
    }

    [Fact]
    public void Several_trials_per_task_are_clustered_by_task()
    {
        var a = new List<Trial>();
        var b = new List<Trial>();
        for (var i = 0; i < 20; i++)
        {
            for (var k = 0; k < 4; k++)
            {
                a.Add(Trial($"t{i}", k, k < 3));
                b.Add(Trial($"t{i}", k, i < 10 ? k < 1 : k < 3));
            }
        }

        var comparison = PairedComparison.Of(a, b);

        comparison.Method.ShouldBe("clustered-t+bootstrap");
        comparison.Difference.ShouldBe(-0.25, 1e-12);
        comparison.Interval.Low.ShouldBeLessThan(-0.25);
        comparison.Interval.High.ShouldBeLessThan(0);
        comparison.PValue.ShouldBeLessThan(0.01);
    }

    [Fact]
    public void Tasks_in_only_one_run_are_left_out_and_errors_ignored()
    {
        var a = new List<Trial> { Trial("x", 0, true), Trial("only-a", 0, true) };
        var b = new List<Trial> { Trial("x", 0, false), Trial("x", 1, true) with { Outcome = TrialOutcome.Error } };

        var comparison = PairedComparison.Of(a, b);

        comparison.Tasks.Single().Task.ShouldBe("x");
        comparison.Unpaired.ShouldBe(1);
        Should.Throw<InvalidInputException>(() => PairedComparison.Of(a, [Trial("z", 0, true)]));
    }
}
