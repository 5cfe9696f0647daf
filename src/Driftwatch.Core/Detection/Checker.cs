using Driftwatch.Core.Detection.Signals;
using Driftwatch.Core.Statistics;
using Driftwatch.Core.Text;

namespace Driftwatch.Core.Detection;

public enum BaselineMode
{
    /// <summary>The first days of the current segment, fixed: slow drifts stay visible.</summary>
    Pinned,

    /// <summary>The days before the most recent ones: follows slow change, for noisy agents.</summary>
    Rolling,
}

/// <summary>How `check` builds baselines and runs its detector.</summary>
public sealed record CheckOptions
{
    public IDetector Detector { get; init; } = DetectorCatalog.Cusum;
    public DetectorOptions Detection { get; init; } = new();

    /// <summary>Baseline length in days (shorter histories use 60% of their days, at least 7).</summary>
    public int BaselineDays { get; init; } = 30;

    public BaselineMode Baseline { get; init; } = BaselineMode.Pinned;

    /// <summary>With a rolling baseline: how many of the latest days are monitored against the days before them.</summary>
    public int RollingWindow { get; init; } = 14;

    /// <summary>How the continuous signals (tokens, time, cost, quality) are watched beside the pass rate.</summary>
    public SignalOptions Signals { get; init; } = new();

    /// <summary>Fewer days than this in the current segment: not enough to judge.</summary>
    public const int MinimumDays = 8;
}

/// <summary>
/// Turns the stored history of one agent × suite into a verdict: the current segment's days, a
/// baseline fitted on its first weeks, thresholds calibrated to the false-alarm budget, the
/// detector over the days since, and then the evidence a person needs — the effect with its
/// interval, where the change began, which tasks flipped, and what changed around it.
/// </summary>
public static class Checker
{
    /// <summary>The verdict of <paramref name="history"/>, every calibration simulated.</summary>
    public static Verdict Check(History history, CheckOptions options) => Check(history, options, null);

