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
}

/// <summary>
/// Calibrates a signal's two-sided CUSUM limit h to its share of the false-alarm budget by
/// simulation from its baseline: each path draws new baseline days (each task's mean, plus a day
/// effect resampled from the baseline's, rescaled to ω̂, plus per-trial residuals resampled from the
/// task's own within-day residuals, rescaled to σ̂), refits the baseline from them — so the noise
/// of estimating it from a few weeks is part of the limit — and monitors days drawn the same way
/// with nothing changed. As for the pass rate, h is where the mean over paths of the capped run
/// lengths reaches the target, raised by the guarantee's margin (docs/signals.md). Deterministic
/// for a seed.
/// </summary>
public static class SignalCalibrator
{
    private static readonly double[] Grid = ThresholdCalibrator.Grid(0.1, 15, 0.05);

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

        /// <summary>A day effect, resampled.</summary>
        public double DayEffect(Rng rng) => _dayEffects[rng.NextInt(_dayEffects.Length)];

        /// <summary>
        /// <paramref name="count"/> draws of the mean residual of a day with these tasks' trials (each
        /// trial's residual resampled from its task's pool): what a day adds beyond its day effect and
        /// its tasks' means. It does not depend on a path's refit, so one pool serves every path.
        /// </summary>
        public double[] ResidualMeans(int[] tasks, int count, Rng rng)
        {
            var means = new double[count];
            if (tasks.Length == 0)
                return means;
            for (var i = 0; i < count; i++)
            {
                double sum = 0;
                foreach (var task in tasks)
                {
                    var pool = _residuals[task];
                    if (pool.Length > 0)
                        sum += pool[rng.NextInt(pool.Length)];
                }
                means[i] = sum / tasks.Length;
            }
            return means;
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

    /// <summary>A signal's calibrated limit, and the guarantee's margin within it.</summary>
    public readonly record struct Limit(double Value, double Margin);

    /// <summary>
    /// The limit h at which the two-sided CUSUM (down = max(0, down − z − k), up = max(0, up + z − k),
    /// an alarm when either passes h) has an ARL0 of arl0 days, with k the reference value and the
    /// evidence clipped to ±clip; the baseline days as observed give each path its tasks and the
    /// model its values, the monitored days' tasks are repeated in turn.
    /// As the pass rate's calibration does (docs/detection.md): a pilot over the whole grid with a
    /// short horizon brackets the limit (exposure / alarms), then the main pass takes the mean over
    /// paths of the days to the first alarm, each path capped at <see cref="DetectorOptions.CalibrationCap"/>
    /// as `simulate` caps its runs, and with <see cref="DetectorOptions.Guarantee"/> &gt; 0 the limit
    /// rises by the margin that makes the ARL0 hold for the baseline actually observed with that
    /// confidence (each path's increments have a drift and spread under the model; Siegmund's
    /// approximation of the two-sided chart, 1/ARL = 1/ARL(down) + 1/ARL(up)).
    /// </summary>
    public static Limit Calibrate(
        SignalBaseline fitted, IReadOnlyList<SignalSample> baselineDays, IReadOnlyList<int[]> monitoringTasks,
        double arl0, double referenceValue, DetectorOptions detection, ulong seed)
    {
        var model = new Model(fitted, baselineDays);
        var days = DayShapes(fitted, monitoringTasks.Count > 0 ? monitoringTasks : [.. baselineDays.Select(d => d.Tasks)], model, seed);
        var pilotPaths = Math.Max(50, detection.CalibrationPaths / 3);
        var pilotHorizon = Math.Max(50, (int)Math.Ceiling(detection.CalibrationHorizon * arl0));
        var pilot = Simulate(model, fitted, baselineDays, days, Grid, referenceValue, detection.EvidenceClip, pilotPaths, pilotHorizon, seed, salt: 0);
        var pilotLimit = ThresholdCalibrator.Solve(Grid, pilot.Exposure, pilot.Alarms, arl0, geometric: true, out _);

        var grid = ThresholdCalibrator.Bracket(Grid, pilotLimit, below: 60);
        var cap = (int)Math.Ceiling(detection.CalibrationCap);
        var main = Simulate(model, fitted, baselineDays, days, grid, referenceValue, detection.EvidenceClip, detection.CalibrationPaths, cap, seed, salt: 1);
        var limit = ThresholdCalibrator.Solve(grid, main.Exposure, main.Alarms, arl0, geometric: false, out _, paths: detection.CalibrationPaths);
        var margin = 0.0;
        if (detection.Guarantee > 0)
        {
            margin = ThresholdCalibrator.GuaranteeMargin(
                [.. main.Drifts.Select(d => (Func<double, double>)(h => TwoSidedArl(h, d)))],
                arl0, cap, detection.Guarantee, ThresholdCalibrator.MaxGuaranteeDays * detection.EvidenceClip);
        }
        return new Limit(limit + margin, margin);
    }

    /// <summary>Monitored days with the same tasks are one shape; at most this many shapes (the first seen) are simulated.</summary>
    public const int MaximumDayShapes = 32;

    /// <summary>Draws of a shape's mean residual pooled for all paths.</summary>
    public const int ResidualMeansPerShape = 4096;

    /// <summary>One kind of monitored day: its known tasks and the pool of its mean residuals.</summary>
    private sealed record DayShape(int[] Tasks, double[] ResidualMeans);

    /// <summary>
    /// The monitored days' distinct task lists (known tasks only: a trial of a task without baseline
    /// values is not normalised), the first <see cref="MaximumDayShapes"/> seen, in the order they
    /// came, each with a pool of mean residuals drawn once. The first, not the latest: once that many
    /// were seen a new day changes nothing here, so its calibration is reused (#20).
    /// </summary>
    private static DayShape[] DayShapes(SignalBaseline fitted, IReadOnlyList<int[]> monitoringTasks, Model model, ulong seed)
    {
        var distinct = new List<int[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var d = 0; d < monitoringTasks.Count && distinct.Count < MaximumDayShapes; d++)
        {
            var tasks = monitoringTasks[d].Where(t => fitted.Known[t]).Order().ToArray();
            if (tasks.Length > 0 && seen.Add(string.Join(',', tasks)))
                distinct.Add(tasks);
        }
        if (distinct.Count == 0)
            distinct.Add([.. Enumerable.Range(0, fitted.TaskMeans.Length).Where(t => fitted.Known[t])]);
        var rng = Rng.Derive(seed, 2);
        return [.. distinct.Select(tasks => new DayShape(tasks, model.ResidualMeans(tasks, ResidualMeansPerShape, rng)))];
    }

    /// <summary>Siegmund's approximation of a two-sided CUSUM's ARL: the two sides' alarm rates add.</summary>
    private static double TwoSidedArl(double h, ThresholdCalibrator.PathDrift d) =>
        1 / (1 / ThresholdCalibrator.SiegmundArl(h, d.Down, d.Sd) + 1 / ThresholdCalibrator.SiegmundArl(h, d.Up, d.Sd));

    private sealed record Tally(double[] Exposure, int[] Alarms, ThresholdCalibrator.PathDrift[] Drifts);

    /// <summary>
    /// Follows paths until the statistic passed the top of the grid or the horizon; tallies run
    /// lengths per grid point, and per path the drift and spread of the increments "worse"
    /// (−z − k) and "better" (z − k) under the model, standardised by the path's refitted baseline.
    /// A monitored day costs two draws whatever its trials: its evidence is (day effect + the
    /// shape's bias under the refit + a pooled mean residual) / the refit's daily SD, exactly what
    /// <see cref="SignalBaseline.Evidence"/> gives for a day drawn trial by trial.
    /// </summary>
    private static Tally Simulate(Model model, SignalBaseline fitted, IReadOnlyList<SignalSample> baselineDays, DayShape[] shapes,
        double[] grid, double referenceValue, double clip, int paths, int horizon, ulong seed, int salt)
    {
        var taskCount = fitted.TaskMeans.Length;
        var exposure = new double[grid.Length];
        var alarms = new int[grid.Length];
        var drifts = new ThresholdCalibrator.PathDrift[paths];
        var simulated = new SignalSample[baselineDays.Count];
        var bias = new double[shapes.Length];
        var sds = new double[shapes.Length];
        for (var path = 0; path < paths; path++)
        {
            var rng = Rng.Derive(seed, salt, path);
            for (var d = 0; d < baselineDays.Count; d++)
                simulated[d] = model.Draw(baselineDays[d].Tasks, rng);
            var refit = SignalBaseline.Fit(simulated, taskCount);
            drifts[path] = Drift(fitted, refit, shapes, referenceValue, bias, sds);
            double down = 0, up = 0;
            var pointer = 0;
            for (var t = 0; t < horizon && pointer < grid.Length; t++)
            {
                var p = t % shapes.Length;
                var pool = shapes[p].ResidualMeans;
                var z = sds[p] > 0
                    ? Math.Clamp((model.DayEffect(rng) + bias[p] + pool[rng.NextInt(pool.Length)]) / sds[p], -clip, clip)
                    : 0;
                down = Math.Max(0, down - z - referenceValue);
                up = Math.Max(0, up + z - referenceValue);
                var statistic = Math.Max(down, up);
                while (pointer < grid.Length && statistic > grid[pointer])
                {
                    exposure[pointer] += t + 1;
                    alarms[pointer]++;
                    pointer++;
                }
            }
            for (var j = pointer; j < grid.Length; j++)
                exposure[j] += horizon;
        }
        return new Tally(exposure, alarms, drifts);
    }

    /// <summary>
    /// A refitted baseline's CUSUM increments under the model, averaged over the day shapes: a day's
    /// mean normalised value has mean mean(μ − μ̂*) and variance σ²/n + ω², and the chart divides it
    /// by the refit's √(σ̂*²/n + ω̂*²). Fills each shape's bias and the refit's daily SD.
    /// </summary>
    private static ThresholdCalibrator.PathDrift Drift(SignalBaseline truth, SignalBaseline refit, DayShape[] shapes, double referenceValue, double[] bias, double[] sds)
    {
        double down = 0, up = 0, spread = 0;
        var counted = 0;
        for (var p = 0; p < shapes.Length; p++)
        {
            var tasks = shapes[p].Tasks;
            double sum = 0;
            foreach (var task in tasks)
                sum += truth.TaskMeans[task] - refit.TaskMeans[task];
            var n = tasks.Length;
            bias[p] = sum / n;
            sds[p] = refit.DaySd(n);
            if (!(sds[p] > 0))
                continue;
            var z = bias[p] / sds[p];
            down += -z - referenceValue;
            up += z - referenceValue;
            spread += Math.Pow(truth.DaySd(n) / sds[p], 2);
            counted++;
        }
        return counted == 0
            ? new ThresholdCalibrator.PathDrift(-referenceValue, -referenceValue, 1)
            : new ThresholdCalibrator.PathDrift(down / counted, up / counted, Math.Sqrt(spread / counted));
    }
}
