using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;

namespace Driftwatch.Web.Views;

/// <summary>One day of an agent × suite: passes among the scored trials (errors excluded), with a Wilson 95% interval.</summary>
public sealed record DayPoint(DateOnly Day, int Passes, int Scored, int Errors, double Low, double High, IReadOnlyList<long> RunIds)
{
    public double Rate => Scored == 0 ? double.NaN : (double)Passes / Scored;

    /// <summary>The day's trials flagged suspect, served by a fallback model, or refused.</summary>
    public FlagCounts Flagged { get; init; } = FlagCounts.None;

    /// <summary>The flagged trials of each of the day's runs (in <see cref="RunIds"/> order).</summary>
    public IReadOnlyList<FlagCounts> RunFlagged { get; init; } = [];
}

/// <summary>Something the runs ran with changed on this day (agent version, models, suite revision).</summary>
public sealed record VersionChange(DateOnly Day, string What);

/// <summary>The overview row of one agent × suite: its verdict, its days and what changed along them.</summary>
public sealed record SeriesView(
    string Agent,
    string Suite,
    bool Synthetic,
    Verdict Verdict,
    IReadOnlyList<DayPoint> Days,
    IReadOnlyList<VersionChange> Changes,
    RunHeader Latest,
    int Runs)
{
    /// <summary>Short name for files and element ids.</summary>
    public string Slug => Slugs.Of(Agent, Suite);
}

/// <summary>A task's outcomes in one run compared with the run before: what flipped.</summary>
public enum Flip
{
    None,

    /// <summary>Passed (mostly) in the previous run, fails (mostly) now.</summary>
    Broke,

    /// <summary>Failed (mostly) in the previous run, passes (mostly) now.</summary>
    Fixed,
}

/// <summary>One task in a run: its trials, and how it compares with the previous run of the same agent × suite.</summary>
public sealed record TaskRow(string TaskId, string Category, string Language, IReadOnlyList<Trial> Trials, double? PreviousRate, Flip Flip)
{
    public int Passes => Trials.Count(t => t.Outcome == TrialOutcome.Pass);

    public int Scored => Trials.Count(t => t.Outcome != TrialOutcome.Error);

    public double? Rate => Scored == 0 ? null : (double)Passes / Scored;

    public int TestsPassed => Trials.Sum(t => t.TestsPassed);

    public int TestsTotal => Trials.Sum(t => t.TestsTotal);

    public long? InputTokens => SumOrNull(Trials.Select(t => t.Usage.InputTokens));

    public long? OutputTokens => SumOrNull(Trials.Select(t => t.Usage.OutputTokens));

    public decimal? CostUsd => Trials.Any(t => t.Usage.CostUsd is not null) ? Trials.Sum(t => t.Usage.CostUsd ?? 0) : null;

    public long DurationMs => Trials.Sum(t => t.DurationMs);

    internal static long? SumOrNull(IEnumerable<long?> values)
    {
        long? sum = null;
        foreach (var value in values)
        {
            if (value is { } v)
                sum = (sum ?? 0) + v;
        }
        return sum;
    }
}

/// <summary>A run page: the header, the task rows with their flips, and totals.</summary>
public sealed record RunView(RunHeader Run, RunHeader? Previous, IReadOnlyList<TaskRow> Tasks)
{
    /// <summary>
    /// The paired comparison with <see cref="Previous"/> on the tasks both ran: whether the broke and
    /// fixed tasks add up to more than chance gives (null without a previous run or a shared task).
    /// </summary>
    public PairedComparison? Comparison { get; init; }

    /// <summary>The run's trials flagged suspect, served by a fallback model, or refused.</summary>
    public FlagCounts Flagged => FlagCounts.Of(Tasks.SelectMany(t => t.Trials));

    public IEnumerable<TaskRow> Broke => Tasks.Where(t => t.Flip == Flip.Broke);

    public IEnumerable<TaskRow> Fixed => Tasks.Where(t => t.Flip == Flip.Fixed);

    /// <summary>A run ingested as per-run totals: it has no tasks, its sums are what the harness reported.</summary>
    public bool TotalsOnly => Run.Totals is not null;

    public long? InputTokens => TotalsOnly ? Run.TotalsUsage?.InputTokens : TaskRow.SumOrNull(Tasks.Select(t => t.InputTokens));

    public long? OutputTokens => TotalsOnly ? Run.TotalsUsage?.OutputTokens : TaskRow.SumOrNull(Tasks.Select(t => t.OutputTokens));

    public decimal? CostUsd => TotalsOnly ? Run.TotalsUsage?.CostUsd : Tasks.Any(t => t.CostUsd is not null) ? Tasks.Sum(t => t.CostUsd ?? 0) : null;

    public long DurationMs => TotalsOnly ? Run.TotalsDurationMs ?? 0 : Tasks.Sum(t => t.DurationMs);
}

/// <summary>One run's outcomes of one task (a cell of the task strip), with the trial index of each.</summary>
public sealed record TaskDay(long RunId, DateOnly Day, IReadOnlyList<TrialOutcome> Outcomes, IReadOnlyList<int> Trials)
{
    /// <summary>The flags of each trial, in the order of <see cref="Trials"/> (empty where none).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Flags { get; init; } = [];
}

/// <summary>A task's history across the runs of one agent × suite.</summary>
public sealed record TaskView(string Agent, string Suite, string TaskId, IReadOnlyList<TaskDay> Days, RunHeader Latest)
{
    public int Passes => Days.Sum(d => d.Outcomes.Count(o => o == TrialOutcome.Pass));

    public int Scored => Days.Sum(d => d.Outcomes.Count(o => o != TrialOutcome.Error));
}

/// <summary>A trial page: the trial and its stored texts.</summary>
public sealed record TrialView(RunHeader Run, Trial Trial, string? Transcript, string? AgentOutput, string? Diff, string? TestOutput);

/// <summary>File-name and id-safe names.</summary>
internal static class Slugs
{
    public static string Of(params string[] parts) =>
        string.Join("--", parts.Select(Clean));

    private static string Clean(string part)
    {
        var chars = part.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        return new string(chars);
    }
}
