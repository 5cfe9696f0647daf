using Driftwatch.Core.Runs;
using Driftwatch.Formats.Json;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Api;

/// <summary>
/// The JSON of the dashboard's API and of `export --format json`: runs, trials and verdicts in the
/// shapes of <see cref="ResultJson"/> (the same as `show --json` and `check --json`), plus what the
/// views add (days, version changes, task strips, trial details). Change only by adding fields.
/// </summary>
internal static class ApiJson
{
    public static RunJson Run(RunView view) => ResultJson.Run(
        view.Run, [.. view.Tasks.SelectMany(t => t.Trials)],
        new TotalsJson(view.InputTokens, view.OutputTokens, view.CostUsd, view.DurationMs),
        view.Previous?.Id,
        new FlipsJson([.. view.Broke.Select(t => t.TaskId)], [.. view.Fixed.Select(t => t.TaskId)]));

    public static SeriesJson Series(SeriesView s) => new(
        s.Agent, s.Suite, s.Synthetic, ResultJson.Verdict(s.Verdict),
        [.. s.Days.Select(d => new DayJson(d.Day, d.Passes, d.Scored, d.Errors, d.Scored == 0 ? null : d.Rate, d.Scored == 0 ? null : d.Low, d.Scored == 0 ? null : d.High, [.. d.RunIds], ResultJson.Flagged(d.Flagged)))],
        [.. s.Changes.Select(c => new ChangeJson(c.Day, c.What))],
        ResultJson.Header(s.Latest));

    public static TaskJson Task(TaskView t) => new(
        t.Agent, t.Suite, t.TaskId, t.Passes, t.Scored,
        [.. t.Days.Select(d => new TaskDayJson(d.RunId, d.Day, [.. d.Outcomes.Select(o => o.Name())], [.. d.Trials]))]);

    public static TrialDetailJson TrialDetail(TrialView v) => new(
        v.Run.Id, v.Run.Agent, v.Run.Suite, ResultJson.Trial(v.Trial), v.Transcript, v.AgentOutput, v.Diff, v.TestOutput);
}

/// <summary>One day of an agent × suite; <see cref="Flagged"/> counts its trials flagged suspect, served by a fallback model, or refused.</summary>
internal sealed record DayJson(DateOnly Day, int Passes, int Scored, int Errors, double? PassRate, double? Low, double? High, long[] Runs, FlaggedJson Flagged);

internal sealed record ChangeJson(DateOnly Day, string What);

internal sealed record SeriesJson(string Agent, string Suite, bool Synthetic, VerdictJson Verdict, DayJson[] Days, ChangeJson[] Changes, RunHeaderJson Latest);

internal sealed record TaskDayJson(long Run, DateOnly Day, string[] Outcomes, int[] Trials);

internal sealed record TaskJson(string Agent, string Suite, string Task, int Passes, int Scored, TaskDayJson[] Runs);

internal sealed record TrialDetailJson(long Run, string Agent, string Suite, TrialJson Trial, string? Transcript, string? AgentOutput, string? Diff, string? TestOutput);

/// <summary>What `export --format json` writes.</summary>
internal sealed record ExportJson(RunJson[] Runs, VerdictJson[] Verdicts);
