using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Alerts;

/// <summary>The events that raise an alert.</summary>
public static class AlertEvents
{
    /// <summary>The verdict became degraded.</summary>
    public const string Degraded = "degraded";

    /// <summary>The verdict became improved.</summary>
    public const string Improved = "improved";

    /// <summary>A degraded or improved verdict went back to ok (or warning), or every behaviour alarm ended.</summary>
    public const string Recovered = "recovered";

    /// <summary>
    /// A behaviour signal (neutral polarity: output tokens, turns, tool calls…) newly passed its limit,
    /// either way: the agent works differently, neither better nor worse (docs/signals.md).
    /// </summary>
    public const string Changed = "changed";

    /// <summary>A scheduled run ended with trials left in infrastructure errors.</summary>
    public const string Incomplete = "incomplete";

    /// <summary>A scheduled run could not be made at all.</summary>
    public const string Failed = "failed";

    /// <summary>A scheduled run had trials whose change touched the test machinery (tamper evidence: "suspect:…" flags).</summary>
    public const string SuspectTrials = "suspect-trials";

    /// <summary>A scheduled run had trials served by a model other than the one asked for ("fallback:…"), or refused ("refusal").</summary>
    public const string ModelFallback = "model-fallback";

    /// <summary>
    /// The event a verdict's status raises given the one recorded before it, or null: the part of
    /// <see cref="ForVerdict(VerdictState?, Verdict)"/> that looks at statuses only. Verdicts fall in three
    /// classes — degraded, improved, and normal (ok or warning) — and only a change of class alerts;
    /// a first verdict alerts only when it is not normal. A warning's status never alerts (the pass
    /// rate's half-limit warning comes and goes); a behaviour alarm alerts through the state's alarms.
    /// Insufficient (a history too short to judge) is no judgement at all: becoming insufficient never
    /// alerts (after a declared change a degradation is neither recovered nor confirmed), and the
    /// first judgement after it alerts as a first verdict does — degraded or improved, not ok.
    /// </summary>
    public static string? ForVerdict(VerdictStatus? previous, VerdictStatus current)
    {
        if (current == VerdictStatus.Insufficient)
            return null;
        if (previous == VerdictStatus.Insufficient)
            previous = null;
        if (Class(current) == Class(previous ?? VerdictStatus.Ok))
            return null;
        return current switch
        {
            VerdictStatus.Degraded => Degraded,
            VerdictStatus.Improved => Improved,
            _ => Recovered,
        };
    }

    /// <summary>
    /// The events a verdict raises given the state recorded before it (null: none), in the order they
    /// are sent. Besides the change of class of <see cref="ForVerdict(VerdictStatus?, VerdictStatus)"/>:
    /// a behaviour alarm not in the previous state — a new signal, or the same one the other way —
    /// raises <see cref="Changed"/>, once while it lasts; when the last behaviour alarm ends and the
    /// verdict is normal (ok or a half-limit warning) that is <see cref="Recovered"/>, as the end of a
    /// degradation is. Degraded and improved keep precedence: a verdict that becomes degraded with a
    /// behaviour alarm raises degraded only, and its alert tells the behaviour change too. A pass rate
    /// that recovers as a behaviour alarm starts raises both, recovered then changed. Insufficient is
    /// no judgement, as there: it raises nothing, and the first verdict after it is a first verdict.
    /// </summary>
    public static IReadOnlyList<string> ForVerdict(VerdictState? previous, Verdict current)
    {
        if (current.Status == VerdictStatus.Insufficient)
            return [];
        if (previous?.Status == VerdictStatus.Insufficient)
            previous = null;
        var state = VerdictState.Of(current);
        var before = previous?.BehaviourAlarms ?? [];
        var events = new List<string>();
        if (ForVerdict(previous?.Status, current.Status) is { } @event)
            events.Add(@event);
        if (events is [Degraded or Improved])
            return events;
        var normal = Class(current.Status) == 0;
        if (state.BehaviourAlarms.Except(before, StringComparer.Ordinal).Any())
            events.Add(Changed);
        else if (normal && events.Count == 0 && before.Count > 0 && state.BehaviourAlarms.Count == 0)
            events.Add(Recovered);
        return events;
    }

