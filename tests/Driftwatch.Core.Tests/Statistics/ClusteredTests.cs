using Driftwatch.Core.Statistics;
using Shouldly;

namespace Driftwatch.Core.Tests.Statistics;

public sealed class ClusteredTests
{
    [Fact]
    public void Mean_difference_has_a_t_interval_over_tasks()
    {
        // mean 2.5, sd 1.291, se 0.6455, t(3, 0.975) = 3.1824
        var estimate = Clustered.MeanDifference([1, 2, 3, 4]);

        estimate.Value.ShouldBe(2.5);
        estimate.StandardError.ShouldBe(0.645497, 1e-6);
        estimate.Interval.Low.ShouldBe(2.5 - 3.182446 * 0.645497, 1e-5);
        estimate.Interval.High.ShouldBe(2.5 + 3.182446 * 0.645497, 1e-5);
    }

    [Fact]
    public void Clustering_widens_the_interval_when_attempts_of_a_task_agree()
    {
        // 20 tasks × 5 attempts, each task all-pass or all-fail: really 20 observations, not 100.
        var tasks = Enumerable.Range(0, 20).Select(i => new TaskCounts(5, i % 2 == 0 ? 5 : 0)).ToList();

        var clustered = Clustered.PassRate(tasks);
        var naive = Math.Sqrt(0.5 * 0.5 / 100);

        clustered.Value.ShouldBe(0.5);
        clustered.StandardError.ShouldBeGreaterThan(2 * naive);
        clustered.StandardError.ShouldBe(Math.Sqrt(0.25 / 20 * 20 / 19), 1e-9);
    }

    [Fact]
    public void With_one_attempt_per_task_it_is_close_to_the_binomial_standard_error()
    {
        var tasks = Enumerable.Range(0, 100).Select(i => new TaskCounts(1, i < 30 ? 1 : 0)).ToList();
        Clustered.PassRate(tasks).StandardError.ShouldBe(Math.Sqrt(0.3 * 0.7 / 100) * Math.Sqrt(100.0 / 99), 1e-9);
    }

    [Fact]
    public void The_paired_bootstrap_is_seeded_and_brackets_the_mean()
    {
        var differences = Enumerable.Range(0, 40).Select(i => (i % 5 - 2) / 10.0 - 0.1).ToList();

        var first = PairedBootstrap.MeanDifference(differences, 2000, seed: 3);
        var again = PairedBootstrap.MeanDifference(differences, 2000, seed: 3);

        first.ShouldBe(again);
        first.Low.ShouldBeLessThan(differences.Average());
        first.High.ShouldBeGreaterThan(differences.Average());
        var t = Clustered.MeanDifference(differences).Interval;
        (first.High - first.Low).ShouldBe(t.High - t.Low, (t.High - t.Low) * 0.2);
    }
}
