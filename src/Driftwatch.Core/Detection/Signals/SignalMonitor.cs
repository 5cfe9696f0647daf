using Driftwatch.Core.Metrics;
using Driftwatch.Core.Text;

namespace Driftwatch.Core.Detection.Signals;

/// <summary>
/// Watches every continuous signal of the catalog that a segment's trials carry (docs/signals.md):
/// each trial normalised against its own task's baseline, a daily evidence statistic, a two-sided
/// CUSUM calibrated to the signal's share of the verdict's budget, and a verdict with the change,
/// its interval, the change day and the alarm day.
/// </summary>
public static class SignalMonitor
{
    /// <summary>A signal's values over the baseline and monitored days, on its detection scale.</summary>
    public sealed record Series(ITrialMetric Metric, SignalScale? Scale, string[] Tasks, IReadOnlyList<SignalSample> Baseline, IReadOnlyList<SignalSample> Monitoring)
    {
        public int BaselineTrials => Baseline.Sum(d => d.Count);
    }

    /// <summary>
    /// The catalog signals present in the runs, each split into baseline and monitored days (days
    /// outside both, and trials without a value, are left out).
    /// </summary>
    public static IReadOnlyList<Series> Collect(IReadOnlyList<HistoryRun> runs, IReadOnlyCollection<DateOnly> baselineDays, IReadOnlyCollection<DateOnly> monitoredDays, IReadOnlyList<ITrialMetric>? catalog = null)
    {
        var baselineSet = baselineDays.ToHashSet();
        var monitoredSet = monitoredDays.ToHashSet();
        var rows = runs.Where(r => baselineSet.Contains(r.Day) || monitoredSet.Contains(r.Day))
            .SelectMany(r => r.Metrics.Select(m => (r.Day, Values: m)))
            .ToList();
        if (rows.Count == 0)
            return [];
        // One pass over the trials' metrics, each value to its signal's list in trial order (a
        // lookup per signal per trial in the trials' sorted dictionaries cost a second at 100k trials).
        var metrics = catalog ?? TrialMetrics.All;
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var m = 0; m < metrics.Count; m++)
            slots.TryAdd(metrics[m].Name, m);
        var lists = metrics.Select(_ => new List<(DateOnly Day, string TaskId, double Value)>()).ToArray();
        foreach (var (day, trial) in rows)
        {
            foreach (var (name, value) in trial.Metrics)
            {
                if (double.IsFinite(value) && slots.TryGetValue(name, out var slot))
                    lists[slot].Add((day, trial.TaskId, value));
            }
        }
        var result = new List<Series>();
        for (var m = 0; m < metrics.Count; m++)
        {
            var metric = metrics[m];
            var values = slots[metric.Name] == m ? lists[m] : [.. lists[slots[metric.Name]]];
            if (values.Count == 0)
                continue;
            var tasks = new HashSet<string>(values.Select(v => v.TaskId), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var index = new Dictionary<string, int>(tasks.Length, StringComparer.Ordinal);
            for (var i = 0; i < tasks.Length; i++)
                index[tasks[i]] = i;
            var scale = SignalScale.For(metric.Relative, values.Where(v => baselineSet.Contains(v.Day)).Select(v => v.Value));
            // Each day's values in trial order, the days in date order (one pass, no grouping).
            var byDay = new Dictionary<DateOnly, (List<int> Tasks, List<double> Values, List<double> Raw)>();
            foreach (var (day, taskId, value) in values)
            {
                if (!byDay.TryGetValue(day, out var sample))
                    byDay[day] = sample = ([], [], []);
                sample.Tasks.Add(index[taskId]);
                sample.Values.Add(scale?.Of(value) ?? double.NaN);
                sample.Raw.Add(value);
            }
            List<SignalSample> Days(HashSet<DateOnly> set) =>
            [
                .. byDay.Keys.Where(set.Contains).Order().Select(day => new SignalSample(day, [.. byDay[day].Tasks], [.. byDay[day].Values], [.. byDay[day].Raw])),
            ];
            result.Add(new Series(metric, scale, tasks, Days(baselineSet), Days(monitoredSet)));
        }
        return result;
    }

    /// <summary>A within-task spread at or below this (on the detection scale) counts as none.</summary>
    public const double MinimumSpread = 1e-6;

