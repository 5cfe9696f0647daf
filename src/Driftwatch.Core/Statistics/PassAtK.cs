namespace Driftwatch.Core.Statistics;

/// <summary>
/// Per-task success metrics over n attempts with c successes (Chen et al. 2021, "Evaluating Large
/// Language Models Trained on Code"): the unbiased pass@k estimator 1 − C(n−c, k)/C(n, k), and
/// pass^k — the chance that all of k attempts succeed — estimated by C(c, k)/C(n, k).
/// </summary>
internal static class PassAtK
{
    /// <summary>Unbiased pass@k; null when fewer than k attempts were made.</summary>
    public static double? Estimate(int n, int c, int k)
    {
        Validate(n, c, k);
        if (n < k)
            return null;
        if (n - c < k)
            return 1;
        // 1 − Π_{i=n−c+1}^{n} (1 − k/i), the numerically stable form of 1 − C(n−c,k)/C(n,k).
        var product = 1.0;
        for (var i = n - c + 1; i <= n; i++)
            product *= 1 - (double)k / i;
        return 1 - product;
    }

    /// <summary>Unbiased pass^k (all k attempts pass); null when fewer than k attempts were made.</summary>
    public static double? AllPass(int n, int c, int k)
    {
        Validate(n, c, k);
        if (n < k)
            return null;
        if (c < k)
            return 0;
        // C(c,k)/C(n,k) = Π_{i=0}^{k−1} (c − i)/(n − i)
        var product = 1.0;
        for (var i = 0; i < k; i++)
            product *= (double)(c - i) / (n - i);
        return product;
    }

    private static void Validate(int n, int c, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, c);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
    }
}
