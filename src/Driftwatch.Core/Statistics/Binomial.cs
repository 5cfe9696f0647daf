using MathNet.Numerics;

namespace Driftwatch.Core.Statistics;

/// <summary>Exact binomial tails, test and interval.</summary>
internal static class Binomial
{
    /// <summary>P(X ≤ x) for X ~ Binomial(n, p), through the regularised incomplete beta function.</summary>
    public static double LowerTail(int x, int n, double p)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (x < 0)
            return 0;
        if (x >= n)
            return 1;
        if (p <= 0)
            return 1;
        if (p >= 1)
            return 0;
        // P(X ≤ x) = I_{1−p}(n − x, x + 1)
        return SpecialFunctions.BetaRegularized(n - x, x + 1, 1 - p);
    }

    /// <summary>P(X ≥ x).</summary>
    public static double UpperTail(int x, int n, double p) => 1 - LowerTail(x - 1, n, p);

    /// <summary>
    /// One-sided exact binomial test of "the pass rate fell below <paramref name="p0"/>": the p-value
    /// P(X ≤ x | n, p0).
    /// </summary>
    public static double TestLower(int x, int n, double p0) => LowerTail(x, n, p0);

    /// <summary>One-sided exact test of "the pass rate rose above <paramref name="p0"/>": P(X ≥ x | n, p0).</summary>
    public static double TestUpper(int x, int n, double p0) => UpperTail(x, n, p0);

    /// <summary>Two-sided exact test: the probability of outcomes no more likely than the one observed (Clopper–Pearson style "minlike").</summary>
    public static double TestTwoSided(int x, int n, double p0)
    {
        var observed = Pmf(x, n, p0);
        var total = 0.0;
        for (var k = 0; k <= n; k++)
        {
            var pk = Pmf(k, n, p0);
            if (pk <= observed * (1 + 1e-7))
                total += pk;
        }
        return Math.Min(1, total);
    }

    public static double Pmf(int x, int n, double p)
    {
        if (x < 0 || x > n)
            return 0;
        if (p <= 0)
            return x == 0 ? 1 : 0;
        if (p >= 1)
            return x == n ? 1 : 0;
        return Math.Exp(SpecialFunctions.BinomialLn(n, x) + x * Math.Log(p) + (n - x) * Math.Log(1 - p));
    }
}

/// <summary>
/// The Clopper–Pearson ("exact") interval for a binomial proportion (Clopper &amp; Pearson 1934):
/// guaranteed coverage, wider than Wilson.
/// </summary>
internal static class ClopperPearson
{
    public static Interval Interval(int successes, int trials, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, successes);
        if (trials == 0)
            return new Interval(0, 1);
        var alpha = 1 - confidence;
        var low = successes == 0 ? 0 : MathNet.Numerics.Distributions.Beta.InvCDF(successes, trials - successes + 1, alpha / 2);
        var high = successes == trials ? 1 : MathNet.Numerics.Distributions.Beta.InvCDF(successes + 1, trials - successes, 1 - alpha / 2);
        return new Interval(low, high);
    }
}

/// <summary>
/// The exact McNemar test for paired binary outcomes (McNemar 1947; exact form as in Fagerland,
/// Lydersen &amp; Laake 2013): only discordant pairs count; under no change each is equally likely
/// to go either way.
/// </summary>
public static class McNemar
{
    /// <summary>Two-sided p-value from b (pass → fail) and c (fail → pass) discordant pairs.</summary>
    public static double ExactPValue(int b, int c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        var n = b + c;
        if (n == 0)
            return 1;
        return Math.Min(1, 2 * Binomial.LowerTail(Math.Min(b, c), n, 0.5));
    }
}
