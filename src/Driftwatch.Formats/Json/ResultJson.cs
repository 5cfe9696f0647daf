using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Reporting;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Json;

/// <summary>
/// The JSON contract of results (README § Commands, `--json`), one for every way they leave Driftwatch: `show`, `runs`,
/// `check` and the other commands' --json, the dashboard's /api/ and `export --format json`.
/// camelCase, stable field names, nulls kept so that every field is always present. These records
/// are the contract; change them only by adding fields.
/// </summary>
public static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static RunHeaderJson Header(RunHeader run) => new(
        run.Id, run.Agent, run.AgentKind, run.Synthetic, run.Suite, run.SuiteRevision, run.Status.Name(),
        run.StartedAt, run.FinishedAt, run.Seed, run.TrialsPerTask, run.PlannedTrials, run.TaskFilter, run.SandboxMode,
        Fingerprint(run.Fingerprint), Summary(run.Summary), Flagged(run.Flagged), Source(run));

    public static RunJson Run(RunHeader run, IReadOnlyList<Trial> trials, TotalsJson? totals = null, long? previousRun = null, FlipsJson? flips = null) => new(
        run.Id, run.Agent, run.AgentKind, run.Synthetic, run.Suite, run.SuiteRevision, run.Status.Name(),
        run.StartedAt, run.FinishedAt, run.Seed, run.TrialsPerTask, run.PlannedTrials, run.TaskFilter, run.SandboxMode,
        Fingerprint(run.Fingerprint),
        [.. trials.Select(Trial)],
        Summary(run.Summary), totals ?? RunTotals(run), previousRun, flips, Flagged(FlagCounts.Of(trials)), Source(run));

    /// <summary>Where an ingested run came from, and whether it has per-run totals only; null for a run Driftwatch made.</summary>
    public static SourceJson? Source(RunHeader run) => run.Source is { } source
        ? new SourceJson(source.Format, source.Key, source.Path, TotalsOnly: run.Totals is not null)
        : null;

    /// <summary>The sums a harness reported for a run it kept as totals only.</summary>
    private static TotalsJson? RunTotals(RunHeader run) => run.Totals is null ? null
        : new TotalsJson(run.TotalsUsage?.InputTokens, run.TotalsUsage?.OutputTokens, run.TotalsUsage?.CostUsd, run.TotalsDurationMs ?? 0);

    /// <summary>
    /// What `run --json` prints: the run as `show --json` has it, and "verdict", the agent × suite's
    /// verdict after the run in the shape of `check --json` (null when the run was not judged:
    /// interrupted or incomplete).
    /// </summary>
    public static string RunWithVerdict(RunJson run, Verdict? verdict)
    {
        var node = JsonSerializer.SerializeToNode(run, Options)!.AsObject();
        node["verdict"] = verdict is null ? null : JsonSerializer.SerializeToNode(Verdict(verdict), Options);
        return node.ToJsonString(Options);
    }

    public static VerdictJson Verdict(Verdict v) => new(
        v.Agent, v.Suite, v.Status.ToString().ToLowerInvariant(), v.Detector, v.Effect, v.Low, v.High, v.ChangeDay, v.AlarmDay,
        [.. v.FlippedTasks.Select(f => new FlipJson(f.Task, f.RateBefore, f.RateAfter, f.PassesBefore, f.TrialsBefore, f.PassesAfter, f.TrialsAfter))],
        [.. v.FingerprintChanges], v.BaselineFrom, v.BaselineTo, v.BaselineDays, v.MonitoredDays, v.BaselinePassRate, v.RecentPassRate,
        v.Statistic, v.Threshold, v.Note is { } note ? VerdictText.Note(note) : null,
        [.. v.TrackerWindows.Select(w => new TrackerWindowJson(w.Days, w.Trials, w.Passes, w.Accuracy, w.WilsonLow, w.WilsonHigh,
            w.PLower, w.PUpper, w.DropThreshold, w.RiseThreshold, w.Threshold, w.Worse, w.Better))],
        v.DailyTotals ? "daily totals" : "per task",
        [.. v.Signals.Select(Signal)], [.. v.TriggeredBy]);

    /// <summary>A signal's verdict (<see cref="SignalVerdict"/>), field for field; kind, polarity and status as camelCase names.</summary>
    public static SignalJson Signal(SignalVerdict s) => new(
        s.Signal, s.Label, Camel(s.Kind.ToString()), Camel(s.Polarity.ToString()), s.Unit, s.Status.ToString().ToLowerInvariant(), s.Direction,
        s.BaselineValue, s.RecentValue, s.Change, s.Low, s.High, s.Relative, s.ChangeDay, s.AlarmDay, s.Statistic, s.Threshold, s.Arl0,
        s.Watched, s.NotWatchedReason, s.BaselineTrials, [.. s.FingerprintChanges],
        [.. s.Days.Select(d => new SignalDayJson(d.Day, d.Value, d.Trials, d.BandLow, d.BandHigh, d.Down, d.Up))]);

    private static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    public static SummaryJson Summary(RunSummary summary) => new(
        summary.Total, summary.Pass, summary.Fail, summary.Timeout, summary.Error, summary.Pending,
        summary.PassRate, summary.Interval?.Low, summary.Interval?.High);

    public static TrialJson Trial(Trial trial) => new(
        trial.TaskId, trial.TrialIndex, trial.Category.Name(), trial.Language, trial.Outcome.Name(),
        trial.TestsPassed, trial.TestsTotal, trial.DurationMs, trial.AgentDurationMs, trial.TestDurationMs,
        trial.Usage.InputTokens, trial.Usage.OutputTokens, trial.Usage.CacheReadTokens, trial.Usage.CacheWriteTokens,
        trial.Usage.CostUsd, trial.Usage.Turns, trial.AgentVersion, trial.Model, trial.ErrorKind, trial.ErrorMessage,
        trial.Attempts, trial.StartedAt, trial.FirstOutcome?.Name(), trial.StopReason, trial.Usage.ToolCalls,
        [.. trial.Flags], [.. trial.ServedModels], Metrics(trial.Metrics), trial.Source);

    /// <summary>Every catalog metric by name, in catalog order, null where the trial has no value: a new metric appears with no edit here.</summary>
    public static OrderedDictionary<string, double?> Metrics(MetricDictionary values) =>
        new(TrialMetrics.All.Select(m => KeyValuePair.Create(m.Name, values.Get(m.Name))));

    public static FlaggedJson Flagged(FlagCounts counts) => new(counts.Suspect, counts.Fallback, counts.Refusal);

    public static FingerprintJson Fingerprint(RunFingerprint fingerprint) => new(
        fingerprint.DriftwatchVersion, fingerprint.AgentVersion, [.. fingerprint.Models], fingerprint.SuiteRevision,
        fingerprint.Os, fingerprint.Runtime, fingerprint.Sandbox);
}

