using Driftwatch.Core.Statistics;
using FsCheck;
using FsCheck.Fluent;
using Shouldly;

namespace Driftwatch.Core.Tests.Statistics;

public sealed class DistributionTests
{
    [Fact]
    public void Poisson_binomial_sums_to_one_and_has_the_stated_moments()
    {
        Prop.ForAll(Gen.Choose(1, 30).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 1000).Select(x => x / 1000.0), n)).ToArbitrary(), rates =>
        {
            var trials = rates.Select((_, i) => 1 + i % 3).ToArray();
            var pmf = PoissonBinomial.Pmf(rates, trials);
            var mean = pmf.Select((p, y) => p * y).Sum();
            var variance = pmf.Select((p, y) => p * (y - mean) * (y - mean)).Sum();
            return Math.Abs(pmf.Sum() - 1) < 1e-9
                && Math.Abs(mean - PoissonBinomial.Mean(rates, trials)) < 1e-7
                && Math.Abs(variance - PoissonBinomial.Variance(rates, trials)) < 1e-7;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Poisson_binomial_with_equal_rates_is_binomial()
    {
        var pmf = PoissonBinomial.Pmf(Enumerable.Repeat(0.3, 12).ToArray(), Enumerable.Repeat(1, 12).ToArray());
        for (var y = 0; y <= 12; y++)
            pmf[y].ShouldBe(Binomial.Pmf(y, 12, 0.3), 1e-12);
    }

    [Fact]
    public void Its_variance_is_below_the_binomial_one_when_tasks_differ()
    {
        // The point of the reference model (docs/detection.md): with 15 tasks at 0.99, 10 at 0.01 and 25 at 0.6, Σp(1−p) ≈ 6.2 while N·p̄(1−p̄) ≈ 12.
        var rates = Enumerable.Repeat(0.99, 15).Concat(Enumerable.Repeat(0.01, 10)).Concat(Enumerable.Repeat(0.6, 25)).ToArray();
        var ones = Enumerable.Repeat(1, 50).ToArray();
        var mean = rates.Average();
        PoissonBinomial.Variance(rates, ones).ShouldBeLessThan(50 * mean * (1 - mean) / 1.8);
    }

    [Fact]
    public void Gauss_Hermite_integrates_normal_moments_exactly()
    {
        var (nodes, weights) = GaussHermite.Rule(8);
        double Moment(int power) => nodes.Select((x, i) => weights[i] * Math.Pow(x, power)).Sum();
        Moment(0).ShouldBe(1, 1e-12);
        Moment(1).ShouldBe(0, 1e-12);
        Moment(2).ShouldBe(1, 1e-10);
        Moment(4).ShouldBe(3, 1e-9);
        Moment(6).ShouldBe(15, 1e-8);
    }

    [Fact]
    public void The_generator_is_reproducible_and_well_spread()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ShouldBe(Enumerable.Range(0, 100).Select(_ => b.NextUInt64()));
        var rng = new Rng(7);
        var uniforms = Enumerable.Range(0, 100_000).Select(_ => rng.NextDouble()).ToList();
        uniforms.Average().ShouldBe(0.5, 0.01);
        uniforms.ShouldAllBe(u => u >= 0 && u < 1);
        var normals = Enumerable.Range(0, 100_000).Select(_ => rng.NextNormal()).ToList();
        normals.Average().ShouldBe(0, 0.02);
        normals.Select(z => z * z).Average().ShouldBe(1, 0.02);
        Enumerable.Range(0, 50_000).Select(_ => rng.NextBeta(6, 4)).Average().ShouldBe(0.6, 0.01);
        Rng.Derive(1, 2, 3).NextUInt64().ShouldNotBe(Rng.Derive(1, 3, 2).NextUInt64());
    }
}
