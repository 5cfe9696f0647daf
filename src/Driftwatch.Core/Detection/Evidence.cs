namespace Driftwatch.Core.Detection;

/// <summary>
/// The daily evidence of a baseline for one allocation of trials: the expected total, its standard
/// deviation and the CUSUM reference value k (half the target drop, in standard deviations).
/// Computed once per distinct allocation, since allocations repeat day after day.
/// </summary>
internal sealed class Evidence(Baseline baseline, double targetDrop, double clip = double.PositiveInfinity)
{
    private readonly Dictionary<string, (double Mean, double Sd, double K)> _byAllocation = new(StringComparer.Ordinal);

    public Baseline Baseline { get; } = baseline;

    public (double Mean, double Sd, double K) For(int[] trials)
    {
        var key = string.Join(',', trials);
        if (_byAllocation.TryGetValue(key, out var known))
            return known;
        var (mean, variance) = Baseline.Expect(trials);
        var k = Baseline.ShiftInStandardDeviations(trials, targetDrop) / 2;
        return _byAllocation[key] = (mean, Math.Sqrt(variance), k);
    }

    /// <summary>The standardised evidence z of a day and its reference value k.</summary>
    public (double Z, double K) Of(DayCounts day)
    {
        var (mean, sd, k) = For(day.Trials);
        return (sd <= 0 ? 0 : Math.Clamp((day.TotalPasses - mean) / sd, -clip, clip), k);
    }
}
