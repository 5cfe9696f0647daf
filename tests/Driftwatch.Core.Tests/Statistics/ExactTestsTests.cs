using Driftwatch.Core.Statistics;
using Shouldly;

namespace Driftwatch.Core.Tests.Statistics;

/// <summary>Reference values computed by exact enumeration of the binomial sums (math.comb, in Python).</summary>
public sealed class ExactTestsTests
{
    [Fact]
    public void Binomial_tails_match_exact_sums()
    {
        // P(X ≤ 3 | 10, ½) = (1 + 10 + 45 + 120) / 1024
        Binomial.LowerTail(3, 10, 0.5).ShouldBe(176.0 / 1024, 1e-12);
        Binomial.UpperTail(8, 10, 0.5).ShouldBe(56.0 / 1024, 1e-12);
        Binomial.Pmf(2, 5, 0.3).ShouldBe(10 * 0.09 * 0.343, 1e-12);
        Binomial.LowerTail(-1, 10, 0.5).ShouldBe(0);
        Binomial.LowerTail(10, 10, 0.5).ShouldBe(1);
    }

    [Theory]
    // Σ of the probabilities no larger than the observed one
    [InlineData(7, 10, 0.5, 0.34375)]
    [InlineData(2, 20, 0.5, 0.0004024505615234375)]
    [InlineData(3, 30, 0.25, 0.05904296660365635)]
    public void Two_sided_exact_test_sums_the_outcomes_no_more_likely(int x, int n, double p0, double expected) =>
        Binomial.TestTwoSided(x, n, p0).ShouldBe(expected, expected * 1e-3);

    [Fact]
    public void One_sided_test_is_the_lower_tail()
    {
        // Σ_{k≤30} C(50,k) 0.75^k 0.25^(50−k)
        Binomial.TestLower(30, 50, 0.75).ShouldBe(0.013917608678660664, 1e-9);
        Binomial.TestUpper(30, 50, 0.45).ShouldBe(1 - Binomial.LowerTail(29, 50, 0.45), 1e-12);
    }

    [Theory]
    // the p where the upper (lower) tail is 2.5%, by bisection on the exact sums; 0/10: 1 − 0.025^(1/10)
    [InlineData(5, 10, 0.1870860, 0.8129140)]
    [InlineData(0, 10, 0.0, 0.3084971)]
    [InlineData(10, 10, 0.6915029, 1.0)]
    [InlineData(81, 263, 0.2527367, 0.3676219)]
    public void Clopper_Pearson_inverts_the_exact_tails(int x, int n, double low, double high)
    {
        var interval = ClopperPearson.Interval(x, n);
        interval.Low.ShouldBe(low, 1e-4);
        interval.High.ShouldBe(high, 1e-4);
    }

    [Fact]
    public void Clopper_Pearson_is_never_narrower_than_Wilson()
    {
        for (var n = 1; n <= 40; n++)
        {
            for (var x = 0; x <= n; x++)
            {
                var exact = ClopperPearson.Interval(x, n);
                var wilson = Wilson.Interval(x, n);
                (exact.High - exact.Low).ShouldBeGreaterThanOrEqualTo(wilson.High - wilson.Low - 1e-9, $"{x}/{n}");
            }
        }
    }

    [Theory]
    // exact McNemar: 2 · P(X ≤ min(b, c) | b + c, ½)
    [InlineData(1, 7, 2 * 9.0 / 256)]
    [InlineData(0, 5, 2 * 1.0 / 32)]
    [InlineData(4, 4, 1.0)]
    [InlineData(0, 0, 1.0)]
    [InlineData(3, 12, 0.03515625)]
    public void Exact_McNemar_uses_only_the_discordant_pairs(int b, int c, double expected) =>
        McNemar.ExactPValue(b, c).ShouldBe(expected, 1e-5);

    [Fact]
    public void Newcombe_paired_interval_brackets_the_difference_and_stays_in_range()
    {
        var rng = new Rng(5);
        for (var round = 0; round < 500; round++)
        {
            int a = rng.NextInt(20), b = rng.NextInt(20), c = rng.NextInt(20), d = rng.NextInt(20);
            var n = a + b + c + d;
            if (n == 0)
                continue;
            var difference = (double)(c - b) / n;
            var interval = Core.Detection.PairedComparison.NewcombePaired(a, b, c, d);
            interval.Low.ShouldBeLessThanOrEqualTo(difference + 1e-12);
            interval.High.ShouldBeGreaterThanOrEqualTo(difference - 1e-12);
            interval.Low.ShouldBeGreaterThanOrEqualTo(-1);
            interval.High.ShouldBeLessThanOrEqualTo(1);
        }
        // Symmetric discordance gives an interval symmetric about zero.
        var symmetric = Core.Detection.PairedComparison.NewcombePaired(10, 4, 4, 10);
        symmetric.Low.ShouldBe(-symmetric.High, 1e-12);
    }
}
