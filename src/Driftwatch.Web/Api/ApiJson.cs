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

    /// <summary>What the page of one agent × suite shows: the series, the pooled pass rate of its window, usage per day, tasks and runs, within its filter.</summary>
    public static SeriesPageJson SeriesPage(SeriesPageView v) => new(
        Series(v.Series) with { Days = [.. Series(v.Series).Days.Where(d => v.Filter.Contains(d.Day))] },
        v.Filter.Window,
        [.. v.Window.Select(p => new WindowJson(p.Day, p.Passes, p.Scored, p.Rate, p.Low, p.High))],
        [.. v.Series.Verdict.Trace.Where(t => v.Filter.Contains(t.Day)).Select(t => new StatisticJson(t.Day, t.Down, t.Up))],
        [.. v.Usage.Select(u => new UsageJson(u.Day, u.Trials, u.InputTokens, u.OutputTokens, u.CostUsd, u.AgentMs))],
        [.. v.Tasks.Select(Tally)],
        [.. v.Runs.Select(ResultJson.Header)]);

    /// <summary>The agents of one suite side by side: each agent's verdict, tasks and days within the filter.</summary>
    public static SuitePageJson SuitePage(SuitePageView v) => new(
        v.Suite,
        [.. v.Agents.Select(a => new AgentColumnJson(
            a.Series.Agent,
            ResultJson.Verdict(a.Series.Verdict),
            [.. a.Tasks.Values.Select(Tally)],
            [.. a.Days.Values.OrderBy(d => d.Day).Select(d => new WindowJson(d.Day, d.Passes, d.Scored, d.Scored == 0 ? null : d.Rate, d.Scored == 0 ? null : d.Low, d.Scored == 0 ? null : d.High))]))]);

    private static TaskTallyJson Tally(TaskTally t) =>
        new(t.TaskId, t.Category, t.Language, t.Passes, t.Fails, t.Timeouts, t.Errors, t.Scored == 0 ? null : t.Rate, t.Latest.Name());

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

/// <summary>A pooled pass rate: the scored trials of the window's days up to <see cref="Day"/>.</summary>
internal sealed record WindowJson(DateOnly Day, int Passes, int Scored, double? PassRate, double? Low, double? High);

/// <summary>The detector's statistics after one monitored day ("worse" and "better").</summary>
internal sealed record StatisticJson(DateOnly Day, double Worse, double Better);

internal sealed record UsageJson(DateOnly Day, int Trials, long? InputTokens, long? OutputTokens, decimal? CostUsd, long AgentMs);

internal sealed record TaskTallyJson(string Task, string Category, string Language, int Passes, int Fails, int Timeouts, int Errors, double? PassRate, string Latest);

internal sealed record SeriesPageJson(SeriesJson Series, int Window, WindowJson[] PassRate, StatisticJson[] Statistic, UsageJson[] Usage, TaskTallyJson[] Tasks, RunHeaderJson[] Runs);

internal sealed record AgentColumnJson(string Agent, VerdictJson Verdict, TaskTallyJson[] Tasks, WindowJson[] Days);

internal sealed record SuitePageJson(string Suite, AgentColumnJson[] Agents);

/// <summary>What `export --format json` writes.</summary>
internal sealed record ExportJson(RunJson[] Runs, VerdictJson[] Verdicts);
