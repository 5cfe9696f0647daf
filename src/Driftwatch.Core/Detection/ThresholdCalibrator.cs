using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Detection;

/// <summary>
/// Draws a day's total passes from a fitted baseline for one allocation of trials: the
/// Poisson-binomial of the task rates, mixed over the day effect (a normal on the logit scale,
/// integrated by 8-point Gauss–Hermite quadrature), sampled in constant time with Walker's alias method
/// (Vose 1991's construction).
/// </summary>
internal sealed class DailyTotalSampler
{
    private readonly double[] _probability;
    private readonly int[] _alias;

    public DailyTotalSampler(Baseline baseline, int[] trials)
    {
        var total = trials.Sum();
        var pmf = new double[total + 1];
        if (baseline.DayShockSd <= 0)
        {
            pmf = PoissonBinomial.Pmf(baseline.Rates, trials);
        }
        else
        {
            var (nodes, weights) = GaussHermite.Rule(8);
            var rates = new double[baseline.TaskCount];
            for (var q = 0; q < nodes.Length; q++)
            {
                for (var i = 0; i < rates.Length; i++)
                    rates[i] = Logit.Inverse(baseline.TaskLogit(i) + baseline.DayShockSd * nodes[q]);
                var node = PoissonBinomial.Pmf(rates, trials);
                for (var y = 0; y <= total; y++)
                    pmf[y] += weights[q] * node[y];
            }
        }
        (_probability, _alias) = AliasTable(pmf);
    }

    public int Sample(Rng rng)
    {
        var u = rng.NextDouble() * _probability.Length;
        var i = (int)u;
        return u - i < _probability[i] ? i : _alias[i];
    }

    private static (double[] Probability, int[] Alias) AliasTable(double[] pmf)
    {
        var n = pmf.Length;
        var sum = pmf.Sum();
        var scaled = pmf.Select(p => p / sum * n).ToArray();
        var probability = new double[n];
        var alias = new int[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var i = 0; i < n; i++)
            (scaled[i] < 1 ? small : large).Push(i);
        while (small.Count > 0 && large.Count > 0)
        {
            var less = small.Pop();
            var more = large.Pop();
            probability[less] = scaled[less];
            alias[less] = more;
            scaled[more] = scaled[more] + scaled[less] - 1;
            (scaled[more] < 1 ? small : large).Push(more);
        }
        while (large.Count > 0)
            probability[large.Pop()] = 1;
        while (small.Count > 0)
            probability[small.Pop()] = 1;
        return (probability, alias);
    }
}

/// <summary>
/// Calibrates the alarm limits of the CUSUM and the EWMA to the false-alarm budget by simulation
/// from the fitted baseline. Each simulated path draws a new set of baseline days from the fitted
/// model (task rates, day effect, the same trials per day) and fits its own baseline from them — so
/// the noise of estimating a baseline from a few weeks is part of the calibration — and then
/// monitors days drawn from the fitted model with nothing changed. The limit is the one at which
/// the mean over paths of the days to the first alarm (each path capped, as `simulate` caps its
/// runs) reaches the ARL0 target. A pilot with a coarse grid and a short horizon brackets the limit
/// (its exposure/alarms estimate errs on the high side), then the main pass follows each path
/// until its statistic passes the top of the bracket or the cap.
/// </summary>
internal static class ThresholdCalibrator
{
    private static readonly double[] CusumGrid = Grid(0.2, 25, 0.05);
    private static readonly double[] EwmaGridInSds = Grid(0.5, 8, 0.02);

    private sealed record Setup(
        Func<Baseline, IAllocation> Policy, double DropShift, double TargetDrop, double Lambda, double Clip,
        Baseline Fitted, IReadOnlyList<int[]> BaselineAllocations)
    {
        private readonly Dictionary<(Baseline, string), DailyTotalSampler> _samplers = [];

        /// <summary>The true model's sampler for an allocation (shared by paths that allocate alike).</summary>
        public DailyTotalSampler Sampler(int[] trials)
        {
            var key = (Fitted, string.Join(',', trials));
            if (!_samplers.TryGetValue(key, out var sampler))
                _samplers[key] = sampler = new DailyTotalSampler(Fitted, trials);
            return sampler;
        }
    }

