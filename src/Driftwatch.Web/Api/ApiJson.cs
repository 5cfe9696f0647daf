using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Api;

/// <summary>
/// The JSON of the dashboard's API and of `export --format json`: camelCase, nulls kept, the same
/// field names as `show --json` and `check --json` (SPEC §8) plus what the views add (flips,
/// days, version changes). Change only by adding fields.
/// </summary>
public static class ApiJson
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
        run.StartedAt, run.FinishedAt, run.TrialsPerTask, run.PlannedTrials, Fingerprint(run.Fingerprint), Summary(run.Summary));

    public static RunJson Run(RunView view) => new(
        view.Run.Id, view.Run.Agent, view.Run.AgentKind, view.Run.Synthetic, view.Run.Suite, view.Run.SuiteRevision, view.Run.Status.Name(),
        view.Run.StartedAt, view.Run.FinishedAt, view.Run.TrialsPerTask, view.Run.PlannedTrials, Fingerprint(view.Run.Fingerprint),
        [.. view.Tasks.SelectMany(t => t.Trials).Select(Trial)],
        Summary(view.Run.Summary),
        new TotalsJson(view.InputTokens, view.OutputTokens, view.CostUsd, view.DurationMs),
        view.Previous?.Id,
        new FlipsJson([.. view.Broke.Select(t => t.TaskId)], [.. view.Fixed.Select(t => t.TaskId)]));

    public static SummaryJson Summary(RunSummary summary) => new(
        summary.Total, summary.Pass, summary.Fail, summary.Timeout, summary.Error, summary.Pending,
        summary.PassRate, summary.Interval?.Low, summary.Interval?.High);

    public static TrialJson Trial(Trial trial) => new(
        trial.TaskId, trial.TrialIndex, trial.Category.Name(), trial.Language, trial.Outcome.Name(),
        trial.TestsPassed, trial.TestsTotal, trial.DurationMs, trial.Usage.InputTokens, trial.Usage.OutputTokens,
        trial.Usage.CostUsd, trial.AgentVersion, trial.Model, trial.StopReason, trial.ErrorKind, trial.Attempts);

    public static FingerprintJson Fingerprint(RunFingerprint fingerprint) => new(
        fingerprint.DriftwatchVersion, fingerprint.AgentVersion, [.. fingerprint.Models], fingerprint.SuiteRevision, fingerprint.Os, fingerprint.Sandbox);

    public static VerdictJson Verdict(Verdict v) => new(
        v.Agent, v.Suite, v.Status.ToString().ToLowerInvariant(), v.Detector.Name(), v.Effect, v.Low, v.High, v.ChangeDay, v.AlarmDay,
        [.. v.FlippedTasks.Select(f => f.Task)], [.. v.FingerprintChanges], v.BaselineFrom, v.BaselineTo, v.BaselinePassRate, v.RecentPassRate, v.Note);

    public static SeriesJson Series(SeriesView s) => new(
        s.Agent, s.Suite, s.Synthetic, Verdict(s.Verdict),
        [.. s.Days.Select(d => new DayJson(d.Day, d.Passes, d.Scored, d.Errors, d.Scored == 0 ? null : d.Rate, d.Scored == 0 ? null : d.Low, d.Scored == 0 ? null : d.High, [.. d.RunIds]))],
        [.. s.Changes.Select(c => new ChangeJson(c.Day, c.What))],
        Header(s.Latest));

    public static TaskJson Task(TaskView t) => new(
        t.Agent, t.Suite, t.TaskId, t.Passes, t.Scored,
        [.. t.Days.Select(d => new TaskDayJson(d.RunId, d.Day, [.. d.Outcomes.Select(o => o.Name())], [.. d.Trials]))]);

    public static TrialDetailJson TrialDetail(TrialView v) => new(
        v.Run.Id, v.Run.Agent, v.Run.Suite, Trial(v.Trial), v.Transcript, v.AgentOutput, v.Diff, v.TestOutput);
}

public sealed record SummaryJson(int Total, int Pass, int Fail, int Timeout, int Error, int Pending, double? PassRate, double? Low, double? High);

public sealed record FingerprintJson(string? DriftwatchVersion, string? AgentVersion, string[] Models, string? SuiteRevision, string? Os, string? Sandbox);

public sealed record TrialJson(
    string Task, int Trial, string Category, string Language, string Outcome, int TestsPassed, int TestsTotal, long DurationMs,
    long? InputTokens, long? OutputTokens, decimal? CostUsd, string? AgentVersion, string? Model, string? StopReason, string? ErrorKind, int Attempts);

public sealed record RunHeaderJson(
    long Id, string Agent, string AgentKind, bool Synthetic, string Suite, string SuiteRevision, string Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, int TrialsPerTask, int PlannedTrials, FingerprintJson Fingerprint, SummaryJson Summary);

public sealed record TotalsJson(long? InputTokens, long? OutputTokens, decimal? CostUsd, long DurationMs);

public sealed record FlipsJson(string[] Broke, string[] Fixed);

public sealed record RunJson(
    long Id, string Agent, string AgentKind, bool Synthetic, string Suite, string SuiteRevision, string Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, int TrialsPerTask, int PlannedTrials, FingerprintJson Fingerprint,
    TrialJson[] Trials, SummaryJson Summary, TotalsJson Totals, long? PreviousRun, FlipsJson Flips);

public sealed record VerdictJson(
    string Agent, string Suite, string Verdict, string Detector, double? Effect, double? Low, double? High, DateOnly? ChangeDay, DateOnly? AlarmDay,
    string[] FlippedTasks, string[] FingerprintChanges, DateOnly? BaselineFrom, DateOnly? BaselineTo, double? BaselinePassRate, double? RecentPassRate, string? Note);

public sealed record DayJson(DateOnly Day, int Passes, int Scored, int Errors, double? PassRate, double? Low, double? High, long[] Runs);

public sealed record ChangeJson(DateOnly Day, string What);

public sealed record SeriesJson(string Agent, string Suite, bool Synthetic, VerdictJson Verdict, DayJson[] Days, ChangeJson[] Changes, RunHeaderJson Latest);

public sealed record TaskDayJson(long Run, DateOnly Day, string[] Outcomes, int[] Trials);

public sealed record TaskJson(string Agent, string Suite, string Task, int Passes, int Scored, TaskDayJson[] Runs);

public sealed record TrialDetailJson(long Run, string Agent, string Suite, TrialJson Trial, string? Transcript, string? AgentOutput, string? Diff, string? TestOutput);

/// <summary>What `export --format json` writes.</summary>
public sealed record ExportJson(RunJson[] Runs, VerdictJson[] Verdicts);