    /// <summary>Why a signal is not watched, or null when it is: too few baseline values or days, or no spread.</summary>
    public static string? NotWatched(Series series, SignalBaseline? fitted, SignalOptions options)
    {
        var trials = series.BaselineTrials;
        if (series.Scale is null)
            return "no positive baseline value";
        if (trials < options.MinimumBaselineTrials || series.Baseline.Count < options.MinimumBaselineDays)
            return $"{trials} baseline value(s) on {series.Baseline.Count} day(s), {options.MinimumBaselineTrials} on {options.MinimumBaselineDays} days needed";
        // A value fixed per task (input tokens of a fixed prompt) has no spread but rounding: nothing to standardise by.
        if (fitted is null || fitted.WithinSd <= MinimumSpread)
            return "no spread in the baseline";
        return null;
    }

    /// <summary>
    /// The verdicts of every signal in the runs: watched ones calibrated to their share of
    /// <paramref name="budget"/> (its <see cref="FalseAlarmBudget.PerSignal"/>), the others with the reason.
    /// </summary>
    public static IReadOnlyList<SignalVerdict> Judge(IReadOnlyList<Series> all, Func<int, FalseAlarmBudget> budgetFor, DetectorOptions detection, SignalOptions options,
        string agent, string suite, out FalseAlarmBudget budget, ICalibrationMemo? memo = null)
    {
        var fitted = all.Select(s => s.Scale is null || s.Baseline.Count == 0 ? null : SignalBaseline.Fit(s.Baseline, s.Tasks.Length)).ToList();
        var reasons = all.Select((s, i) => NotWatched(s, fitted[i], options)).ToList();
        budget = budgetFor(reasons.Count(r => r is null));
        var verdicts = new List<SignalVerdict>();
        for (var i = 0; i < all.Count; i++)
        {
            var series = all[i];
            var metric = series.Metric;
            var unwatched = new SignalVerdict
            {
                Signal = metric.Name,
                Label = metric.Label,
                Kind = metric.Kind,
                Polarity = metric.Polarity,
                Unit = metric.Unit,
                Status = VerdictStatus.Ok,
                Relative = metric.Relative,
                Watched = false,
                NotWatchedReason = reasons[i],
                BaselineTrials = series.BaselineTrials,
            };
            if (reasons[i] is not null)
            {
                verdicts.Add(unwatched);
                continue;
            }
            // From the baseline and the monitored days' distinct task lists (first seen first) only:
            // one more day with tasks as on a day before leaves the calibration as it was (#20).
            var seed = StableHash.Of("signal", agent, suite, metric.Name, series.Baseline[0].Day.DayNumber, series.Baseline.Count);
            var shapes = Calibrations.Distinct(series.Monitoring.Select(d => d.Tasks.Order().ToArray()));
            var arl0 = budget.PerSignal;
            var baselineFit = fitted[i]!;
            string Key()
            {
                using var key = new CalibrationKey("signal");
                key.Add(metric.Name).AddOptions(detection).AddOptions(options).Add(arl0).Add(seed).Add(series.Tasks.Length).Add(series.Baseline.Count);
                foreach (var day in series.Baseline)
                    key.Add(day.Tasks).Add(day.Values);
                return key.Add(shapes).Finish();
            }
            var limit = Calibrations.Memoised(memo, 2, Key, () =>
            {
                var calibrated = SignalCalibrator.Calibrate(baselineFit, series.Baseline, shapes, arl0, options.ReferenceValue, detection, seed);
                return [calibrated.Value, calibrated.Margin];
            })[0];
            verdicts.Add(Verdict(series, fitted[i]!, limit, budget.PerSignal, detection.EvidenceClip, options.ReferenceValue) with { BaselineTrials = series.BaselineTrials });
        }
        return verdicts;
    }