    /// <summary>Calibrates a detector whose monitoring allocation is fixed.</summary>
    public static Thresholds Calibrate(Baseline fitted, IReadOnlyList<int[]> baselineAllocations, IAllocation monitoring, DetectorOptions options, ulong seed, bool downOnly = false) =>
        Calibrate(fitted, baselineAllocations, _ => monitoring, options, seed, downOnly);

    /// <summary>
    /// Calibrates both directions (worse and better) of both detectors. <paramref name="policy"/>
    /// chooses the monitoring allocation from a fitted baseline: each path applies it to its own
    /// refitted baseline, so that an allocation chosen from noisy rates (adaptive allocation favours
    /// tasks that merely looked informative) is calibrated for what it really does.
    /// </summary>
    /// <remarks>With <paramref name="downOnly"/> the "better" limits are not calibrated (NaN): `simulate` measures drops only.</remarks>
    public static Thresholds Calibrate(Baseline fitted, IReadOnlyList<int[]> baselineAllocations, Func<Baseline, IAllocation> policy, DetectorOptions options, ulong seed, bool downOnly = false)
    {
        var setup = new Setup(
            policy,
            fitted.LogitShiftForDrop(options.TargetDrop),
            options.TargetDrop,
            options.EwmaLambda,
            options.EvidenceClip,
            fitted,
            baselineAllocations);
        var ewmaSd = Math.Sqrt(options.EwmaLambda / (2 - options.EwmaLambda));
        var ewmaGrid = EwmaGridInSds.Select(m => m * ewmaSd).ToArray();
        var fullGrids = downOnly ? new[] { CusumGrid, ewmaGrid } : new[] { CusumGrid, ewmaGrid, CusumGrid, ewmaGrid };
        var count = fullGrids.Length;

        // Pilot: every grid point, a short horizon, exposure/alarms (geometric) estimates.
        var pilotPaths = Math.Max(50, options.CalibrationPaths / 3);
        var pilotHorizon = Math.Max(50, (int)Math.Ceiling(options.CalibrationHorizon * options.Arl0));
        var pilot = Simulate(setup, fullGrids, pilotPaths, pilotHorizon, seed, salt: 0);

        // The fitted day effect τ̂ is biased upwards (an excess variance estimated as negative is
        // cut to zero), so a model simulated with τ̂ is noisier than the world that produced it and
        // its limits too cautious. Parametric-bootstrap bias correction (Efron & Tibshirani 1993,
        // §10.6): τ² ← 2τ̂² − mean(τ̂*²) over the pilot's refits, floored at zero.
        if (fitted.DayShockSd > 0)
        {
            var corrected = 2 * fitted.DayShockSd * fitted.DayShockSd - pilot.RefitDayShockSquares / pilotPaths;
            setup = setup with { Fitted = fitted.WithDayShock(Math.Sqrt(Math.Max(0, corrected))) };
        }
        var pilotLimits = new double[count];
        for (var s = 0; s < count; s++)
            pilotLimits[s] = Solve(fullGrids[s], pilot.Exposure[s], pilot.Alarms[s], options.Arl0, geometric: true, out _);

        // Main pass: a bracket below the pilot limit, paths capped at the ARL0 cap of `simulate`.
        var grids = new double[count][];
        for (var s = 0; s < count; s++)
            grids[s] = Bracket(fullGrids[s], pilotLimits[s], ReferenceEquals(fullGrids[s], CusumGrid) ? 60 : 80);
        var cap = (int)Math.Ceiling(options.CalibrationCap);
        var main = Simulate(setup, grids, options.CalibrationPaths, cap, seed, salt: 1);
        var limits = new double[count];
        var estimates = new double[count];
        for (var s = 0; s < count; s++)
            limits[s] = Solve(grids[s], main.Exposure[s], main.Alarms[s], options.Arl0, geometric: false, out estimates[s], paths: options.CalibrationPaths);
        if (options.Guarantee > 0)
        {
            // The CUSUM limits (statistics 0 and, both ways, 2) raised from "ARL0 on average over
            // baselines" to "ARL0 for this baseline, with the stated confidence" (Gandy & Kvaløy 2013).
            var maxMargin = MaxGuaranteeDays * options.EvidenceClip;
            limits[0] += GuaranteeMargin([.. main.Drifts.Select(d => (d.Down, d.Sd))], options.Arl0, cap, options.Guarantee, maxMargin);
            if (!downOnly)
                limits[2] += GuaranteeMargin([.. main.Drifts.Select(d => (d.Up, d.Sd))], options.Arl0, cap, options.Guarantee, maxMargin);
        }
        return downOnly
            ? new Thresholds(limits[0], double.NaN, limits[1], double.NaN) { EstimatedCusumArl0 = estimates[0] }
            : new Thresholds(limits[0], limits[2], limits[1], limits[3]) { EstimatedCusumArl0 = estimates[0] };
    }

