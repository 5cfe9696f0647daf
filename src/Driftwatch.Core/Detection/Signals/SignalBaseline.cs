namespace Driftwatch.Core.Detection.Signals;

/// <summary>One day of one continuous signal: each trial's task (an index) and its value on the detection scale.</summary>
public sealed record SignalSample(DateOnly Day, int[] Tasks, double[] Values, double[] Raw)
{
    public int Count => Values.Length;
}

/// <summary>
/// The detection scale of a signal: log(x + c) for a relative metric, with c half the smallest
/// positive baseline value so that a zero (no tool calls) stays finite without distorting the
/// large values a relative change is about; the value itself for an absolute one.
/// </summary>
public readonly record struct SignalScale(bool Relative, double Offset)
{
    public double Of(double value) => Relative ? Math.Log(Math.Max(value, 0) + Offset) : value;

    /// <summary>The scale of a metric whose baseline values are <paramref name="baselineValues"/>; null when a relative metric has no positive value to set it.</summary>
    public static SignalScale? For(bool relative, IEnumerable<double> baselineValues)
    {
        if (!relative)
            return new SignalScale(false, 0);
        var positive = baselineValues.Where(v => v > 0).DefaultIfEmpty(double.NaN).Min();
        return double.IsNaN(positive) ? null : new SignalScale(true, positive / 2);
    }
}

/// <summary>
/// What "normal" looks like for one continuous signal (docs/signals.md): each task's own mean on
/// the detection scale (so easy and hard tasks mix), the spread of a trial around its task's mean
/// within a day (σ), and a day effect shared by the trials of a day (ω), both by the method of
/// moments on the baseline days. A day of n trials then has a mean normalised value of variance
/// σ²/n + ω² when nothing changed.
/// </summary>
public sealed class SignalBaseline
{
    private SignalBaseline(double[] taskMeans, bool[] known, double within, double dayEffect, int days, int trials)
    {
        TaskMeans = taskMeans;
        Known = known;
        WithinSd = within;
        DayEffectSd = dayEffect;
        Days = days;
        Trials = trials;
    }

    /// <summary>Each task's mean on the detection scale (NaN for a task without baseline values).</summary>
    public double[] TaskMeans { get; }

    /// <summary>Whether a task has baseline values (a trial of an unknown task cannot be normalised and is left out).</summary>
    public bool[] Known { get; }

    /// <summary>σ̂: standard deviation of a trial around its task's mean, within a day.</summary>
    public double WithinSd { get; }

    /// <summary>ω̂: standard deviation of the day effect (0: none beyond chance).</summary>
    public double DayEffectSd { get; }

    public int Days { get; }
    public int Trials { get; }

    /// <summary>The trial's value less its task's baseline mean (NaN when the task is unknown).</summary>
    public double Normalise(int task, double value) => Known[task] ? value - TaskMeans[task] : double.NaN;

    /// <summary>Standard deviation of a day's mean normalised value over <paramref name="trials"/> trials, under the baseline.</summary>
    public double DaySd(int trials) => trials <= 0 ? double.NaN : Math.Sqrt(WithinSd * WithinSd / trials + DayEffectSd * DayEffectSd);

    /// <summary>The mean normalised value of a day and its trials (those of known tasks).</summary>
    public (double Mean, int Trials) DayMean(SignalSample day)
    {
        double sum = 0;
        var n = 0;
        for (var j = 0; j < day.Count; j++)
        {
            var task = day.Tasks[j];
            if (!Known[task])
                continue;
            sum += day.Values[j] - TaskMeans[task];
            n++;
        }
        return (n == 0 ? double.NaN : sum / n, n);
    }

    /// <summary>The day's evidence: its mean normalised value in baseline standard deviations, clipped to ±<paramref name="clip"/>; 0 for a day without trials.</summary>
    public double Evidence(SignalSample day, double clip)
    {
        var (mean, n) = DayMean(day);
        if (n == 0)
            return 0;
        var sd = DaySd(n);
        return sd > 0 ? Math.Clamp(mean / sd, -clip, clip) : 0;
    }

    /// <summary>
    /// Fits the baseline: task means; V, the variance of a trial around its task's mean (corrected
    /// for the fitted means), and D, the variance of the daily mean normalised values; then
    /// E[D] = ω² + σ²·mean(1/nₜ) and V = σ² + ω² give ω² = (D − V·m)/(1 − m), floored at 0.
    /// </summary>
    public static SignalBaseline Fit(IReadOnlyList<SignalSample> days, int taskCount)
    {
        var sums = new double[taskCount];
        var counts = new int[taskCount];
        foreach (var day in days)
        {
            for (var j = 0; j < day.Count; j++)
            {
                sums[day.Tasks[j]] += day.Values[j];
                counts[day.Tasks[j]]++;
            }
        }
        var means = new double[taskCount];
        var known = new bool[taskCount];
        var seen = 0;
        for (var i = 0; i < taskCount; i++)
        {
            known[i] = counts[i] > 0;
            means[i] = known[i] ? sums[i] / counts[i] : double.NaN;
            if (known[i])
                seen++;
        }

        double squares = 0;
        var trials = 0;
        var dayMeans = new List<double>(days.Count);
        double inverseTrials = 0;
        foreach (var day in days)
        {
            if (day.Count == 0)
                continue;
            double sum = 0;
            for (var j = 0; j < day.Count; j++)
            {
                var r = day.Values[j] - means[day.Tasks[j]];
                squares += r * r;
                sum += r;
            }
            trials += day.Count;
            dayMeans.Add(sum / day.Count);
            inverseTrials += 1.0 / day.Count;
        }
        var freedom = trials - seen;
        var total = freedom > 0 ? squares / freedom : 0;
        var dayVariance = 0.0;
        if (dayMeans.Count > 1)
        {
            var grand = dayMeans.Average();
            dayVariance = dayMeans.Sum(m => (m - grand) * (m - grand)) / (dayMeans.Count - 1);
        }
        var m = dayMeans.Count == 0 ? 1 : inverseTrials / dayMeans.Count;
        var omega2 = m < 1 ? Math.Max(0, (dayVariance - total * m) / (1 - m)) : 0;
        var sigma2 = Math.Max(0, total - omega2);
        return new SignalBaseline(means, known, Math.Sqrt(sigma2), Math.Sqrt(omega2), dayMeans.Count, trials);
    }
}
