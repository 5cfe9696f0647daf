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
