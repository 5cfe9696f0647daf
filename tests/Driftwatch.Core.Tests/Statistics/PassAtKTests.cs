using Driftwatch.Core.Statistics;
using FsCheck;
using FsCheck.Fluent;
using Shouldly;

namespace Driftwatch.Core.Tests.Statistics;

public sealed class PassAtKTests
{
    [Theory]
    [InlineData(10, 3, 1, 0.3)]
    [InlineData(10, 3, 2, 1 - 21.0 / 45)]
    [InlineData(10, 0, 5, 0.0)]
    [InlineData(5, 5, 3, 1.0)]
    [InlineData(10, 8, 3, 1.0)]
    public void Unbiased_pass_at_k_matches_the_binomial_formula(int n, int c, int k, double expected) =>
        PassAtK.Estimate(n, c, k)!.Value.ShouldBe(expected, 1e-12);

    [Theory]
    [InlineData(10, 3, 2, 3.0 / 45)]
    [InlineData(10, 10, 4, 1.0)]
    [InlineData(10, 2, 3, 0.0)]
    public void Pass_hat_k_is_the_chance_that_all_k_pass(int n, int c, int k, double expected) =>
        PassAtK.AllPass(n, c, k)!.Value.ShouldBe(expected, 1e-12);

    [Fact]
    public void Fewer_attempts_than_k_give_no_estimate()
    {
        PassAtK.Estimate(2, 1, 3).ShouldBeNull();
        PassAtK.AllPass(2, 1, 3).ShouldBeNull();
    }

    [Fact]
    public void Pass_at_k_agrees_with_brute_force_over_subsets_and_is_monotone()
    {
        Prop.ForAll(Gen.Choose(1, 12).SelectMany(n => Gen.Choose(0, n).SelectMany(c => Gen.Choose(1, n).Select(k => (n, c, k)))).ToArbitrary(), t =>
        {
            var (n, c, k) = t;
            // Brute force: the share of k-subsets of n attempts (c of them passing) with at least one pass.
            var subsets = Subsets(n, k).ToList();
            var withPass = subsets.Count(s => s.Any(i => i < c));
            var expected = (double)withPass / subsets.Count;
            var estimate = PassAtK.Estimate(n, c, k)!.Value;
            var allPass = (double)subsets.Count(s => s.All(i => i < c)) / subsets.Count;
            return Math.Abs(estimate - expected) < 1e-9
                && Math.Abs(PassAtK.AllPass(n, c, k)!.Value - allPass) < 1e-9
                && (k == n || PassAtK.Estimate(n, c, k + 1)!.Value >= estimate - 1e-12);
        }).QuickCheckThrowOnFailure();
    }

    private static IEnumerable<int[]> Subsets(int n, int k)
    {
        if (k == 0)
        {
            yield return [];
            yield break;
        }
        for (var first = 0; first <= n - k; first++)
        {
            foreach (var rest in Subsets(n - first - 1, k - 1))
                yield return [first, .. rest.Select(r => r + first + 1)];
        }
    }
}
