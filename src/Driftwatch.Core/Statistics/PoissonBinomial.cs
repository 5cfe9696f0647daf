namespace Driftwatch.Core.Statistics;

/// <summary>
/// The distribution of a day's total passes when task i is attempted nᵢ times with pass rate pᵢ:
/// a Poisson-binomial (Hong 2013 gives the same recursion), mean Σ nᵢpᵢ and variance
/// Σ nᵢpᵢ(1 − pᵢ) — not N·p̄(1 − p̄), which overstates it when tasks differ.
/// </summary>
internal static class PoissonBinomial
{
    /// <summary>P(total = y) for y = 0..Σnᵢ, by convolving one Bernoulli at a time.</summary>
    public static double[] Pmf(IReadOnlyList<double> p, IReadOnlyList<int> n)
    {
        var total = n.Sum();
        var pmf = new double[total + 1];
        pmf[0] = 1;
        var size = 0;
        for (var i = 0; i < p.Count; i++)
        {
            for (var trial = 0; trial < n[i]; trial++)
            {
                size++;
                for (var y = size; y >= 1; y--)
                    pmf[y] = pmf[y] * (1 - p[i]) + pmf[y - 1] * p[i];
                pmf[0] *= 1 - p[i];
            }
        }
        return pmf;
    }

    public static double Mean(IReadOnlyList<double> p, IReadOnlyList<int> n)
    {
        var mean = 0.0;
        for (var i = 0; i < p.Count; i++)
            mean += n[i] * p[i];
        return mean;
    }

    public static double Variance(IReadOnlyList<double> p, IReadOnlyList<int> n)
    {
        var variance = 0.0;
        for (var i = 0; i < p.Count; i++)
            variance += n[i] * p[i] * (1 - p[i]);
        return variance;
    }
}
