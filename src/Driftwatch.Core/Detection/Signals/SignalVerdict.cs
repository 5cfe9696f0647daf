namespace Driftwatch.Core.Detection.Signals;

/// <summary>What a signal measures, and so what its alarm means for the verdict.</summary>
public enum SignalKind
{
    /// <summary>The pass rate of the hidden tests (the detector of <see cref="Checker"/>).</summary>
    Correctness,

    /// <summary>Code quality of the change: lint findings, complexity, size, completion similarity, fault localisation.</summary>
    Quality,

    /// <summary>How the agent worked: output tokens, turns, tool calls. A move either way is a change, neither better nor worse.</summary>
    Behaviour,

    /// <summary>What a trial costs: money and time. Up is worse.</summary>
    Cost,
}

/// <summary>Which way of a signal is worse.</summary>
public enum SignalPolarity
{
    HigherIsWorse,
    LowerIsWorse,

    /// <summary>Neither way is worse (behaviour): an alarm says "changed".</summary>
    Neutral,
}

/// <summary>
/// One day of a signal: its mean over the day's trials (in the signal's unit), the band that holds
/// such a day's mean 95% of the time under the baseline (for that many trials), and the detector's
/// statistics after it (null on baseline days).
/// </summary>
public sealed record SignalDay(DateOnly Day, double Value, int Trials, double? BandLow, double? BandHigh, double? Down, double? Up);

/// <summary>
/// The verdict on one signal of an agent × suite: what it is, its baseline and recent level, the
/// change with its interval, when it began and when it alarmed, the detector's statistic against
/// its limit, and its share of the verdict's one false-alarm budget.
/// </summary>
public sealed record SignalVerdict
{
    /// <summary>The metric's name (<c>ITrialMetric.Name</c>, e.g. <c>outputTokens</c>), or <c>passRate</c> for correctness.</summary>
    public required string Signal { get; init; }

    /// <summary>How people read it: "output tokens", "lint findings".</summary>
    public required string Label { get; init; }

    public required SignalKind Kind { get; init; }
    public required SignalPolarity Polarity { get; init; }
    public required string Unit { get; init; }

    /// <summary>ok, warning, degraded, improved (a neutral signal that alarmed: warning, "changed").</summary>
    public required VerdictStatus Status { get; init; }

    /// <summary>The direction of the alarm or evidence: "up" or "down"; null when nothing moved.</summary>
    public string? Direction { get; init; }

    public double? BaselineValue { get; init; }
    public double? RecentValue { get; init; }

    /// <summary>The change since the change began, with its interval: relative (−0.34 for −34%) when <see cref="Relative"/>, else in <see cref="Unit"/>.</summary>
    public double? Change { get; init; }
    public double? Low { get; init; }
    public double? High { get; init; }
    public bool Relative { get; init; }

    public DateOnly? ChangeDay { get; init; }
    public DateOnly? AlarmDay { get; init; }

    /// <summary>The statistic in the alarming (or, with no alarm, the larger) direction today, and its limit.</summary>
    public double? Statistic { get; init; }
    public double? Threshold { get; init; }

    /// <summary>This signal's ARL0: its share of the verdict's budget (the rates 1/ARL0 of all signals add up to the verdict's).</summary>
    public double Arl0 { get; init; }

    /// <summary>The baseline days and the monitored days, oldest first.</summary>
    public IReadOnlyList<SignalDay> Days { get; init; } = [];

    /// <summary>
    /// Whether the signal is watched: false when its baseline has too few values (or no spread) to
    /// calibrate a detector on; then it takes no share of the budget (<see cref="Arl0"/> is 0) and
    /// <see cref="NotWatchedReason"/> says why.
    /// </summary>
    public bool Watched { get; init; } = true;

    public string? NotWatchedReason { get; init; }

    /// <summary>What the runs around this signal's change ran with that the baseline's never did (as <c>Verdict.FingerprintChanges</c>).</summary>
    public IReadOnlyList<string> FingerprintChanges { get; init; } = [];

    /// <summary>How many baseline values the signal has (trials that reported it).</summary>
    public int BaselineTrials { get; init; }
}
