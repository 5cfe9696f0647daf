using System.Text.Json;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;
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

    public static SeriesJson Series(SeriesView s) => Series(s, null);

    /// <summary>The series with its days, and its signals' days, from <paramref name="from"/> on (every day when null).</summary>
    public static SeriesJson Series(SeriesView s, DateOnly? from) => new(
        s.Agent, s.Suite, s.Synthetic, Verdict(s.Verdict, from),
        [.. s.Days.Where(d => from is not { } first || d.Day >= first).Select(d => new DayJson(d.Day, d.Passes, d.Scored, d.Errors, d.Scored == 0 ? null : d.Rate, d.Scored == 0 ? null : d.Low, d.Scored == 0 ? null : d.High, [.. d.RunIds], ResultJson.Flagged(d.Flagged)))],
        [.. s.Changes.Select(c => new ChangeJson(c.Day, c.What))],
        ResultJson.Header(s.Latest));

    /// <summary>A verdict as `check --json` writes it, its signals' days from <paramref name="from"/> on (every day when null).</summary>
    public static VerdictJson Verdict(Verdict v, DateOnly? from)
    {
        var json = ResultJson.Verdict(v);
        return from is not { } first
            ? json
            : json with { Signals = [.. json.Signals.Select(s => s with { Days = [.. s.Days.Where(d => d.Day >= first)] })] };
    }

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
        [.. v.Runs.Select(ResultJson.Header)],
        [.. v.Series.Verdict.Signals.Select(s => Signal(s, v.Filter))],
        [.. v.Series.Verdict.TriggeredBy],
        v.RunCount,
        v.OlderRunsBefore);

    /// <summary>A signal's verdict with the field names of <see cref="SignalVerdict"/>, its days within the filter.</summary>
    public static SignalJson Signal(SignalVerdict s, EvidenceFilter filter) => new(
        s.Signal, s.Label, Name(s.Kind), Name(s.Polarity), s.Unit, Name(s.Status), s.Direction,
        Finite(s.BaselineValue), Finite(s.RecentValue), Finite(s.Change), Finite(s.Low), Finite(s.High), s.Relative,
        s.ChangeDay, s.AlarmDay, Finite(s.Statistic), Finite(s.Threshold), Finite(s.Arl0),
        [.. s.Days.Where(d => filter.Contains(d.Day)).Select(d => new SignalDayJson(d.Day, Finite(d.Value), d.Trials, Finite(d.BandLow), Finite(d.BandHigh), Finite(d.Down), Finite(d.Up)))]);

    private static string Name<T>(T value)
        where T : struct, Enum => value is VerdictStatus status ? status.ToString().ToLowerInvariant() : JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>JSON has no NaN or infinity: such a value is written as null.</summary>
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

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

/// <summary>
/// The page of one agent × suite; <see cref="Signals"/> and <see cref="TriggeredBy"/> are the
/// verdict's (Verdict.Signals, Verdict.TriggeredBy). <see cref="Runs"/> is a page of the
/// <see cref="RunCount"/> runs within the filter (the latest, or those before `?before=`);
/// <see cref="OlderRunsBefore"/> is the `before` of the next older page, null when there is none.
/// </summary>
internal sealed record SeriesPageJson(SeriesJson Series, int Window, WindowJson[] PassRate, StatisticJson[] Statistic, UsageJson[] Usage, TaskTallyJson[] Tasks, RunHeaderJson[] Runs, SignalJson[] Signals, string[] TriggeredBy,
    int RunCount, long? OlderRunsBefore);

/// <summary>One signal's verdict: the fields of SignalVerdict, enums as camelCase words (status as check --json writes it).</summary>
internal sealed record SignalJson(
    string Signal, string Label, string Kind, string Polarity, string Unit, string Status, string? Direction,
    double? BaselineValue, double? RecentValue, double? Change, double? Low, double? High, bool Relative,
    DateOnly? ChangeDay, DateOnly? AlarmDay, double? Statistic, double? Threshold, double? Arl0, SignalDayJson[] Days);

/// <summary>One day of a signal: SignalDay's fields.</summary>
internal sealed record SignalDayJson(DateOnly Day, double? Value, int Trials, double? BandLow, double? BandHigh, double? Down, double? Up);

internal sealed record AgentColumnJson(string Agent, VerdictJson Verdict, TaskTallyJson[] Tasks, WindowJson[] Days);

internal sealed record SuitePageJson(string Suite, AgentColumnJson[] Agents);

/// <summary>What `export --format json` writes.</summary>
internal sealed record ExportJson(RunJson[] Runs, VerdictJson[] Verdicts);