    /// <summary>One watched signal's verdict for a calibrated limit (pure: the CUSUM, the change, the days).</summary>
    public static SignalVerdict Verdict(Series series, SignalBaseline baseline, double limit, double arl0, double clip, double referenceValue)
    {
        var metric = series.Metric;
        var monitoring = series.Monitoring;
        var n = monitoring.Count;
        var zs = new double[n];
        var down = new double[n];
        var up = new double[n];
        double d = 0, u = 0;
        for (var t = 0; t < n; t++)
        {
            zs[t] = baseline.Evidence(monitoring[t], clip);
            d = Math.Max(0, d - zs[t] - referenceValue);
            u = Math.Max(0, u + zs[t] - referenceValue);
            down[t] = d;
            up[t] = u;
        }
        var downNow = n > 0 && down[^1] > limit;
        var upNow = n > 0 && up[^1] > limit;
        // Both at once cannot happen with k > 0 (each day feeds one side); up wins a tie of the impossible.
        var direction = upNow ? 1 : downNow ? -1 : 0;

        int? changeIndex = null, alarmIndex = null;
        if (direction != 0)
        {
            var statistic = direction > 0 ? up : down;
            var alarm = n - 1;
            while (alarm > 0 && statistic[alarm - 1] > limit)
                alarm--;
            changeIndex = DetectorRunner.ChangePoint(zs, alarm, direction);
            alarmIndex = Enumerable.Range(changeIndex.Value, n - changeIndex.Value).First(t => statistic[t] > limit);
        }

        var after = changeIndex is { } c ? monitoring.Skip(c).ToList() : [.. monitoring];
        var raw = TaskRawMeans(series);
        // A relative change is told on the values themselves (each trial against its task's
        // baseline mean), not on the detection scale, whose offset pulls a ratio towards 1.
        var change = metric.Relative ? RelativeChange(raw, series.Baseline, after) : Change(baseline, series.Baseline, after);
        double? Out(double x) => double.IsFinite(x) ? (metric.Relative ? Math.Exp(x) - 1 : x) : null;

        var status = direction == 0 ? VerdictStatus.Ok
            : metric.Polarity == SignalPolarity.Neutral ? VerdictStatus.Warning
            : (direction > 0) == (metric.Polarity == SignalPolarity.HigherIsWorse) ? VerdictStatus.Degraded
            : VerdictStatus.Improved;
        var larger = n == 0 ? 0 : Math.Max(down[^1], up[^1]);
        var shownDirection = direction != 0 ? direction
            : n > 0 && larger > limit / 2 ? (up[^1] >= down[^1] ? 1 : -1)
            : 0;

        SignalDay Day(SignalSample day, int? t)
        {
            var (_, trials) = baseline.DayMean(day);
            double? low = null, high = null;
            if (trials > 0)
            {
                var centre = Enumerable.Range(0, day.Count).Where(j => baseline.Known[day.Tasks[j]]).Average(j => raw[day.Tasks[j]]);
                var half = 1.96 * baseline.DaySd(trials);
                (low, high) = metric.Relative ? (centre * Math.Exp(-half), centre * Math.Exp(half)) : (centre - half, centre + half);
            }
            return new SignalDay(day.Day, day.Raw.Average(), day.Count, low, high, t is { } i ? down[i] : null, t is { } k ? up[k] : null);
        }

        return new SignalVerdict
        {
            Signal = metric.Name,
            Label = metric.Label,
            Kind = metric.Kind,
            Polarity = metric.Polarity,
            Unit = metric.Unit,
            Status = status,
            Direction = shownDirection switch { > 0 => "up", < 0 => "down", _ => null },
            BaselineValue = series.Baseline.SelectMany(x => x.Raw).DefaultIfEmpty(double.NaN).Average() is var b && double.IsFinite(b) ? b : null,
            RecentValue = after.Count == 0 ? null : after.SelectMany(x => x.Raw).Average(),
            Change = Out(change.Value),
            Low = Out(change.Low),
            High = Out(change.High),
            Relative = metric.Relative,
            ChangeDay = changeIndex is { } ci ? monitoring[ci].Day : null,
            AlarmDay = alarmIndex is { } ai ? monitoring[ai].Day : null,
            Statistic = n == 0 ? null : direction > 0 ? up[^1] : direction < 0 ? down[^1] : larger,
            Threshold = limit,
            Arl0 = arl0,
            Days = [.. series.Baseline.Select(x => Day(x, null)), .. monitoring.Select((x, t) => Day(x, t))],
        };
    }

    /// <summary>Each task's mean baseline value in the metric's unit (what the band is centred on).</summary>
    private static double[] TaskRawMeans(Series series)
    {
        var sums = new double[series.Tasks.Length];
        var counts = new int[series.Tasks.Length];
        foreach (var day in series.Baseline)
        {
            for (var j = 0; j < day.Count; j++)
            {
                sums[day.Tasks[j]] += day.Raw[j];
                counts[day.Tasks[j]]++;
            }
        }
        return [.. sums.Select((s, i) => counts[i] == 0 ? double.NaN : s / counts[i])];
    }

