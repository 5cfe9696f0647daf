namespace Driftwatch.Core.Statistics;

/// <summary>Counts of one task: n attempts, x passes.</summary>
internal readonly record struct TaskCounts(int Trials, int Passes);

/// <summary>An estimate with its standard error and confidence interval.</summary>
internal sealed record Estimate(double Value, double StandardError, Interval Interval);

/// <summary>
/// Pass rates and differences when each task is attempted several times: attempts of one task are
/// not independent, so standard errors are clustered by task (the cluster-robust "sandwich"
/// variance; Cameron &amp; Miller 2015), and intervals use Student's t with (tasks − 1) degrees of freedom.
/// </summary>
internal static class Clustered
{
    /// <summary>The pooled pass rate Σx/Σn with a task-clustered standard error.</summary>
    public static Estimate PassRate(IReadOnlyList<TaskCounts> tasks, double confidence = 0.95)
    {
        var used = tasks.Where(t => t.Trials > 0).ToList();
        var trials = used.Sum(t => t.Trials);
        if (trials == 0)
            return new Estimate(double.NaN, double.NaN, new Interval(0, 1));
        var rate = (double)used.Sum(t => t.Passes) / trials;
        var g = used.Count;
        if (g < 2)
            return new Estimate(rate, double.NaN, new Interval(0, 1));
        var sum = used.Sum(t => Math.Pow(t.Passes - rate * t.Trials, 2));
        var se = Math.Sqrt(g / (g - 1.0) * sum) / trials;
        var half = TQuantile(confidence, g - 1) * se;
        return new Estimate(rate, se, new Interval(Math.Max(0, rate - half), Math.Min(1, rate + half)));
    }

    /// <summary>
    /// The mean over tasks of a per-task difference (e.g. pass rate after − before), its standard
    /// error across tasks and a t interval: each task is one cluster, whatever its number of attempts.
    /// </summary>
    public static Estimate MeanDifference(IReadOnlyList<double> perTask, double confidence = 0.95)
    {
        var n = perTask.Count;
        if (n == 0)
            return new Estimate(double.NaN, double.NaN, new Interval(double.NaN, double.NaN));
        var mean = perTask.Average();
        if (n < 2)
            return new Estimate(mean, double.NaN, new Interval(-1, 1));
        var variance = perTask.Sum(d => (d - mean) * (d - mean)) / (n - 1);
        var se = Math.Sqrt(variance / n);
        var half = TQuantile(confidence, n - 1) * se;
        return new Estimate(mean, se, new Interval(mean - half, mean + half));
    }

    /// <summary>
    /// Mean daily pass rate after − before, each day one observation (a day's trials share its day
    /// effect, so they are not independent), with Welch's t interval: the effect of a history known
    /// by its daily totals only, where there are no tasks to cluster by.
    /// </summary>
    public static Estimate DifferenceOfDailyRates(IReadOnlyList<double> before, IReadOnlyList<double> after, double confidence = 0.95)
    {
        if (before.Count == 0 || after.Count == 0)
            return new Estimate(double.NaN, double.NaN, new Interval(double.NaN, double.NaN));
        var difference = after.Average() - before.Average();
        if (before.Count < 2 || after.Count < 2)
            return new Estimate(difference, double.NaN, new Interval(-1, 1));
        static double Variance(IReadOnlyList<double> xs)
        {
            var mean = xs.Average();
            return xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1);
        }
        var a = Variance(after) / after.Count;
        var b = Variance(before) / before.Count;
        var se = Math.Sqrt(a + b);
        if (se == 0)
            return new Estimate(difference, 0, new Interval(difference, difference));
        var df = (a + b) * (a + b) / (a * a / (after.Count - 1) + b * b / (before.Count - 1));
        var half = MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, df, 1 - (1 - confidence) / 2) * se;
        return new Estimate(difference, se, new Interval(difference - half, difference + half));
    }

    public static double TQuantile(double confidence, int degreesOfFreedom) =>
        MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, degreesOfFreedom, 1 - (1 - confidence) / 2);
}

/// <summary>
/// Percentile bootstrap over tasks for a paired comparison (Efron &amp; Tibshirani 1993): tasks are
/// resampled with replacement, each carrying its own difference, so the dependence of repeated
/// attempts stays inside the task.
/// </summary>
internal static class PairedBootstrap
{
    public static Interval MeanDifference(IReadOnlyList<double> perTask, int resamples, ulong seed, double confidence = 0.95)
    {
        var n = perTask.Count;
        if (n == 0)
            return new Interval(double.NaN, double.NaN);
        var rng = new Rng(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
                sum += perTask[rng.NextInt(n)];
            means[r] = sum / n;
        }
        Array.Sort(means);
        var alpha = (1 - confidence) / 2;
        return new Interval(Quantile(means, alpha), Quantile(means, 1 - alpha));
    }

    /// <summary>The q-quantile of sorted values, linear interpolation (type 7).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
