namespace Driftwatch.Core.Detection;

/// <summary>
/// What "normal" looks like for one agent × suite, fitted from the baseline days (docs/detection.md):
/// per-task pass rates shrunk toward the suite mean (empirical-Bayes beta-binomial, so a task seen
/// a few times is never exactly 0 or 1), and day-to-day overdispersion as a random day effect on
/// the logit scale (a "day shock" of standard deviation τ shared by every trial of a day). The
/// null of a day's total passes is then Poisson-binomial with variance Σ nᵢpᵢ(1−pᵢ), inflated by
/// τ²·(Σ nᵢpᵢ(1−pᵢ))² — the first-order effect of the day shock.
/// </summary>
public sealed class Baseline
{
    private readonly double[] _logits;

    private Baseline(double[] rates, double priorAlpha, double priorBeta, double dayShockSd, int days, int[] trials, int[] passes)
    {
        Rates = rates;
        _logits = rates.Select(Detection.Logit.Of).ToArray();
        PriorAlpha = priorAlpha;
        PriorBeta = priorBeta;
        DayShockSd = dayShockSd;
        Days = days;
        Trials = trials;
        Passes = passes;
        PassRate = trials.Sum() == 0 ? rates.Average() : (double)passes.Sum() / trials.Sum();
    }

    /// <summary>A model with exactly these rates (no estimation): what planning and simulation assume is true.</summary>
    public static Baseline Of(IReadOnlyList<double> rates, double dayShockSd = 0) =>
        new([.. rates], 1, 1, dayShockSd, 0, new int[rates.Count], new int[rates.Count]);

    /// <summary>The same baseline with another day-effect size (for bias-corrected simulation).</summary>
    public Baseline WithDayShock(double dayShockSd) =>
        new(Rates, PriorAlpha, PriorBeta, dayShockSd, Days, Trials, Passes);

    /// <summary>
    /// Excess day-to-day variance counts as a day effect only when the variance ratio exceeds 1 by
    /// this many of its standard errors (√(2/(B−1)), one-sided 10%): a few weeks of days often show
    /// some excess by chance, and a model fitted with it would be needlessly cautious.
    /// </summary>
    public const double OverdispersionGate = 1.2816;

    /// <summary>Shrunk pass rate of each task.</summary>
    public double[] Rates { get; }

    public double PriorAlpha { get; }
    public double PriorBeta { get; }

    /// <summary>τ̂: standard deviation of the day effect on the logit scale (0: none detected).</summary>
    public double DayShockSd { get; }

    /// <summary>Number of baseline days.</summary>
    public int Days { get; }

    /// <summary>Per-task baseline trials and passes.</summary>
    public int[] Trials { get; }
    public int[] Passes { get; }

    /// <summary>The pooled baseline pass rate, Σx/Σn (the trackers' "hand-set" baseline).</summary>
    public double PassRate { get; }

    public int TaskCount => Rates.Length;

    public double TaskLogit(int task) => _logits[task];

    /// <summary>Mean and variance of a day's total passes under the baseline, for the day's trials per task.</summary>
    public (double Mean, double Variance) Expect(int[] trials)
    {
        double mean = 0, binomial = 0;
        for (var i = 0; i < trials.Length; i++)
        {
            if (trials[i] == 0)
                continue;
            var p = Rates[i];
            mean += trials[i] * p;
            binomial += trials[i] * p * (1 - p);
        }
        return (mean, binomial + DayShockSd * DayShockSd * binomial * binomial);
    }

    /// <summary>The day's evidence: (passes − expected) / standard deviation; negative when worse.</summary>
    public double Standardize(DayCounts day)
    {
        var (mean, variance) = Expect(day.Trials);
        return variance <= 0 ? 0 : (day.TotalPasses - mean) / Math.Sqrt(variance);
    }

    private readonly Dictionary<double, double> _dropShifts = [];

    /// <summary>The logit shift of every task that lowers the suite mean of these rates by <paramref name="drop"/>.</summary>
    public double LogitShiftForDrop(double drop)
    {
        lock (_dropShifts)
        {
            if (!_dropShifts.TryGetValue(drop, out var shift))
                _dropShifts[drop] = shift = Detection.Logit.ShiftForMeanChange(Rates, -drop);
            return shift;
        }
    }

    /// <summary>
    /// How many standard deviations a drop of <paramref name="drop"/> in the suite-mean pass rate
    /// (a uniform logit shift, as in docs/detection.md) moves a day with these trials.
    /// </summary>
    public double ShiftInStandardDeviations(int[] trials, double drop) => ShiftInStandardDeviations(trials, drop, LogitShiftForDrop(drop));

