namespace Driftwatch.Core.Statistics;

/// <summary>A two-sided interval for a proportion.</summary>
public readonly record struct Interval(double Low, double High);

/// <summary>
/// Wilson score interval for a binomial proportion (Wilson 1927; Agresti &amp; Coull 1998 recommend it
/// over the normal approximation for small n or p near 0 or 1).
/// </summary>
public static class Wilson
{
    /// <summary>z for a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    public static Interval Interval(int successes, int trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, successes);
        if (trials == 0)
            return new Interval(0, 1);
        double n = trials;
        var p = successes / n;
        var z2 = z * z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // Exact at the boundaries: the formula gives 0 and 1 there up to rounding.
        var low = successes == 0 ? 0 : Math.Max(0, centre - half);
        var high = successes == trials ? 1 : Math.Min(1, centre + half);
        return new Interval(low, high);
    }
}