    private static int Class(VerdictStatus status) => status switch
    {
        VerdictStatus.Degraded => 1,
        VerdictStatus.Improved => 2,
        _ => 0,
    };
}

/// <summary>A task that moved, as alerts show it: passes over trials before and after the change.</summary>
public sealed record AlertFlip(string Task, int PassesBefore, int TrialsBefore, int PassesAfter, int TrialsAfter)
{
    public override string ToString() => $"{Task} {PassesBefore}/{TrialsBefore} → {PassesAfter}/{TrialsAfter}";
}

/// <summary>
/// A behaviour signal's alarm as alerts carry it: the change (relative, −0.34 for −34%, or in
/// <see cref="Unit"/>) with its 95% interval, its days, and <see cref="Text"/>, the verdict's own
/// words for it (<see cref="Reporting.VerdictText.Signal"/>).
/// </summary>
public sealed record AlertSignalChange(string Signal, string Label, string? Direction, double? Change, double? Low, double? High,
    bool Relative, string Unit, DateOnly? ChangeDay, DateOnly? AlarmDay, string Text, string Interval)
{
    public static AlertSignalChange Of(Detection.Signals.SignalVerdict s) => new(s.Signal, s.Label, s.Direction, s.Change, s.Low, s.High,
        s.Relative, s.Unit, s.ChangeDay, s.AlarmDay, Reporting.VerdictText.Signal(s), Reporting.VerdictText.Change(s));
}

/// <summary>One flag of one trial, as alerts list them.</summary>
public sealed record AlertFlag(string Task, int Trial, string Outcome, string? ErrorKind, string Flag)
{
    public override string ToString() => $"{Task}#{Trial} {Outcome}{(ErrorKind is { } kind ? $" ({kind})" : "")}: {Flag}";
}

/// <summary>
/// One alert. Serialised as JSON (camelCase, every field present) it is the body a generic webhook
/// receives; Slack, Discord and the console get the same facts in their own formats. It never
/// holds a sink's URL.
/// </summary>
public sealed record Alert
{
    /// <summary>How many flipped tasks an alert lists.</summary>
    public const int TopFlips = 5;

    /// <summary>How many flags an alert about flagged trials lists.</summary>
    public const int TopFlags = 5;

    public required string Event { get; init; }
    public required string Agent { get; init; }
    public required string Suite { get; init; }

    /// <summary>ok, warning, degraded or improved (null when no verdict was reached).</summary>
    public string? Verdict { get; init; }
    public string? PreviousVerdict { get; init; }
    public string? Detector { get; init; }

    /// <summary>Change in pass rate since the change began (a share: −0.12 is 12 points down), with its 95% interval.</summary>
    public double? Effect { get; init; }
    public double? Low { get; init; }
    public double? High { get; init; }
    public DateOnly? ChangeDay { get; init; }
    public DateOnly? AlarmDay { get; init; }
    public double? BaselinePassRate { get; init; }
    public double? RecentPassRate { get; init; }
    public IReadOnlyList<AlertFlip> FlippedTasks { get; init; } = [];

    /// <summary>The verdict was judged on daily totals only (<see cref="Detection.Verdict.DailyTotals"/>).</summary>
    public bool DailyTotals { get; init; }
    public IReadOnlyList<string> FingerprintChanges { get; init; } = [];

    /// <summary>What moved, one phrase per signal that set the verdict (<see cref="Reporting.VerdictText.WhatMoved"/>): "behaviour changed: output tokens −34% since …".</summary>
    public IReadOnlyList<string> Moved { get; init; } = [];

    /// <summary>Every behaviour signal past its limit, whatever set the verdict (a degraded verdict's too), with its change, interval and days.</summary>
    public IReadOnlyList<AlertSignalChange> BehaviourChanges { get; init; } = [];

