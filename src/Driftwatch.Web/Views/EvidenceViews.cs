using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;

namespace Driftwatch.Web.Views;

/// <summary>
/// What a page is asked to show: a range of days, a category, an outcome, some agents, and the
/// width of the pass-rate window (1, 7 or 30 days). Everything optional; read from the query string.
/// </summary>
public sealed record EvidenceFilter
{
    public static readonly EvidenceFilter All = new();

    /// <summary>The pass-rate views a page offers: daily, 7-day and 30-day pooled.</summary>
    public static readonly IReadOnlyList<int> Windows = [1, 7, 30];

    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }

    /// <summary>Task category (generation, completion, debugging), lower case.</summary>
    public string? Category { get; init; }

    /// <summary>Only tasks with at least one trial of this outcome in the range.</summary>
    public TrialOutcome? Outcome { get; init; }

    /// <summary>Only these agents (empty: all).</summary>
    public IReadOnlyList<string> Agents { get; init; } = [];

    /// <summary>Days pooled per point of the pass-rate line.</summary>
    public int Window { get; init; } = 1;

    public bool Contains(DateOnly day) => (From is not { } from || day >= from) && (To is not { } to || day <= to);

    public bool Any => From is not null || To is not null || Category is not null || Outcome is not null || Agents.Count > 0;
}

/// <summary>One point of a pooled pass-rate line: the trials of the <c>Window</c> days up to <c>Day</c>.</summary>
public sealed record WindowPoint(DateOnly Day, int Passes, int Scored, double Low, double High)
{
    public double Rate => Scored == 0 ? double.NaN : (double)Passes / Scored;
}

/// <summary>What one day of runs cost: tokens, money and agent time over its recorded trials.</summary>
public sealed record DayUsage(DateOnly Day, int Trials, long? InputTokens, long? OutputTokens, decimal? CostUsd, long AgentMs);

/// <summary>A task over the chosen days: its outcomes counted, and the latest one.</summary>
public sealed record TaskTally(string TaskId, string Category, string Language, int Passes, int Fails, int Timeouts, int Errors, TrialOutcome Latest)
{
    public int Scored => Passes + Fails + Timeouts;

    public double Rate => Scored == 0 ? double.NaN : (double)Passes / Scored;

    public int Count(TrialOutcome outcome) => outcome switch
    {
        TrialOutcome.Pass => Passes,
        TrialOutcome.Fail => Fails,
        TrialOutcome.Timeout => Timeouts,
        _ => Errors,
    };
}

/// <summary>
/// The page of one agent × suite: its verdict with the detector's statistic against its limit, the
/// pass rate pooled over the chosen window, what each day cost, every task, and its runs — all
/// within the chosen days.
/// </summary>
public sealed record SeriesPageView(
    SeriesView Series,
    EvidenceFilter Filter,
    IReadOnlyList<DayPoint> Days,
    IReadOnlyList<WindowPoint> Window,
    IReadOnlyList<DayUsage> Usage,
    IReadOnlyList<TaskTally> Tasks,
    IReadOnlyList<RunHeader> Runs)
{
    /// <summary>The categories of the suite's tasks (for the filter), whatever is filtered.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>The runs within the filter, of which <see cref="Runs"/> is a page (all of them unless paged).</summary>
    public int RunCount { get; init; }

    /// <summary>The cursor this page of <see cref="Runs"/> was read before (null: the latest page).</summary>
    public long? RunsBefore { get; init; }

    /// <summary>The cursor of the next older page of runs (the oldest run of this one), null when there is none.</summary>
    public long? OlderRunsBefore { get; init; }
}

/// <summary>A page of a series' runs (#20): the latest <see cref="Size"/> started before run <see cref="Before"/> (the latest when null).</summary>
public sealed record RunsPage(int Size, long? Before = null)
{
    /// <summary>The runs a series page lists at once.</summary>
    public const int DefaultSize = 100;
}

/// <summary>One agent's row on a suite page: its verdict, its tasks and its days within the chosen range.</summary>
public sealed record AgentColumn(SeriesView Series, IReadOnlyDictionary<string, TaskTally> Tasks, IReadOnlyDictionary<DateOnly, DayPoint> Days);

/// <summary>
/// The agents that ran one suite side by side: an agent × task matrix of pass rates and an agent ×
/// day matrix, within the chosen days and category.
/// </summary>
public sealed record SuitePageView(string Suite, EvidenceFilter Filter, IReadOnlyList<AgentColumn> Agents, IReadOnlyList<string> TaskIds, IReadOnlyList<DateOnly> Days)
{
    /// <summary>Every agent with runs on the suite (for the filter), whatever is filtered.</summary>
    public IReadOnlyList<string> AllAgents { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];
}

/// <summary>Which agent × suite pairs the overview shows: one agent, one suite, one status (each optional).</summary>
public sealed record OverviewFilter(string? Agent = null, string? Suite = null, VerdictStatus? Status = null)
{
    public static readonly OverviewFilter All = new();

    public bool Any => Agent is not null || Suite is not null || Status is not null;

    public bool Shows(SeriesView series) =>
        (Agent is null || series.Agent == Agent) && (Suite is null || series.Suite == Suite) && (Status is null || series.Verdict.Status == Status);
}