    /// <summary>
    /// Run lengths per grid point, and per path the drift and spread (in the path's own standard
    /// deviations) of the CUSUM increments "worse" (−z − k) and "better" (z − k) under the true
    /// model, with the chart standardised by the path's refitted baseline.
    /// </summary>
    private sealed record Tally(double[][] Exposure, int[][] Alarms, double RefitDayShockSquares, PathDrift[] Drifts);

    /// <summary>One refitted baseline's CUSUM increments under the true model: mean "worse", mean "better", standard deviation.</summary>
    internal readonly record struct PathDrift(double Down, double Up, double Sd);

    /// <summary>Follows paths until every statistic passed the top of its grid or the horizon; tallies run lengths per grid point.</summary>
    private static Tally Simulate(Setup setup, double[][] grids, int paths, int horizon, ulong seed, int salt)
    {
        var exposure = grids.Select(g => new double[g.Length]).ToArray();
        var alarms = grids.Select(g => new int[g.Length]).ToArray();
        var runLength = grids.Select(g => new int[g.Length]).ToArray();
        var count = grids.Length;
        var pointer = new int[count];
        var statistic = new double[4];
        var lambda = setup.Lambda;

        var baselinePasses = setup.BaselineAllocations.Select(a => new int[a.Length]).ToArray();
        var refitDayShockSquares = 0.0;
        var drifts = new PathDrift[paths];
        for (var path = 0; path < paths; path++)
        {
            var rng = Rng.Derive(seed, salt, path);
            SimulatePasses(setup.Fitted, setup.BaselineAllocations, baselinePasses, rng);
            var refit = Baseline.Fit(setup.BaselineAllocations, baselinePasses);
            refitDayShockSquares += refit.DayShockSd * refit.DayShockSd;
            var allocation = setup.Policy(refit);
            var patterns = Enumerable.Range(0, allocation.Period).Select(allocation.TrialsOn).ToArray();
            var samplers = new DailyTotalSampler[patterns.Length];
            var means = new double[patterns.Length];
            var sds = new double[patterns.Length];
            var ks = new double[patterns.Length];
            double driftDown = 0, driftUp = 0, spread = 0;
            for (var p = 0; p < patterns.Length; p++)
            {
                samplers[p] = setup.Sampler(patterns[p]);
                var (mean, variance) = refit.Expect(patterns[p]);
                means[p] = mean;
                sds[p] = Math.Sqrt(Math.Max(variance, 1e-12));
                ks[p] = refit.ShiftInStandardDeviations(patterns[p], setup.TargetDrop, setup.DropShift) / 2;
                var (trueMean, trueVariance) = setup.Fitted.Expect(patterns[p]);
                var bias = (trueMean - mean) / sds[p];
                driftDown += -bias - ks[p];
                driftUp += bias - ks[p];
                spread += trueVariance / (sds[p] * sds[p]);
            }
            drifts[path] = new PathDrift(driftDown / patterns.Length, driftUp / patterns.Length, Math.Sqrt(spread / patterns.Length));

            Array.Clear(pointer);
            double down = 0, up = 0, ewma = 0;
            for (var t = 0; t < horizon; t++)
            {
                var p = t % patterns.Length;
                var z = Math.Clamp((samplers[p].Sample(rng) - means[p]) / sds[p], -setup.Clip, setup.Clip);
                down = Math.Max(0, down - z - ks[p]);
                up = Math.Max(0, up + z - ks[p]);
                ewma = lambda * z + (1 - lambda) * ewma;
                statistic[0] = down;
                statistic[1] = -ewma;
                statistic[2] = up;
                statistic[3] = ewma;
                var finished = true;
                for (var s = 0; s < count; s++)
                {
                    var grid = grids[s];
                    while (pointer[s] < grid.Length && statistic[s] > grid[pointer[s]])
                        runLength[s][pointer[s]++] = t + 1;
                    finished &= pointer[s] == grid.Length;
                }
                if (finished)
                    break;
            }
            for (var s = 0; s < count; s++)
            {
                for (var j = 0; j < grids[s].Length; j++)
                {
                    if (j < pointer[s])
                    {
                        exposure[s][j] += runLength[s][j];
                        alarms[s][j]++;
                    }
                    else
                    {
                        exposure[s][j] += horizon;
                    }
                }
            }
        }
        return new Tally(exposure, alarms, refitDayShockSquares, drifts);
    }