    /// <summary>
    /// The change on the detection scale: mean daily normalised value after − before (a day's
    /// trials share its day effect, so a day is one observation), with Welch's 95% interval; a side
    /// with one day takes its variance from the baseline model (σ̂²/n + ω̂²).
    /// </summary>
    public static (double Value, double Low, double High) Change(SignalBaseline baseline, IReadOnlyList<SignalSample> before, IReadOnlyList<SignalSample> after)
    {
        static List<(double Mean, int N)> Means(SignalBaseline b, IReadOnlyList<SignalSample> days) =>
            [.. days.Select(b.DayMean).Where(m => m.Trials > 0)];
        return Welch(Means(baseline, before), Means(baseline, after), n => Math.Pow(baseline.DaySd(n), 2));
    }

    /// <summary>
    /// The log of the ratio after/before of a relative signal, with its interval: each day's value
    /// is log of the mean over its trials of value ÷ the task's baseline mean (raw values, no
    /// offset), compared between the days before and after (Welch over days).
    /// </summary>
    public static (double Value, double Low, double High) RelativeChange(double[] taskMeans, IReadOnlyList<SignalSample> before, IReadOnlyList<SignalSample> after)
    {
        List<(double Mean, int N)> Ratios(IReadOnlyList<SignalSample> days)
        {
            var list = new List<(double Mean, int N)>();
            foreach (var day in days)
            {
                double sum = 0;
                var n = 0;
                for (var j = 0; j < day.Count; j++)
                {
                    var m = taskMeans[day.Tasks[j]];
                    if (!(m > 0))
                        continue;
                    sum += Math.Max(day.Raw[j], 0) / m;
                    n++;
                }
                if (n > 0 && sum > 0)
                    list.Add((Math.Log(sum / n), n));
            }
            return list;
        }
        var x = Ratios(before);
        var y = Ratios(after);
        // One day alone on a side has no spread of its own: take the other side's.
        var pooled = x.Count >= 2 ? Spread(x) : y.Count >= 2 ? Spread(y) : 0;
        return Welch(x, y, _ => pooled);
    }

    private static double Spread(List<(double Mean, int N)> days)
    {
        var mean = days.Average(m => m.Mean);
        return days.Sum(m => (m.Mean - mean) * (m.Mean - mean)) / (days.Count - 1);
    }

    /// <summary>A side with fewer days than this takes its day-to-day spread from the other side, when that side has this many.</summary>
    public const int OwnSpreadDays = 5;

    /// <summary>
    /// Difference of the mean daily values after − before with a 95% t interval. Each side's
    /// variance is its own spread over days (Welch–Satterthwaite degrees of freedom), except that a
    /// side of fewer than <see cref="OwnSpreadDays"/> days — the first days after a change — takes
    /// the other side's spread and degrees of freedom: two or three days cannot estimate their own
    /// spread (one chance agreement made intervals that missed the change one time in seven), and a
    /// change moves the level, not the day-to-day noise. Without a side of enough days, a side of
    /// one day takes <paramref name="singleDayVariance"/>.
    /// </summary>
    private static (double Value, double Low, double High) Welch(List<(double Mean, int N)> x, List<(double Mean, int N)> y, Func<int, double> singleDayVariance)
    {
        if (x.Count == 0 || y.Count == 0)
            return (double.NaN, double.NaN, double.NaN);
        (double Variance, int Freedom) Side(List<(double Mean, int N)> days, List<(double Mean, int N)> other) =>
            days.Count < OwnSpreadDays && other.Count >= OwnSpreadDays ? (Spread(other), other.Count - 1)
            : days.Count >= 2 ? (Spread(days), days.Count - 1)
            : (singleDayVariance(days[0].N), Math.Max(1, other.Count - 1));
        var difference = y.Average(m => m.Mean) - x.Average(m => m.Mean);
        var (vy, fy) = Side(y, x);
        var (vx, fx) = Side(x, y);
        var a = vy / y.Count;
        var b = vx / x.Count;
        var se = Math.Sqrt(a + b);
        if (se <= 0)
            return (difference, difference, difference);
        var df = Math.Max(1, (a + b) * (a + b) / (a * a / fy + b * b / fx));
        var half = MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, df, 0.975) * se;
        return (difference, difference - half, difference + half);
    }
}