    /// <summary>The same, for a given logit shift.</summary>
    public double ShiftInStandardDeviations(int[] trials, double drop, double shift)
    {
        _ = drop;
        var (_, variance) = Expect(trials);
        var change = 0.0;
        for (var i = 0; i < trials.Length; i++)
            change += trials[i] * (Rates[i] - Detection.Logit.Inverse(_logits[i] + shift));
        return variance <= 0 ? 0 : change / Math.Sqrt(variance);
    }

    /// <summary>Fits a baseline from its days (trials per task per day; errors already excluded).</summary>
    public static Baseline Fit(IReadOnlyList<DayCounts> days)
    {
        if (days.Count == 0)
            throw new ArgumentException("a baseline needs at least one day", nameof(days));
        return Fit([.. days.Select(d => d.Trials)], [.. days.Select(d => d.Passes)]);
    }

    /// <summary>Fits a baseline from per-day arrays of trials and passes per task (the calibration's hot path).</summary>
    public static Baseline Fit(IReadOnlyList<int[]> dayTrials, IReadOnlyList<int[]> dayPasses)
    {
        var tasks = dayTrials[0].Length;
        var trials = new int[tasks];
        var passes = new int[tasks];
        for (var d = 0; d < dayTrials.Count; d++)
        {
            var n = dayTrials[d];
            var x = dayPasses[d];
            for (var i = 0; i < tasks; i++)
            {
                trials[i] += n[i];
                passes[i] += x[i];
            }
        }

        var (alpha, beta) = FitPrior(trials, passes);
        var rates = new double[tasks];
        for (var i = 0; i < tasks; i++)
            rates[i] = (passes[i] + alpha) / (trials[i] + alpha + beta);

        var tau = FitDayShock(dayTrials, dayPasses, rates);
        return new Baseline(rates, alpha, beta, tau, dayTrials.Count, trials, passes);
    }

    /// <summary>
    /// Beta(α, β) across tasks by the method of moments on the observed task rates, the binomial
    /// sampling variance removed (Kleinman 1973). Its strength α+β is kept between 0.5 and 200.
    /// </summary>
    internal static (double Alpha, double Beta) FitPrior(int[] trials, int[] passes)
    {
        int seen = 0;
        double rateSum = 0;
        for (var i = 0; i < trials.Length; i++)
        {
            if (trials[i] == 0)
                continue;
            seen++;
            rateSum += (double)passes[i] / trials[i];
        }
        if (seen == 0)
            return (1, 1);
        var mean = Math.Clamp(rateSum / seen, 0.01, 0.99);
        double squares = 0, sampling = 0;
        for (var i = 0; i < trials.Length; i++)
        {
            if (trials[i] == 0)
                continue;
            var r = (double)passes[i] / trials[i];
            squares += (r - mean) * (r - mean);
            sampling += mean * (1 - mean) / trials[i];
        }
        var observed = seen > 1 ? squares / (seen - 1) : 0;
        var between = observed - sampling / seen;
        var strength = between > 1e-9 ? mean * (1 - mean) / between - 1 : 200;
        strength = Math.Clamp(strength, 0.5, 200);
        return (mean * strength, (1 - mean) * strength);
    }

    /// <summary>
    /// τ̂² by the method of moments: the residual variance of the daily totals beyond the binomial
    /// variance, divided by the mean squared binomial variance; 0 when there is no excess.
    /// </summary>
    private static double FitDayShock(IReadOnlyList<int[]> dayTrials, IReadOnlyList<int[]> dayPasses, double[] rates)
    {
        var days = dayTrials.Count;
        if (days < 3)
            return 0;
        double residual = 0, binomial = 0, binomialSquared = 0;
        for (var d = 0; d < days; d++)
        {
            var n = dayTrials[d];
            var x = dayPasses[d];
            double mean = 0, variance = 0, total = 0;
            for (var i = 0; i < rates.Length; i++)
            {
                if (n[i] == 0)
                    continue;
                mean += n[i] * rates[i];
                variance += n[i] * rates[i] * (1 - rates[i]);
                total += x[i];
            }
            residual += (total - mean) * (total - mean);
            binomial += variance;
            binomialSquared += variance * variance;
        }
        // The rates were fitted on these same days: (n − 1) corrects the residual for that, roughly.
        var ratio = residual / (days - 1) / (binomial / days);
        if (ratio <= 1 + OverdispersionGate * Math.Sqrt(2.0 / (days - 1)))
            return 0;
        var excess = residual / (days - 1) - binomial / days;
        return excess <= 0 || binomialSquared <= 0 ? 0 : Math.Sqrt(excess / (binomialSquared / days));
    }
}