public sealed record FlipJson(string Task, double Before, double After, int PassesBefore, int TrialsBefore, int PassesAfter, int TrialsAfter);

public sealed record VerdictJson(
    string Agent, string Suite, string Verdict, string Detector, double? Effect, double? Low, double? High, DateOnly? ChangeDay,
    DateOnly? AlarmDay, FlipJson[] FlippedTasks, string[] FingerprintChanges, DateOnly? BaselineFrom, DateOnly? BaselineTo,
    int BaselineDays, int MonitoredDays, double? BaselinePassRate, double? RecentPassRate, double? Statistic, double? Threshold, string? Note,
    TrackerWindowJson[] TrackerWindows, string Basis, SignalJson[] Signals, string[] TriggeredBy);

/// <summary>One signal's verdict beside the pass rate (docs/signals.md): its change (relative or in its unit) with the 95% interval, its days with the baseline band, its share of the budget.</summary>
public sealed record SignalJson(
    string Signal, string Label, string Kind, string Polarity, string Unit, string Status, string? Direction,
    double? BaselineValue, double? RecentValue, double? Change, double? Low, double? High, bool Relative, DateOnly? ChangeDay, DateOnly? AlarmDay,
    double? Statistic, double? Threshold, double Arl0, bool Watched, string? NotWatchedReason, int BaselineTrials, string[] FingerprintChanges,
    SignalDayJson[] Days);