    /// <summary>
    /// The verdict of <paramref name="history"/>. With a <paramref name="memo"/>, every calibration
    /// is looked up there by the key of its inputs before it is simulated, and kept there after
    /// (#20): a hit gives the same verdict as simulating again.
    /// </summary>
    public static Verdict Check(History history, CheckOptions options, ICalibrationMemo? memo)
    {
        var segment = history.CurrentSegment();
        var recorded = segment;
        // Runs known by their counts only (ingested per-run aggregates) cannot be split by task:
        // then the whole segment is judged on daily totals, one pooled "task", and the verdict says so.
        var dailyTotals = segment.Any(r => r.TotalsOnly);
        if (dailyTotals)
            segment = [.. segment.Select(r => r.Pooled())];
        var series = DailySeries.From(segment);
        var days = series.Days;
        Verdict Empty(VerdictNote note) => new()
        {
            Agent = history.Agent,
            Suite = history.Suite,
            Status = VerdictStatus.Insufficient,
            Detector = options.Detector.Name,
            Note = note,
            DailyTotals = dailyTotals,
            MonitoredDays = 0,
            BaselineDays = 0,
        };
        if (days.Count < CheckOptions.MinimumDays)
            return Empty(new VerdictNote(VerdictReason.NotEnoughHistory, days.Count, CheckOptions.MinimumDays));

        int baselineStart, baselineCount;
        if (options.Baseline == BaselineMode.Rolling)
        {
            var window = Math.Min(options.RollingWindow, days.Count - 7);
            baselineCount = Math.Min(options.BaselineDays, days.Count - window);
            baselineStart = days.Count - window - baselineCount;
        }
        else
        {
            baselineStart = 0;
            baselineCount = Math.Min(options.BaselineDays, Math.Max(7, (int)Math.Floor(days.Count * 0.6)));
        }
        var baselineDays = days.Skip(baselineStart).Take(baselineCount).ToList();
        var monitoring = days.Skip(baselineStart + baselineCount).ToList();
        var baseline = Baseline.Fit(baselineDays);

        // One false-alarm budget for the verdict: the watched signals take their shares of it and
        // the pass rate keeps the rest (all of it when no signal is watched, exactly as before).
        var signalSeries = options.Signals.Enabled
            ? SignalMonitor.Collect(recorded, [.. baselineDays.Select(d => d.Day)], [.. monitoring.Select(d => d.Day)])
            : [];
        var budget = FalseAlarmBudget.Split(options.Detection.Arl0, 0, options.Signals.PassRateShare);
        var signals = signalSeries.Count == 0 ? []
            : SignalMonitor.Judge(signalSeries, m => FalseAlarmBudget.Split(options.Detection.Arl0, m, options.Signals.PassRateShare),
                options.Detection, options.Signals, history.Agent, history.Suite, out budget, memo);
        var detection = options.Detection with { Arl0 = budget.PassRate };

        // The calibration's inputs come from the baseline and the monitored days' distinct
        // allocations (first seen first): one more day allocated like one before changes none of
        // them, so its calibration is the one kept for the day before.
        var policyAllocations = Calibrations.Distinct((monitoring.Count > 0 ? monitoring : baselineDays).Select(d => d.Trials));
        var allocation = new ObservedAllocation(policyAllocations);
        var seed = StableHash.Of("calibration", history.Agent, history.Suite, baselineDays[0].Day.DayNumber, baselineCount);
        var calibration = new DetectorCalibration(baseline, detection, () => PassRateThresholds(baselineDays, baseline, policyAllocations, allocation, detection, seed, memo));
        var limits = options.Detector.Limits(calibration);
        var trace = DetectorRunner.Run(options.Detector, baseline, limits, detection, baselineDays, monitoring);

        // Nothing monitored yet (every day is baseline): nothing to judge, so insufficient, not ok.
        var status = monitoring.Count == 0 ? VerdictStatus.Insufficient
            : trace.DownNow ? VerdictStatus.Degraded
            : trace.UpNow ? VerdictStatus.Improved
            : Warning(trace, options, baseline, baselineDays, monitoring) ? VerdictStatus.Warning
            : VerdictStatus.Ok;
        var (combined, triggeredBy) = SignalStatus.Combine(status, signals);

        int? changeIndex = trace.ChangeIndex;
        int? alarmIndex = null;
        if (changeIndex is { } c && status is VerdictStatus.Degraded or VerdictStatus.Improved)
        {
            var statistic = status == VerdictStatus.Degraded ? trace.Down : trace.Up;
            var limit = status == VerdictStatus.Degraded ? trace.DownThreshold : trace.UpThreshold;
            alarmIndex = Enumerable.Range(c, statistic.Length - c).First(t => statistic[t] > limit);
        }
        else
        {
            changeIndex = null;
        }

        var after = changeIndex is { } from ? monitoring.Skip(from).ToList() : monitoring;
        var (effect, flips) = dailyTotals
            ? (Clustered.DifferenceOfDailyRates([.. baselineDays.Select(d => d.PassRate)], [.. after.Select(d => d.PassRate)]), [])
            : Compare(series.Tasks, baseline, baselineDays, after, status);
        var changeDay = changeIndex is { } ci ? monitoring[ci].Day : (DateOnly?)null;
        signals = [.. signals.Select(s => s.ChangeDay is { } day ? s with { FingerprintChanges = FingerprintAttribution.Changes(segment, history.Texts, baselineDays[^1].Day, day) } : s)];

        return new Verdict
        {
            Agent = history.Agent,
            Suite = history.Suite,
            Status = combined,
            Detector = options.Detector.Name,
            Effect = double.IsNaN(effect.Value) ? null : effect.Value,
            Low = double.IsNaN(effect.Interval.Low) ? null : effect.Interval.Low,
            High = double.IsNaN(effect.Interval.High) ? null : effect.Interval.High,
            ChangeDay = changeDay,
            AlarmDay = alarmIndex is { } a ? monitoring[a].Day : null,
            FlippedTasks = flips,
            FingerprintChanges = FingerprintAttribution.Changes(segment, history.Texts, baselineDays[^1].Day, changeDay ?? (monitoring.Count > 0 ? monitoring[0].Day : baselineDays[^1].Day)),
            BaselineFrom = baselineDays[0].Day,
            BaselineTo = baselineDays[^1].Day,
            BaselineDays = baselineDays.Count,
            MonitoredDays = monitoring.Count,
            BaselinePassRate = baseline.PassRate,
            RecentPassRate = after.Count == 0 ? null : (double)after.Sum(d => d.TotalPasses) / Math.Max(1, after.Sum(d => d.TotalTrials)),
            Statistic = trace.Down.Length > 0 ? trace.Down[^1] : null,
            Threshold = trace.DownThreshold,
            Note = monitoring.Count == 0 ? new VerdictNote(VerdictReason.AllDaysInBaseline) : null,
            DailyTotals = dailyTotals,
            TrackerWindows = TrackerRule.Windows([.. baselineDays, .. monitoring], baselineDays.Count + monitoring.Count - 1, baseline.PassRate, options.Detection.TrackerAlpha),
            Trace = [.. monitoring.Select((d, i) => (d.Day, trace.Down[i], trace.Up[i]))],
            Signals = signals,
            TriggeredBy = triggeredBy,
            Arl0 = budget.Total,
            PassRateArl0 = budget.PassRate,
        };
    }

