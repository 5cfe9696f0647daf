using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Detection;

/// <summary>One stored run as detection sees it: its day, what it ran with, and each trial's outcome.</summary>
public sealed record HistoryRun(
    long Id,
    DateOnly Day,
    string SuiteRevision,
    string AgentConfig,
    RunFingerprint Fingerprint,
    IReadOnlyList<(string TaskId, TrialOutcome Outcome)> Trials)
{
    /// <summary>
    /// The metrics of the run's recorded trials (those that have any), every name the store holds:
    /// a detector of a continuous signal reads them here, with no store change for a new metric.
    /// </summary>
    public IReadOnlyList<TrialMetricValues> Metrics { get; init; } = [];

    /// <summary>
    /// An ingested run with per-run aggregates only: its <see cref="Trials"/> all carry the task
    /// <see cref="TotalsTask"/>, one entry per counted outcome.
    /// </summary>
    public bool TotalsOnly { get; init; }

    /// <summary>The one "task" of daily totals: what a run without per-task rows is judged on.</summary>
    public const string TotalsTask = "(daily totals)";

    /// <summary>The same run with every trial counted under <see cref="TotalsTask"/>.</summary>
    public HistoryRun Pooled() => this with { Trials = [.. Trials.Select(t => (TotalsTask, t.Outcome))], TotalsOnly = true };

    /// <summary>The entries of a run known by its counts only, one per counted outcome.</summary>
    public static IReadOnlyList<(string TaskId, TrialOutcome Outcome)> FromTotals(Ingest.RunTotals totals) =>
    [
        .. Enumerable.Repeat((TotalsTask, TrialOutcome.Pass), totals.Pass),
        .. Enumerable.Repeat((TotalsTask, TrialOutcome.Fail), totals.Fail),
        .. Enumerable.Repeat((TotalsTask, TrialOutcome.Timeout), totals.Timeout),
        .. Enumerable.Repeat((TotalsTask, TrialOutcome.Error), totals.Error),
    ];
}

/// <summary>The metrics of one recorded trial of a run.</summary>
public sealed record TrialMetricValues(string TaskId, int TrialIndex, Metrics.MetricDictionary Metrics);

/// <summary>Every run of one agent on one suite, oldest first.</summary>
public sealed record History(string Agent, string Suite, IReadOnlyList<HistoryRun> Runs)
{
    /// <summary>The harness texts (system prompts, contexts) the runs' fingerprints refer to, by hash.</summary>
    public IReadOnlyDictionary<string, string> Texts { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The runs since the last declared change: a new suite revision or a new agent configuration
    /// starts a new baseline. (A new model or CLI version that nobody configured is not a declared
    /// change: it is exactly what detection is for.)
    /// </summary>
    public IReadOnlyList<HistoryRun> CurrentSegment()
    {
        if (Runs.Count == 0)
            return [];
        var last = Runs[^1];
        var start = Runs.Count - 1;
        while (start > 0 && Runs[start - 1].SuiteRevision == last.SuiteRevision && Runs[start - 1].AgentConfig == last.AgentConfig)
            start--;
        return Runs.Skip(start).ToList();
    }
}

/// <summary>Days of a segment, each with trials and passes per task (errors excluded).</summary>
public sealed class DailySeries
{
    private DailySeries(string[] tasks, List<DayCounts> days, Dictionary<DateOnly, List<HistoryRun>> runs)
    {
        Tasks = tasks;
        Days = days;
        RunsByDay = runs;
    }

    public string[] Tasks { get; }
    public List<DayCounts> Days { get; }
    public Dictionary<DateOnly, List<HistoryRun>> RunsByDay { get; }

    public static DailySeries From(IReadOnlyList<HistoryRun> runs)
    {
        var tasks = runs.SelectMany(r => r.Trials.Select(t => t.TaskId)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = tasks.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var days = new List<DayCounts>();
        var byDay = new Dictionary<DateOnly, List<HistoryRun>>();
        foreach (var group in runs.GroupBy(r => r.Day).OrderBy(g => g.Key))
        {
            var trials = new int[tasks.Length];
            var passes = new int[tasks.Length];
            foreach (var run in group)
            {
                foreach (var (taskId, outcome) in run.Trials)
                {
                    if (outcome == TrialOutcome.Error)
                        continue;
                    var i = index[taskId];
                    trials[i]++;
                    if (outcome == TrialOutcome.Pass)
                        passes[i]++;
                }
            }
            var day = new DayCounts(group.Key, trials, passes);
            if (day.TotalTrials == 0)
                continue;
            days.Add(day);
            byDay[group.Key] = [.. group];
        }
        return new DailySeries(tasks, days, byDay);
    }
}
