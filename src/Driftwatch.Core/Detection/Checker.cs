using System.Globalization;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Statistics;
using Driftwatch.Core.Text;

namespace Driftwatch.Core.Detection;

public enum VerdictStatus
{
    Ok,
    Warning,
    Degraded,
    Improved,
}

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

    /// <summary>Fewer days than this in the current segment: not enough to judge.</summary>
    public const int MinimumDays = 8;
}

public sealed record TaskFlip(string Task, int TrialsBefore, int PassesBefore, int TrialsAfter, int PassesAfter)
{
    public double RateBefore => TrialsBefore == 0 ? double.NaN : (double)PassesBefore / TrialsBefore;
    public double RateAfter => TrialsAfter == 0 ? double.NaN : (double)PassesAfter / TrialsAfter;
    public double Change => RateAfter - RateBefore;
}

/// <summary>Why a verdict judged less than it could (worded by <c>Reporting.VerdictText</c>).</summary>
public enum VerdictReason
{
    /// <summary>Fewer days since the last declared change than a judgement needs.</summary>
    NotEnoughHistory,

    /// <summary>Every day so far is part of the baseline: nothing monitored yet.</summary>
    AllDaysInBaseline,
}

/// <summary>A reason with its values: for <see cref="VerdictReason.NotEnoughHistory"/>, the days there are and the days needed.</summary>
public sealed record VerdictNote(VerdictReason Reason, int Days = 0, int DaysNeeded = 0);

/// <summary>The verdict of SPEC §7 on one agent × suite.</summary>
public sealed record Verdict
{
    public required string Agent { get; init; }
    public required string Suite { get; init; }
    public required VerdictStatus Status { get; init; }

    /// <summary>The detector's name (<see cref="IDetector.Name"/>).</summary>
    public required string Detector { get; init; }

    /// <summary>Change in pass rate since the change began (or over the monitored days), mean over tasks.</summary>
    public double? Effect { get; init; }
    public double? Low { get; init; }
    public double? High { get; init; }

    /// <summary>The estimated first day of the change.</summary>
    public DateOnly? ChangeDay { get; init; }

    /// <summary>The day the detector first crossed its limit in the current excursion.</summary>
    public DateOnly? AlarmDay { get; init; }

    public IReadOnlyList<TaskFlip> FlippedTasks { get; init; } = [];
    public IReadOnlyList<string> FingerprintChanges { get; init; } = [];

    public DateOnly? BaselineFrom { get; init; }
    public DateOnly? BaselineTo { get; init; }
    public int BaselineDays { get; init; }
    public int MonitoredDays { get; init; }
    public double? BaselinePassRate { get; init; }
    public double? RecentPassRate { get; init; }

    /// <summary>The detector's "worse" statistic today and its limit.</summary>
    public double? Statistic { get; init; }
    public double? Threshold { get; init; }

    public VerdictNote? Note { get; init; }

    /// <summary>The statistic day by day (for charts): day, worse, better.</summary>
    public IReadOnlyList<(DateOnly Day, double Down, double Up)> Trace { get; init; } = [];
}

