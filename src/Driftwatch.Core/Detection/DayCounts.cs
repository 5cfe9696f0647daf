namespace Driftwatch.Core.Detection;

/// <summary>
/// One day of one agent × suite: per task (by index into a fixed task list) the trials that
/// counted (infrastructure errors excluded) and the passes among them.
/// </summary>
public sealed class DayCounts
{
    public DayCounts(DateOnly day, int[] trials, int[] passes)
    {
        if (trials.Length != passes.Length)
            throw new ArgumentException("trials and passes must cover the same tasks");
        Day = day;
        Trials = trials;
        Passes = passes;
        TotalTrials = trials.Sum();
        TotalPasses = passes.Sum();
    }

    public DateOnly Day { get; }
    public int[] Trials { get; }
    public int[] Passes { get; }
    public int TotalTrials { get; }
    public int TotalPasses { get; }

    public double PassRate => TotalTrials == 0 ? double.NaN : (double)TotalPasses / TotalTrials;
}

/// <summary>Logistic helpers (pass rates and their log-odds).</summary>
internal static class Logit
{
    public static double Of(double p)
    {
        var clamped = Math.Clamp(p, 1e-9, 1 - 1e-9);
        return Math.Log(clamped / (1 - clamped));
    }

    public static double Inverse(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// The one logit shift s with mean(σ(logit pᵢ + s)) = mean(pᵢ) + change: how the reference model's step
    /// scenario turns "the suite mean drops by d" into a shift of every task.
    /// </summary>
    public static double ShiftForMeanChange(IReadOnlyList<double> rates, double change)
    {
        var logits = rates.Select(Of).ToArray();
        double Mean(double shift) => logits.Average(l => Inverse(l + shift));
        var target = Math.Clamp(rates.Average() + change, 1e-6, 1 - 1e-6);
        double low = -40, high = 40;
        for (var i = 0; i < 100; i++)
        {
            var mid = (low + high) / 2;
            if (Mean(mid) > target)
                high = mid;
            else
                low = mid;
        }
        return (low + high) / 2;
    }
}