public sealed record SignalDayJson(DateOnly Day, double Value, int Trials, double? BandLow, double? BandHigh, double? Down, double? Up);

/// <summary>
/// One window of the public trackers' rule on the verdict's last day (docs/detection.md): trials,
/// passes, accuracy with its 95% Wilson interval, the one-sided exact binomial p-values against the
/// baseline pass rate, the smallest significant drop and rise, the "±" threshold, and whether it fires.
/// </summary>
public sealed record TrackerWindowJson(
    int Days, int Trials, int Passes, double Accuracy, double WilsonLow, double WilsonHigh, double PLower, double PUpper,
    double? DropThreshold, double? RiseThreshold, double? Threshold, bool Worse, bool Better);

public sealed record SummaryJson(int Total, int Pass, int Fail, int Timeout, int Error, int Pending, double? PassRate, double? Low, double? High);

public sealed record FingerprintJson(string? DriftwatchVersion, string? AgentVersion, string[] Models, string? SuiteRevision, string? Os, string? Runtime, string? Sandbox);

public sealed record TrialJson(
    string Task, int Trial, string Category, string Language, string Outcome, int TestsPassed, int TestsTotal,
    long DurationMs, long AgentDurationMs, long TestDurationMs, long? InputTokens, long? OutputTokens,
    long? CacheReadTokens, long? CacheWriteTokens, decimal? CostUsd, int? Turns, string? AgentVersion, string? Model,
    string? ErrorKind, string? ErrorMessage, int Attempts, DateTimeOffset StartedAt, string? FirstOutcome, string? StopReason, int? ToolCalls,
    string[] Flags, string[] ServedModels, OrderedDictionary<string, double?> Metrics, string? Source);

public sealed record RunHeaderJson(
    long Id, string Agent, string AgentKind, bool Synthetic, string Suite, string SuiteRevision, string Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, int Seed, int TrialsPerTask, int PlannedTrials,
    string? TaskFilter, string Sandbox, FingerprintJson Fingerprint, SummaryJson Summary, FlaggedJson Flagged, SourceJson? Source);

public sealed record RunJson(
    long Id, string Agent, string AgentKind, bool Synthetic, string Suite, string SuiteRevision, string Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, int Seed, int TrialsPerTask, int PlannedTrials,
    string? TaskFilter, string Sandbox, FingerprintJson Fingerprint, TrialJson[] Trials, SummaryJson Summary,
    TotalsJson? Totals, long? PreviousRun, FlipsJson? Flips, FlaggedJson Flagged, SourceJson? Source);

/// <summary>Where an ingested run was read (docs/ingest.md): format, the run's key in it, the file or folder; totals only when it has no trials.</summary>
public sealed record SourceJson(string Format, string Key, string Path, bool TotalsOnly);

/// <summary>Sums over a run's trials (the dashboard's run view and `export --format json`).</summary>
public sealed record TotalsJson(long? InputTokens, long? OutputTokens, decimal? CostUsd, long DurationMs);

/// <summary>Tasks that broke or were fixed against the previous run of the same agent × suite.</summary>
public sealed record FlipsJson(string[] Broke, string[] Fixed);

/// <summary>
/// Trials flagged suspect (the change touched the test machinery), served by a fallback model, or
/// refused: each trial counted once per kind (a run's, a day's).
/// </summary>
public sealed record FlaggedJson(int Suspect, int Fallback, int Refusal);