/// <summary>
/// Turns the stored history of one agent × suite into a verdict: the current segment's days, a
/// baseline fitted on its first weeks, thresholds calibrated to the false-alarm budget, the
/// detector over the days since, and then the evidence a person needs — the effect with its
/// interval, where the change began, which tasks flipped, and what changed around it.
/// </summary>
public static class Checker
{
    public static Verdict Check(History history, CheckOptions options)
    {
        var segment = history.CurrentSegment();
        var series = DailySeries.From(segment);
        var days = series.Days;
        Verdict Empty(VerdictNote note) => new()
        {
            Agent = history.Agent,
            Suite = history.Suite,
            Status = VerdictStatus.Ok,
            Detector = options.Detector.Name,
            Note = note,
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

        var policyAllocations = (monitoring.Count > 0 ? monitoring : baselineDays).Select(d => d.Trials).ToList();
        var allocation = new ObservedAllocation(policyAllocations);
        var seed = StableHash.Of("calibration", history.Agent, history.Suite, baselineDays[0].Day.DayNumber, baselineCount, monitoring.Count);
        var calibration = new DetectorCalibration(baseline, options.Detection,
            () => ThresholdCalibrator.Calibrate(baseline, [.. baselineDays.Select(d => d.Trials)], allocation, options.Detection, seed));
        var limits = options.Detector.Limits(calibration);
        var trace = DetectorRunner.Run(options.Detector, baseline, limits, options.Detection, baselineDays, monitoring);

        var status = trace.DownNow ? VerdictStatus.Degraded
            : trace.UpNow ? VerdictStatus.Improved
            : Warning(trace, options, baseline, baselineDays, monitoring) ? VerdictStatus.Warning
            : VerdictStatus.Ok;

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
        var (effect, flips) = Compare(series.Tasks, baseline, baselineDays, after, status);
        var changeDay = changeIndex is { } ci ? monitoring[ci].Day : (DateOnly?)null;

        return new Verdict
        {
            Agent = history.Agent,
            Suite = history.Suite,
            Status = status,
            Detector = options.Detector.Name,
            Effect = double.IsNaN(effect.Value) ? null : effect.Value,
            Low = double.IsNaN(effect.Interval.Low) ? null : effect.Interval.Low,
            High = double.IsNaN(effect.Interval.High) ? null : effect.Interval.High,
            ChangeDay = changeDay,
            AlarmDay = alarmIndex is { } a ? monitoring[a].Day : null,
            FlippedTasks = flips,
            FingerprintChanges = FingerprintChanges(segment, history.Texts, baselineDays[^1].Day, changeDay ?? (monitoring.Count > 0 ? monitoring[0].Day : baselineDays[^1].Day)),
            BaselineFrom = baselineDays[0].Day,
            BaselineTo = baselineDays[^1].Day,
            BaselineDays = baselineDays.Count,
            MonitoredDays = monitoring.Count,
            BaselinePassRate = baseline.PassRate,
            RecentPassRate = after.Count == 0 ? null : (double)after.Sum(d => d.TotalPasses) / Math.Max(1, after.Sum(d => d.TotalTrials)),
            Statistic = trace.Down.Length > 0 ? trace.Down[^1] : null,
            Threshold = trace.DownThreshold,
            Note = monitoring.Count == 0 ? new VerdictNote(VerdictReason.AllDaysInBaseline) : null,
            Trace = [.. monitoring.Select((d, i) => (d.Day, trace.Down[i], trace.Up[i]))],
        };
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

    /// <summary>What the runs around the change ran with that the baseline never did.</summary>
    internal static IReadOnlyList<string> FingerprintChanges(IReadOnlyList<HistoryRun> segment, IReadOnlyDictionary<string, string> texts, DateOnly baselineEnd, DateOnly changeDay)
    {
        var before = segment.Where(r => r.Day <= baselineEnd).ToList();
        var recent = segment.Where(r => r.Day >= changeDay.AddDays(-3)).OrderBy(r => r.Day).ToList();
        var changes = new List<string>();
        void Field(string name, Func<HistoryRun, IEnumerable<string?>> values)
        {
            var known = before.SelectMany(values).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var run in recent)
            {
                foreach (var value in values(run).OfType<string>())
                {
                    if (known.Contains(value) || !seen.Add(value))
                        continue;
                    var previous = known.Count == 0 ? "not recorded" : string.Join(", ", known.Order(StringComparer.Ordinal));
                    changes.Add($"{name}: {previous} → {value} (first seen {run.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})");
                }
            }
        }
        Field("agent version", r => [r.Fingerprint.AgentVersion]);
        Field("model", r => r.Fingerprint.Models.IsDefault ? [] : r.Fingerprint.Models.Select(m => (string?)m));
        Field("driftwatch", r => [r.Fingerprint.DriftwatchVersion]);
        Field("sandbox", r => [r.Fingerprint.Sandbox]);
        changes.AddRange(HarnessChanges(before, recent, texts));
        return changes;
    }

    /// <summary>
    /// What the harness sent that the baseline's never did, from the recording proxy: a new system
    /// prompt or context (with its line counts against the baseline's), tools added or removed,
    /// generation parameters with new values, new beta flags — each with the day it first appeared
    /// and the agent version of that run.
    /// </summary>
    private static IEnumerable<string> HarnessChanges(List<HistoryRun> before, List<HistoryRun> recent, IReadOnlyDictionary<string, string> texts)
    {
        var baseline = before.Select(r => r.Fingerprint.Harness?.Main).OfType<HarnessProfile>().ToList();
        if (baseline.Count == 0)
            yield break;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        string When(HistoryRun run) => $"{run.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}{(run.Fingerprint.AgentVersion is { } version ? $" (agent {version})" : "")}";

        IEnumerable<string> Texts(string kind, Func<HarnessProfile, IEnumerable<string>> hashes, HistoryRun run, HarnessProfile profile)
        {
            var known = baseline.SelectMany(hashes).ToHashSet(StringComparer.Ordinal);
            var usual = baseline.SelectMany(hashes).GroupBy(h => h, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
            foreach (var hash in hashes(profile).Where(h => !known.Contains(h)))
            {
                if (!reported.Add($"{kind}:{hash}"))
                    continue;
                var counts = usual is not null && texts.TryGetValue(usual, out var oldText) && texts.TryGetValue(hash, out var newText)
                    ? $": {FingerprintDiff.Plural(UnifiedDiff.CountChanges(oldText, newText).Added, "+")}, {FingerprintDiff.Plural(UnifiedDiff.CountChanges(oldText, newText).Removed, "−")}"
                    : "";
                yield return $"{kind} changed on {When(run)}{counts}";
            }
        }

        foreach (var run in recent)
        {
            if (run.Fingerprint.Harness?.Main is not { } profile)
                continue;
            foreach (var change in Texts("system prompt", p => p.SystemPrompts, run, profile))
                yield return change;
            foreach (var change in Texts("harness context", p => p.Contexts, run, profile))
                yield return change;
            var knownTools = baseline.SelectMany(p => p.ToolNames).ToHashSet(StringComparer.Ordinal);
            var added = profile.ToolNames.Where(t => !knownTools.Contains(t)).ToList();
            if (added.Count > 0 && reported.Add("tools+:" + string.Join(',', added)))
                yield return $"tools added on {When(run)}: {string.Join(", ", added)}";
            var removed = knownTools.Where(t => !profile.ToolNames.Contains(t)).Order(StringComparer.Ordinal).ToList();
            if (removed.Count > 0 && baseline.All(p => removed.All(p.ToolNames.Contains)) && reported.Add("tools-:" + string.Join(',', removed)))
                yield return $"tools removed on {When(run)}: {string.Join(", ", removed)}";
            foreach (var (key, values) in profile.Parameters)
            {
                var knownValues = baseline.SelectMany(p => p.Parameters.GetValueOrDefault(key, [])).ToHashSet(StringComparer.Ordinal);
                var fresh = values.Where(v => !knownValues.Contains(v)).ToList();
                if (fresh.Count > 0 && reported.Add($"param:{key}:{string.Join(',', fresh)}"))
                    yield return $"{key}: {FingerprintDiff.ShowValues([.. knownValues.Order(StringComparer.Ordinal)])} → {FingerprintDiff.ShowValues(fresh)} since {When(run)}";
            }
            var knownBetas = baseline.SelectMany(p => p.Betas).ToHashSet(StringComparer.Ordinal);
            var newBetas = profile.Betas.Where(b => !knownBetas.Contains(b)).ToList();
            if (newBetas.Count > 0 && reported.Add("betas:" + string.Join(',', newBetas)))
                yield return $"betas added on {When(run)}: {string.Join(", ", newBetas)}";
        }
    }
}

/// <summary>The allocations the monitored days really had, repeated in turn (for calibrating on real histories).</summary>
public sealed class ObservedAllocation(IReadOnlyList<int[]> days) : IAllocation
{
    private readonly int[][] _patterns = days.Count == 0 ? [] : days.GroupBy(d => string.Join(',', d)).Select(g => g.First()).ToArray();

    public int Period => Math.Max(1, _patterns.Length);

    public int[] TrialsOn(int dayIndex) => _patterns[dayIndex % _patterns.Length];
}
