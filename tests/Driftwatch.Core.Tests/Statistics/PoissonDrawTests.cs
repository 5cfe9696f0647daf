using Driftwatch.Core.Statistics;
using Shouldly;

namespace Driftwatch.Core.Tests.Statistics;

public sealed class PoissonDrawTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.6)]
    [InlineData(3.5)]
    [InlineData(47.0)]
    public void Poisson_draws_have_the_mean_and_variance_lambda(double lambda)
    {
        var rng = new Rng(3);
        var draws = Enumerable.Range(0, 40_000).Select(_ => (double)rng.NextPoisson(lambda)).ToArray();

        var mean = draws.Average();
        var variance = draws.Sum(x => (x - mean) * (x - mean)) / (draws.Length - 1);
        // Standard error of the mean is sqrt(λ/n): 5 of them; of the variance about λ·sqrt(2/n) (+ a little for small λ).
        mean.ShouldBe(lambda, 5 * Math.Sqrt(lambda / draws.Length) + 1e-12);
        variance.ShouldBe(lambda, 6 * Math.Sqrt(lambda * (2 * lambda + 1) / draws.Length) + 1e-12);
        draws.ShouldAllBe(x => x >= 0 && x == Math.Floor(x));
    }
}
