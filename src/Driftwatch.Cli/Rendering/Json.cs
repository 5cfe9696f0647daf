using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Validation;

namespace Driftwatch.Cli.Rendering;

/// <summary>
/// The --json shapes of SPEC §8: camelCase, stable field names, nulls kept so that every field is
/// always present. These records are the contract; change them only by adding fields.
/// </summary>
public static class Json
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
        Fingerprint(run.Fingerprint), Summary(run.Summary));

    public static RunJson Run(RunHeader run, IReadOnlyList<Trial> trials) => new(
        run.Id, run.Agent, run.AgentKind, run.Synthetic, run.Suite, run.SuiteRevision, run.Status.Name(),
        run.StartedAt, run.FinishedAt, run.Seed, run.TrialsPerTask, run.PlannedTrials, run.TaskFilter, run.SandboxMode,
        Fingerprint(run.Fingerprint),
        [.. trials.Select(Trial)],
        Summary(run.Summary));

    public static VerdictJson Verdict(Verdict v) => new(
        v.Agent, v.Suite, v.Status.ToString().ToLowerInvariant(), v.Detector.Name(), v.Effect, v.Low, v.High, v.ChangeDay, v.AlarmDay,
        [.. v.FlippedTasks.Select(f => new FlipJson(f.Task, f.RateBefore, f.RateAfter, f.PassesBefore, f.TrialsBefore, f.PassesAfter, f.TrialsAfter))],
        [.. v.FingerprintChanges], v.BaselineFrom, v.BaselineTo, v.BaselineDays, v.MonitoredDays, v.BaselinePassRate, v.RecentPassRate,
        v.Statistic, v.Threshold, v.Note);

    public static SummaryJson Summary(RunSummary summary) => new(
        summary.Total, summary.Pass, summary.Fail, summary.Timeout, summary.Error, summary.Pending,
        summary.PassRate, summary.Interval?.Low, summary.Interval?.High);

    public static TrialJson Trial(Trial trial) => new(
        trial.TaskId, trial.TrialIndex, trial.Category.Name(), trial.Language, trial.Outcome.Name(),
        trial.TestsPassed, trial.TestsTotal, trial.DurationMs, trial.AgentDurationMs, trial.TestDurationMs,
        trial.Usage.InputTokens, trial.Usage.OutputTokens, trial.Usage.CacheReadTokens, trial.Usage.CacheWriteTokens,
        trial.Usage.CostUsd, trial.Usage.Turns, trial.AgentVersion, trial.Model, trial.ErrorKind, trial.ErrorMessage,
        trial.Attempts, trial.StartedAt, trial.FirstOutcome?.Name(), trial.StopReason, trial.Usage.ToolCalls);

    public static FingerprintJson Fingerprint(RunFingerprint fingerprint) => new(
        fingerprint.DriftwatchVersion, fingerprint.AgentVersion, [.. fingerprint.Models], fingerprint.SuiteRevision,
        fingerprint.Os, fingerprint.Runtime, fingerprint.Sandbox);

    public static ValidationJson Validation(SuiteDefinition suite, IReadOnlyList<TaskValidation> results) => new(
        suite.Name, suite.Revision,
        [.. results.Select(r => new TaskValidationJson(
            r.Task.Id, r.Task.Category.Name(), r.Task.Language, r.Task.Difficulty.Name(), r.Sound, [.. r.Problems],
            new CheckJson(r.Bare.Outcome.Name(), r.Bare.Passed, r.Bare.Total, (long)r.Bare.Duration.TotalMilliseconds),
            new CheckJson(r.Reference.Outcome.Name(), r.Reference.Passed, r.Reference.Total, (long)r.Reference.Duration.TotalMilliseconds),
            r.MistakesChecked is { } checkedCount
                ? new MistakesJson(checkedCount, [.. r.SurvivingMistakes.Select(m => new MistakeJson(m.File, m.Line, m.Description))])
                : null))],
        results.Count(r => r.Sound), results.Count(r => !r.Sound));
}

public sealed record FlipJson(string Task, double Before, double After, int PassesBefore, int TrialsBefore, int PassesAfter, int TrialsAfter);

public sealed record VerdictJson(
    string Agent, string Suite, string Verdict, string Detector, double? Effect, double? Low, double? High, DateOnly? ChangeDay,
    DateOnly? AlarmDay, FlipJson[] FlippedTasks, string[] FingerprintChanges, DateOnly? BaselineFrom, DateOnly? BaselineTo,
    int BaselineDays, int MonitoredDays, double? BaselinePassRate, double? RecentPassRate, double? Statistic, double? Threshold, string? Note);

public sealed record SummaryJson(int Total, int Pass, int Fail, int Timeout, int Error, int Pending, double? PassRate, double? Low, double? High);

public sealed record FingerprintJson(string? DriftwatchVersion, string? AgentVersion, string[] Models, string? SuiteRevision, string? Os, string? Runtime, string? Sandbox);

public sealed record TrialJson(
    string Task, int Trial, string Category, string Language, string Outcome, int TestsPassed, int TestsTotal,
    long DurationMs, long AgentDurationMs, long TestDurationMs, long? InputTokens, long? OutputTokens,
    long? CacheReadTokens, long? CacheWriteTokens, decimal? CostUsd, int? Turns, string? AgentVersion, string? Model,
    string? ErrorKind, string? ErrorMessage, int Attempts, DateTimeOffset StartedAt, string? FirstOutcome, string? StopReason, int? ToolCalls);

public sealed record RunHeaderJson(
    long Id, string Agent, string AgentKind, bool Synthetic, string Suite, string SuiteRevision, string Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, int Seed, int TrialsPerTask, int PlannedTrials,
    string? TaskFilter, string Sandbox, FingerprintJson Fingerprint, SummaryJson Summary);

public sealed record RunJson(
    long Id, string Agent, string AgentKind, bool Synthetic, string Suite, string SuiteRevision, string Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, int Seed, int TrialsPerTask, int PlannedTrials,
    string? TaskFilter, string Sandbox, FingerprintJson Fingerprint, TrialJson[] Trials, SummaryJson Summary);

public sealed record CheckJson(string Outcome, int TestsPassed, int TestsTotal, long DurationMs);

public sealed record MistakeJson(string File, int Line, string Description);

public sealed record MistakesJson(int Checked, MistakeJson[] Surviving);

public sealed record TaskValidationJson(string Id, string Category, string Language, string Difficulty, bool Sound, string[] Problems, CheckJson Bare, CheckJson Reference, MistakesJson? Mistakes);

public sealed record SkippedJson(string Id, string Reason);

public sealed record ImportJson(string Format, string Suite, string Directory, string Revision, string SourceRevision, int Tasks,
    Dictionary<string, int> Categories, SkippedJson[] Skipped);

public sealed record ValidationJson(string Suite, string Revision, TaskValidationJson[] Tasks, int Sound, int Unsound);