    /// <summary>For a recovered alert: the behaviour signals whose alarm ended ("output tokens").</summary>
    public IReadOnlyList<string> BehaviourEnded { get; init; } = [];

    public long? RunId { get; init; }
    public string? RunStatus { get; init; }

    /// <summary>For a run: trials planned, in infrastructure error, never run.</summary>
    public int? Trials { get; init; }
    public int? Errors { get; init; }
    public int? Pending { get; init; }

    /// <summary>The schedule entry and slot that made the run, when a scheduler did.</summary>
    public string? Schedule { get; init; }
    public DateTimeOffset? Slot { get; init; }

    /// <summary>What went wrong, for an alert of a run that could not be made.</summary>
    public string? Problem { get; init; }

    /// <summary>For a run's flagged trials: how many were suspect, served by a fallback model, refused.</summary>
    public int? SuspectTrials { get; init; }
    public int? FallbackTrials { get; init; }
    public int? RefusedTrials { get; init; }

    /// <summary>The first <see cref="TopFlags"/> flags the alert is about, in the order the trials ran.</summary>
    public IReadOnlyList<AlertFlag> Flags { get; init; } = [];

    public string? DashboardUrl { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>One line saying what happened.</summary>
    public string Title => AlertText.Title(this);

    /// <summary>The whole message as plain text (title, then one fact a line).</summary>
    public string Text => AlertText.Plain(this);

    /// <summary>The alert of <paramref name="event"/>, with the behaviour alarms the previous state had and this verdict has not.</summary>
    public static Alert ForVerdict(string @event, Verdict verdict, VerdictState? previous, AlertContext context)
    {
        var alert = ForVerdict(@event, verdict, previous?.Status, context);
        if (previous is null || @event != AlertEvents.Recovered)
            return alert;
        var now = VerdictState.Of(verdict).BehaviourAlarms.Select(VerdictState.SignalOf).ToHashSet(StringComparer.Ordinal);
        return alert with
        {
            BehaviourEnded = [.. previous.BehaviourAlarms.Select(VerdictState.SignalOf).Where(s => !now.Contains(s)).Distinct()
                .Select(s => verdict.Signals.FirstOrDefault(v => v.Signal == s)?.Label ?? s)],
        };
    }

    public static Alert ForVerdict(string @event, Verdict verdict, VerdictStatus? previous, AlertContext context) => new()
    {
        Event = @event,
        Agent = verdict.Agent,
        Suite = verdict.Suite,
        Verdict = Name(verdict.Status),
        PreviousVerdict = previous is { } p ? Name(p) : null,
        Detector = verdict.Detector,
        Effect = verdict.Effect,
        Low = verdict.Low,
        High = verdict.High,
        ChangeDay = verdict.ChangeDay,
        AlarmDay = verdict.AlarmDay,
        BaselinePassRate = verdict.BaselinePassRate,
        RecentPassRate = verdict.RecentPassRate,
        DailyTotals = verdict.DailyTotals,
        FlippedTasks = [.. verdict.FlippedTasks.Take(TopFlips).Select(f => new AlertFlip(f.Task, f.PassesBefore, f.TrialsBefore, f.PassesAfter, f.TrialsAfter))],
        FingerprintChanges = [.. verdict.FingerprintChanges],
        Moved = Reporting.VerdictText.WhatMoved(verdict),
        BehaviourChanges = [.. VerdictState.BehaviourAlarmsOf(verdict).Select(AlertSignalChange.Of)],
        RunId = context.RunId,
        Schedule = context.Schedule,
        Slot = context.Slot,
        DashboardUrl = DashboardLink(context.DashboardUrl, verdict.Agent, verdict.Suite, context.RunId),
        At = context.At,
    };

    public static Alert ForIncompleteRun(RunHeader run, AlertContext context) => new()
    {
        Event = AlertEvents.Incomplete,
        Agent = run.Agent,
        Suite = run.Suite,
        RunId = run.Id,
        RunStatus = run.Status.Name(),
        Trials = run.PlannedTrials,
        Errors = run.Summary.Error,
        Pending = run.Summary.Pending,
        RecentPassRate = run.Summary.PassRate,
        Schedule = context.Schedule,
        Slot = context.Slot,
        DashboardUrl = DashboardLink(context.DashboardUrl, run.Agent, run.Suite, run.Id),
        At = context.At,
    };

    public static Alert ForFailedRun(string agent, string suite, string problem, AlertContext context) => new()
    {
        Event = AlertEvents.Failed,
        Agent = agent,
        Suite = suite,
        RunId = context.RunId,
        Problem = problem,
        Schedule = context.Schedule,
        Slot = context.Slot,
        DashboardUrl = DashboardLink(context.DashboardUrl, agent, suite, context.RunId),
        At = context.At,
    };

    /// <summary>
    /// The alerts a finished run's flagged trials raise: <see cref="AlertEvents.SuspectTrials"/> when
    /// any trial's change touched the test machinery, <see cref="AlertEvents.ModelFallback"/> when any
    /// was served by a fallback model or refused. None when no trial is flagged so.
    /// </summary>
    public static IReadOnlyList<Alert> ForFlaggedTrials(RunHeader run, IEnumerable<Trial> trials, AlertContext context)
    {
        var ordered = trials.OrderBy(t => t.Sequence).ToList();
        var counts = FlagCounts.Of(ordered);
        var alerts = new List<Alert>();
        if (counts.Suspect > 0)
            alerts.Add(ForFlags(AlertEvents.SuspectTrials, FlagKind.Suspect));
        if (counts.Fallback > 0 || counts.Refusal > 0)
            alerts.Add(ForFlags(AlertEvents.ModelFallback, FlagKind.Fallback, FlagKind.Refusal));
        return alerts;

        Alert ForFlags(string @event, params FlagKind[] kinds) => new()
        {
            Event = @event,
            Agent = run.Agent,
            Suite = run.Suite,
            RunId = run.Id,
            RunStatus = run.Status.Name(),
            Trials = run.PlannedTrials,
            SuspectTrials = kinds.Contains(FlagKind.Suspect) ? counts.Suspect : null,
            FallbackTrials = kinds.Contains(FlagKind.Fallback) ? counts.Fallback : null,
            RefusedTrials = kinds.Contains(FlagKind.Refusal) ? counts.Refusal : null,
            Flags = [.. ordered.SelectMany(t => t.Flags.Where(f => kinds.Contains(TrialFlags.KindOf(f)))
                .Select(f => new AlertFlag(t.TaskId, t.TrialIndex, t.Outcome.Name(), t.ErrorKind, f))).Take(TopFlags)],
            Schedule = context.Schedule,
            Slot = context.Slot,
            DashboardUrl = DashboardLink(context.DashboardUrl, run.Agent, run.Suite, run.Id),
            At = context.At,
        };
    }

    public static string Name(VerdictStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>The configured dashboard address with {agent}, {suite} and {run} filled in.</summary>
    public static string? DashboardLink(string? template, string agent, string suite, long? runId) =>
        template?.Replace("{agent}", Uri.EscapeDataString(agent), StringComparison.Ordinal)
            .Replace("{suite}", Uri.EscapeDataString(suite), StringComparison.Ordinal)
            .Replace("{run}", runId?.ToString(CultureInfo.InvariantCulture) ?? "", StringComparison.Ordinal);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The generic webhook body.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static Alert FromJson(string json) =>
        JsonSerializer.Deserialize<Alert>(json, JsonOptions) ?? throw new InvalidOperationException("empty alert");
}

/// <summary>Where an alert comes from: the run, the schedule slot, the dashboard, the time.</summary>
public sealed record AlertContext(DateTimeOffset At, long? RunId = null, string? Schedule = null, DateTimeOffset? Slot = null, string? DashboardUrl = null);
