using Driftwatch.Core.Detection;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

public sealed class AllocationTests
{
    private static readonly double[] Rates = [0.99, 0.99, 0.98, 0.01, 0.02, 0.5, 0.6, 0.8, 0.3, 0.45];

    [Fact]
    public void The_daily_budget_is_spent_exactly()
    {
        var allocation = new AdaptiveAllocation(Rates, 20);
        for (var day = 0; day < 10; day++)
            allocation.TrialsOn(day).Sum().ShouldBe(20);
    }

    [Fact]
    public void Informative_tasks_get_more_trials_the_closer_they_are_to_one_half()
    {
        var trials = new AdaptiveAllocation(Rates, 40).TrialsOn(0);

        trials[5].ShouldBeGreaterThanOrEqualTo(trials[7]); // 0.5 vs 0.8
        trials[9].ShouldBeGreaterThanOrEqualTo(trials[7]); // 0.45 vs 0.8
        new[] { 5, 6, 7, 8, 9 }.Sum(i => trials[i]).ShouldBe(32); // 80% to the informative tasks
    }

    [Fact]
    public void Canaries_rotate_so_each_is_visited_once_a_period()
    {
        var allocation = new AdaptiveAllocation(Rates, 20, canaryShare: 0.1);
        var canaries = new[] { 0, 1, 2, 3, 4 };

        allocation.CanaryBudget.ShouldBe(2);
        allocation.Period.ShouldBe(3);
        var visits = new int[Rates.Length];
        for (var day = 0; day < allocation.Period; day++)
        {
            foreach (var i in canaries)
                visits[i] += allocation.TrialsOn(day)[i];
        }
        canaries.ShouldAllBe(i => visits[i] >= 1);
        allocation.TrialsOn(1).ShouldBe(allocation.TrialsOn(1 + allocation.Period));
    }

    [Fact]
    public void Uniform_allocation_is_K_of_everything()
    {
        new UniformAllocation(4, 3).TrialsOn(17).ShouldBe([3, 3, 3, 3]);
    }
}