    /// <summary>The guarantee raises a limit by at most this many days of evidence at the clip.</summary>
    public const double MaxGuaranteeDays = 2;

    /// <summary>
    /// How much a CUSUM limit calibrated on average over baselines must rise so that the in-control
    /// ARL of the baseline actually observed reaches the target with probability
    /// <paramref name="confidence"/> — the guaranteed conditional performance of Gandy &amp; Kvaløy
    /// (2013) by parametric bootstrap. Each calibration path is one bootstrap replicate: a baseline
    /// refitted from days drawn from the fitted model, whose chart is then run against the fitted
    /// model as the truth; its increments have a drift and spread (<paramref name="paths"/>).
    /// Siegmund's (1985) approximation gives each replicate's ARL as a function of the limit: the
    /// margin is the <paramref name="confidence"/> quantile of the replicates' own limits minus the
    /// limit that gives the target on average (capped as the simulation caps), so that the
    /// simulated calibration keeps its exact shape and the bootstrap adds only the spread. The margin
    /// is at most <paramref name="maxMargin"/>.
    /// </summary>
    internal static double GuaranteeMargin(IReadOnlyList<(double Drift, double Sd)> paths, double target, double cap, double confidence, double maxMargin = double.PositiveInfinity) =>
        GuaranteeMargin([.. paths.Select(p => (Func<double, double>)(h => SiegmundArl(h, p.Drift, p.Sd)))], target, cap, confidence, maxMargin);

    /// <summary>The same margin for replicates whose ARL as a function of the limit is given (a two-sided chart adds its sides' alarm rates).</summary>
    internal static double GuaranteeMargin(IReadOnlyList<Func<double, double>> arls, double target, double cap, double confidence, double maxMargin)
    {
        if (arls.Count == 0)
            return 0;
        var own = arls.Select(arl => SolveLimit(arl, target)).Order().ToArray();
        var average = SolveLimit(h => arls.Average(arl => Math.Min(cap, arl(h))), target);
        var quantile = PairedBootstrap.Quantile(own, confidence);
        // A baseline of a week of a few tasks cannot be guaranteed anything useful: its replicates'
        // limits run off towards infinity. The margin stops at maxMargin (two days of evidence at
        // the clip), so that an unmistakable change is never held back more than two days.
        return Math.Clamp(quantile - average, 0, maxMargin);
    }

    /// <summary>
    /// Siegmund's approximation to the average run length of a CUSUM S = max(0, S + w) with limit h,
    /// for increments w of mean <paramref name="drift"/> and standard deviation <paramref name="sd"/>:
    /// (e^(−2Δb) + 2Δb − 1) / 2Δ², Δ = drift/sd, b = h/sd + 1.166.
    /// </summary>
    internal static double SiegmundArl(double h, double drift, double sd)
    {
        var b = h / sd + 1.166;
        var delta = drift / sd;
        if (Math.Abs(delta) < 1e-9)
            return b * b;
        var exponent = -2 * delta * b;
        return exponent > 700 ? double.MaxValue : (Math.Exp(exponent) + 2 * delta * b - 1) / (2 * delta * delta);
    }

