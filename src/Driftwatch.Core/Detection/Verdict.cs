namespace Driftwatch.Core.Detection;

public enum VerdictStatus
{
    Ok,
    Warning,
    Degraded,
    Improved,

    /// <summary>The history is too short to judge (see <see cref="Verdict.Note"/>): never ok, and not a degradation.</summary>
    Insufficient,
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

/// <summary>The verdict on one agent × suite.</summary>
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

    /// <summary>
    /// Judged on daily totals only: some runs of the segment were ingested as per-run aggregates
    /// without per-task rows, so the baseline is one pooled pass rate and no task can be named.
    /// </summary>
    public bool DailyTotals { get; init; }

    /// <summary>
    /// The public trackers' windows (1, 7 and 30 days) on the last day against the baseline pass rate,
    /// whatever the detector: for comparison, and what `check --detector tracker-windows` shows.
    /// </summary>
    public IReadOnlyList<TrackerWindow> TrackerWindows { get; init; } = [];

    /// <summary>
    /// Every signal watched besides correctness (quality, behaviour, cost), each with its own
    /// verdict; empty when the history's trials carry no metrics. Their alarm rates and that of the
    /// pass-rate detector share the verdict's one ARL0.
    /// </summary>
    public IReadOnlyList<Signals.SignalVerdict> Signals { get; init; } = [];

    /// <summary>The signals whose alarm (or warning) set <see cref="Status"/>: "passRate", "outputTokens"…; empty when ok.</summary>
    public IReadOnlyList<string> TriggeredBy { get; init; } = [];

    /// <summary>The verdict's false-alarm budget (days), shared by the pass rate and every watched signal; 0 when nothing was judged.</summary>
    public double Arl0 { get; init; }

    /// <summary>The pass rate's share of <see cref="Arl0"/>: all of it when no signal is watched, else twice it by default (docs/signals.md).</summary>
    public double PassRateArl0 { get; init; }

    /// <summary>The statistic day by day (for charts): day, worse, better.</summary>
    public IReadOnlyList<(DateOnly Day, double Down, double Up)> Trace { get; init; } = [];
}