    /// <summary>The pass rate's CUSUM and EWMA limits, from the memo when it kept those of the same inputs.</summary>
    private static Thresholds PassRateThresholds(List<DayCounts> baselineDays, Baseline baseline, List<int[]> patterns, IAllocation allocation,
        DetectorOptions detection, ulong seed, ICalibrationMemo? memo)
    {
        string Key()
        {
            using var key = new CalibrationKey("pass-rate");
            key.AddOptions(detection).Add(seed).Add(baselineDays.Count);
            foreach (var day in baselineDays)
                key.Add(day.Trials).Add(day.Passes);
            return key.Add(patterns).Finish();
        }
        var limits = Calibrations.Memoised(memo, 5, Key, () =>
        {
            var t = ThresholdCalibrator.Calibrate(baseline, [.. baselineDays.Select(d => d.Trials)], allocation, detection, seed);
            return [t.CusumDown, t.CusumUp, t.EwmaDown, t.EwmaUp, t.EstimatedCusumArl0];
        });
        return new Thresholds(limits[0], limits[1], limits[2], limits[3]) { EstimatedCusumArl0 = limits[4] };
    }

    /// <summary>
    /// Trials per task for one day of a run with a daily <paramref name="budget"/>, spent by
    /// <see cref="AdaptiveAllocation"/> from the baseline of this agent × suite; null when the
    /// history is too short to have one (the caller then spreads the budget evenly).
    /// </summary>
    public static IReadOnlyDictionary<string, int>? AdaptiveTrials(History history, IReadOnlyList<string> taskIds, int budget, DateOnly day, CheckOptions options)
    {
        var series = DailySeries.From(history.CurrentSegment());
        if (series.Days.Count < CheckOptions.MinimumDays)
            return null;
        var count = Math.Min(options.BaselineDays, Math.Max(7, (int)Math.Floor(series.Days.Count * 0.6)));
        var baselineDays = series.Days.Take(count).ToList();
        var baseline = Baseline.Fit(baselineDays);
        var known = series.Tasks.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var prior = baseline.PriorAlpha / (baseline.PriorAlpha + baseline.PriorBeta);
        var rates = taskIds.Select(id => known.TryGetValue(id, out var i) ? baseline.Rates[i] : prior).ToArray();
        var allocation = new AdaptiveAllocation(rates, budget);
        var trials = allocation.TrialsOn(day.DayNumber - baselineDays[^1].Day.DayNumber - 1);
        return taskIds.Select((id, i) => (id, n: trials[i])).ToDictionary(x => x.id, x => x.n, StringComparer.Ordinal);
    }

    /// <summary>Evidence building up: the detector says so (by default its statistic past half its limit), or the trackers' rule fires today.</summary>
    private static bool Warning(DetectorTrace trace, CheckOptions options, Baseline baseline, List<DayCounts> baselineDays, List<DayCounts> monitoring)
    {
        if (monitoring.Count == 0)
            return false;
        if (options.Detector.Warns(trace))
            return true;
        var all = baselineDays.Concat(monitoring).ToList();
        return TrackerRule.Evaluate(all, all.Count - 1, baseline.PassRate, options.Detection.TrackerAlpha).Worse;
    }

    /// <summary>
    /// Per-task change after − before, its mean over tasks with a task-clustered t interval, and the
    /// tasks that moved most: those whose passes since the change are least likely under their own
    /// baseline rate (one-sided exact binomial tests, kept at a 10% false discovery rate by
    /// Benjamini &amp; Hochberg 1995, most surprising first) — a task near 50% that had a bad week is
    /// not listed next to one that always passed and now fails.
    /// </summary>
    private static (Estimate Effect, IReadOnlyList<TaskFlip> Flips) Compare(string[] tasks, Baseline baseline, List<DayCounts> before, List<DayCounts> after, VerdictStatus status)
    {
        var flips = new List<TaskFlip>();
        for (var i = 0; i < tasks.Length; i++)
        {
            var tb = before.Sum(d => d.Trials[i]);
            var ta = after.Sum(d => d.Trials[i]);
            if (tb == 0 || ta == 0)
                continue;
            flips.Add(new TaskFlip(tasks[i], tb, before.Sum(d => d.Passes[i]), ta, after.Sum(d => d.Passes[i])));
        }
        var effect = Clustered.MeanDifference([.. flips.Select(f => f.Change)]);
        var index = tasks.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        double Surprise(TaskFlip f)
        {
            var rate = baseline.Rates[index[f.Task]];
            return status == VerdictStatus.Improved
                ? Binomial.TestUpper(f.PassesAfter, f.TrialsAfter, rate)
                : Binomial.TestLower(f.PassesAfter, f.TrialsAfter, rate);
        }
        var direction = status == VerdictStatus.Improved ? 1 : -1;
        var tested = flips.Select(f => (Flip: f, P: direction * f.Change > 0 ? Surprise(f) : 1.0))
            .OrderBy(x => x.P).ThenBy(x => x.Flip.Task, StringComparer.Ordinal).ToList();
        const double falseDiscoveryRate = 0.10;
        var keep = 0;
        for (var i = 0; i < tested.Count; i++)
        {
            if (tested[i].P <= (i + 1) * falseDiscoveryRate / tested.Count)
                keep = i + 1;
        }
        return (effect, tested.Take(Math.Min(keep, 10)).Select(x => x.Flip).ToList());
    }
}