    /// <summary>The smallest limit (to 1e-6) whose ARL reaches the target, by bisection on an increasing ARL.</summary>
    private static double SolveLimit(Func<double, double> arl, double target)
    {
        double low = 0, high = 1;
        while (arl(high) < target && high < 1e4)
            high *= 2;
        for (var i = 0; i < 60 && high - low > 1e-6; i++)
        {
            var middle = (low + high) / 2;
            if (arl(middle) < target)
                low = middle;
            else
                high = middle;
        }
        return high;
    }

    /// <summary>Simulates days under a fitted baseline with the given trials per task per day.</summary>
    public static List<DayCounts> SimulateDays(Baseline model, IReadOnlyList<int[]> allocations, Rng rng)
    {
        var passes = allocations.Select(a => new int[a.Length]).ToArray();
        SimulatePasses(model, allocations, passes, rng);
        return [.. allocations.Select((trials, d) => new DayCounts(default, trials, passes[d]))];
    }

    /// <summary>Fills <paramref name="passes"/> with one simulated day per allocation.</summary>
    private static void SimulatePasses(Baseline model, IReadOnlyList<int[]> allocations, int[][] passes, Rng rng)
    {
        var tasks = model.TaskCount;
        var rates = model.Rates;
        for (var d = 0; d < allocations.Count; d++)
        {
            var trials = allocations[d];
            var day = passes[d];
            var shock = model.DayShockSd > 0 ? model.DayShockSd * rng.NextNormal() : 0;
            for (var i = 0; i < tasks; i++)
            {
                var n = trials[i];
                if (n == 0)
                {
                    day[i] = 0;
                    continue;
                }
                var p = shock == 0 ? rates[i] : Logit.Inverse(model.TaskLogit(i) + shock);
                day[i] = n == 1 ? (rng.NextDouble() < p ? 1 : 0) : rng.NextBinomial(n, p);
            }
        }
    }

    /// <summary>
    /// The grid limit (interpolated) where the estimated ARL0 reaches the target: exposure / alarms
    /// (a geometric run length, censored at the horizon) or the plain mean of the capped run lengths.
    /// </summary>
    internal static double Solve(double[] grid, double[] exposure, int[] alarms, double target, bool geometric, out double estimated, int paths = 0)
    {
        double Arl(int j) => geometric ? exposure[j] / Math.Max(alarms[j], 0.5) : exposure[j] / paths;
        for (var j = 0; j < grid.Length; j++)
        {
            var arl = Arl(j);
            if (arl < target)
                continue;
            if (j == 0)
            {
                estimated = arl;
                return grid[0];
            }
            // Interpolate log(ARL) linearly between the two grid points around the target.
            var below = Math.Log(Arl(j - 1));
            var above = Math.Log(arl);
            var fraction = above > below ? (Math.Log(target) - below) / (above - below) : 1;
            estimated = target;
            return grid[j - 1] + fraction * (grid[j] - grid[j - 1]);
        }
        estimated = Arl(grid.Length - 1);
        return grid[^1];
    }

    /// <summary>
    /// The main pass's grid: from <paramref name="below"/> points under the pilot's limit to six above
    /// it (the pilot's exposure / alarms estimate errs on the high side, so the limit lies within).
    /// </summary>
    internal static double[] Bracket(double[] grid, double pilotLimit, int below)
    {
        var top = Array.FindIndex(grid, g => g >= pilotLimit);
        top = top < 0 ? grid.Length - 1 : Math.Min(grid.Length - 1, top + 6);
        return grid[Math.Max(0, top - below)..(top + 1)];
    }

    internal static double[] Grid(double from, double to, double step) =>
        Enumerable.Range(0, (int)Math.Round((to - from) / step) + 1).Select(i => from + i * step).ToArray();
}
