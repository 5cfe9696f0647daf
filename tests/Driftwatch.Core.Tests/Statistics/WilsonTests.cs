using Driftwatch.Core.Statistics;
using Shouldly;

namespace Driftwatch.Core.Tests.Statistics;

public sealed class WilsonTests
{
    [Theory]
    // Reference values from Newcombe (1998), "Two-sided confidence intervals for the single
    // proportion", Statistics in Medicine 17, Table I (method 3, score interval without correction).
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(15, 148, 0.0624, 0.1605)]
    [InlineData(0, 20, 0.0000, 0.1611)]
    [InlineData(1, 29, 0.0061, 0.1718)]
    public void Matches_published_values(int successes, int trials, double low, double high)
    {
        var interval = Wilson.Interval(successes, trials);

        interval.Low.ShouldBe(low, 0.0001);
        interval.High.ShouldBe(high, 0.0001);
    }

    [Fact]
    public void Is_exact_at_the_boundaries_and_stays_in_zero_one()
    {
        Wilson.Interval(0, 10).Low.ShouldBe(0);
        Wilson.Interval(10, 10).High.ShouldBe(1);
        Wilson.Interval(0, 0).ShouldBe(new Interval(0, 1));
        for (var n = 1; n < 60; n++)
        {
            for (var k = 0; k <= n; k++)
            {
                var i = Wilson.Interval(k, n);
                i.Low.ShouldBeInRange(0, (double)k / n + 1e-12);
                i.High.ShouldBeInRange((double)k / n - 1e-12, 1);
            }
        }
    }

    [Fact]
    public void Rejects_impossible_counts()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Wilson.Interval(5, 4));
        Should.Throw<ArgumentOutOfRangeException>(() => Wilson.Interval(-1, 4));
    }
}
