using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Detection.Signals;

/// <summary>How continuous signals are watched (docs/signals.md).</summary>
public sealed record SignalOptions
{
    /// <summary>Watch the catalog's continuous signals at all (off: the pass rate alone, with the whole budget).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// The CUSUM's reference value k, in standard deviations of a day's mean: tuned for a shift of
    /// 2k. A day of many trials averages its noise away, so a behaviour change worth a look (an
    /// effort setting, a new model) moves a day by several standard deviations; k = 1 finds those
    /// in a day or two and ignores the small wobbles a slack k would add up.
    /// </summary>
    public double ReferenceValue { get; init; } = 1.0;

    /// <summary>
    /// The share of the verdict's false-alarm rate (1/ARL0) given to the pass rate when signals are
    /// watched; the rest is split equally among them. Half: the pass rate's limit rises a little
    /// (an ARL0 of 2× instead of 1×) and so its delays barely move.
    /// </summary>
    public double PassRateShare { get; init; } = 0.5;

    /// <summary>A signal is watched only with at least this many baseline values…</summary>
    public int MinimumBaselineTrials { get; init; } = 30;

    /// <summary>…on at least this many baseline days (a day effect needs days to be estimated).</summary>
    public int MinimumBaselineDays { get; init; } = 7;

    /// <summary>Calibration paths are followed for at most this many days (the ARL0 is estimated as exposure / alarms).</summary>
    public int CalibrationHorizon { get; init; } = 1000;
}

/// <summary>
/// Calibrates a signal's two-sided CUSUM limit h to its share of the false-alarm budget by
/// simulation from its baseline: each path draws new baseline days (each task's mean, plus a day
/// effect resampled from the baseline's, rescaled to ω̂, plus per-trial residuals resampled from the
/// task's own within-day residuals, rescaled to σ̂), refits the baseline from them — so the noise
/// of estimating it from a few weeks is part of the limit — and monitors days drawn the same way
/// with nothing changed. ARL0 per limit = days followed / alarms over all paths (run lengths are
/// close to geometric, so a horizon shorter than the target is enough); the limit is interpolated
/// where it reaches the target. Deterministic for a seed.
/// </summary>
public static class SignalCalibrator
{
    private static readonly double[] Grid = [.. Enumerable.Range(0, 299).Select(i => 0.1 + 0.05 * i)];

    /// <summary>Draws days of a signal as its baseline says nothing changed.</summary>
    public sealed class Model
    {
        private readonly double[] _taskMeans;
        private readonly double[][] _residuals;
        private readonly double[] _dayEffects;

        public Model(SignalBaseline fitted, IReadOnlyList<SignalSample> baselineDays)
        {
            _taskMeans = fitted.TaskMeans;
            var tasks = fitted.TaskMeans.Length;
            var byTask = Enumerable.Range(0, tasks).Select(_ => new List<double>()).ToArray();
            var all = new List<double>();
            var dayMeans = new List<double>();
            foreach (var day in baselineDays)
            {
                var (mean, n) = fitted.DayMean(day);
                if (n == 0)
                    continue;
                dayMeans.Add(mean);
                for (var j = 0; j < day.Count; j++)
                {
                    var e = day.Values[j] - _taskMeans[day.Tasks[j]] - mean;
                    byTask[day.Tasks[j]].Add(e);
                    all.Add(e);
                }
            }
            var sd = Sd(all);
            var scale = sd > 0 ? fitted.WithinSd / sd : 0;
            var global = all.Select(e => e * scale).ToArray();
            _residuals = [.. byTask.Select(list => list.Count >= 2 ? list.Select(e => e * scale).ToArray() : global)];
            var daySd = Sd(dayMeans);
            var grand = dayMeans.Count == 0 ? 0 : dayMeans.Average();
            _dayEffects = fitted.DayEffectSd > 0 && daySd > 0
                ? [.. dayMeans.Select(m => (m - grand) * fitted.DayEffectSd / daySd)]
                : [0];
        }

        /// <summary>One day with these tasks' trials, each value on the detection scale.</summary>
        public SignalSample Draw(int[] tasks, Rng rng)
        {
            var u = _dayEffects[rng.NextInt(_dayEffects.Length)];
            var values = new double[tasks.Length];
            for (var j = 0; j < tasks.Length; j++)
            {
                var pool = _residuals[tasks[j]];
                values[j] = _taskMeans[tasks[j]] + u + (pool.Length == 0 ? 0 : pool[rng.NextInt(pool.Length)]);
            }
            return new SignalSample(default, tasks, values, values);
        }

        private static double Sd(List<double> xs)
        {
            if (xs.Count < 2)
                return 0;
            var mean = xs.Average();
            return Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
        }
    }

    /// <summary>
    /// The limit h at which the two-sided CUSUM (down = max(0, down − z − k), up = max(0, up + z − k),
    /// an alarm when either passes h) has an ARL0 of arl0 days, with k the reference value and the
    /// evidence clipped to ±clip; the baseline days as observed give each path its tasks and the
    /// model its values, the monitored days' tasks are repeated in turn.
    /// </summary>
    public static (double Limit, double EstimatedArl0) Calibrate(
        SignalBaseline fitted, IReadOnlyList<SignalSample> baselineDays, IReadOnlyList<int[]> monitoringTasks,
        double arl0, double referenceValue, double clip, int paths, int horizon, ulong seed)
    {
        var model = new Model(fitted, baselineDays);
        var taskCount = fitted.TaskMeans.Length;
        var exposure = new double[Grid.Length];
        var alarms = new int[Grid.Length];
        var patterns = monitoringTasks.Count > 0 ? monitoringTasks : [.. baselineDays.Select(d => d.Tasks)];
        var simulated = new SignalSample[baselineDays.Count];
        for (var path = 0; path < paths; path++)
        {
            var rng = Rng.Derive(seed, path);
            for (var d = 0; d < baselineDays.Count; d++)
                simulated[d] = model.Draw(baselineDays[d].Tasks, rng);
            var refit = SignalBaseline.Fit(simulated, taskCount);
            double down = 0, up = 0;
            var pointer = 0;
            for (var t = 0; t < horizon && pointer < Grid.Length; t++)
            {
                var z = refit.Evidence(model.Draw(patterns[t % patterns.Count], rng), clip);
                down = Math.Max(0, down - z - referenceValue);
                up = Math.Max(0, up + z - referenceValue);
                var statistic = Math.Max(down, up);
                while (pointer < Grid.Length && statistic > Grid[pointer])
                {
                    exposure[pointer] += t + 1;
                    alarms[pointer]++;
                    pointer++;
                }
            }
            for (var j = pointer; j < Grid.Length; j++)
                exposure[j] += horizon;
        }
        return Solve(exposure, alarms, arl0);
    }

    /// <summary>The grid limit (log-ARL interpolated) where exposure / alarms reaches the target.</summary>
    private static (double Limit, double Estimated) Solve(double[] exposure, int[] alarms, double target)
    {
        double Arl(int j) => exposure[j] / Math.Max(alarms[j], 0.5);
        for (var j = 0; j < Grid.Length; j++)
        {
            var arl = Arl(j);
            if (arl < target)
                continue;
            if (j == 0)
                return (Grid[0], arl);
            var below = Math.Log(Arl(j - 1));
            var above = Math.Log(arl);
            var fraction = above > below ? (Math.Log(target) - below) / (above - below) : 1;
            return (Grid[j - 1] + fraction * (Grid[j] - Grid[j - 1]), target);
        }
        return (Grid[^1], Arl(Grid.Length - 1));
    }
}
