using System.Collections.Concurrent;
using System.Globalization;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;

namespace Driftwatch.Web.Views;

/// <summary>
/// Builds every view of the dashboard, the static report and the exports from the store. It only
/// reads: a run may be writing to the same database meanwhile (WAL), and each call sees the
/// trials committed so far. Verdicts come from <paramref name="judge"/> (the checker by default).
/// </summary>
public sealed class DashboardReader(IResultStore store, CheckOptions checkOptions, VerdictSource? judge = null)
{
    private readonly VerdictSource _judge = judge ?? Checker.Check;

    // Calibrating a detector simulates; a verdict is kept until its history gains a trial.
    private readonly ConcurrentDictionary<(string Agent, string Suite), (string Key, Verdict Verdict)> _verdicts = new();

    // A series (its verdict, days and changes) is kept until one of its runs is written again: its
    // runs' headers say so at the cost of one row per run, where the series reads every trial.
    private readonly ConcurrentDictionary<(string Agent, string Suite), (string Key, SeriesView View)> _series = new();

    // Whole listings of run headers, kept per query while the store's change stamp is the same (#20):
    // listing all 7,300 runs of a 1M-trial database takes 170 to 400 ms (each header's fingerprint is
    // JSON), where the stamp is one aggregate of a row per run, about 1.5 ms. A listing with a
    // running run is not kept: its owner may die, or its lease lapse, without a write; nor an empty one
    // (any agent or suite can be asked for).
    private readonly ConcurrentDictionary<RunQuery, (string Stamp, IReadOnlyList<RunHeader> Runs)> _listings = new();

    // The page of an agent × suite, read from every trial of its runs in range (tasks, usage), kept
    // per address (filters and page of runs, any window) until one of its runs is written (#20);
    // up to KeptPages of them, all dropped when more are asked for (any filter can be).
    private readonly ConcurrentDictionary<string, (string Key, SeriesPageView View)> _pages = new(StringComparer.Ordinal);
    private const int KeptPages = 64;

    // An agent's column of a suite page, read from every trial of its runs in range, kept the same way.
    private readonly ConcurrentDictionary<string, (string Key, AgentColumn Column, IReadOnlyList<string> Categories)> _columns = new(StringComparer.Ordinal);

    public CheckOptions CheckOptions => checkOptions;

    /// <summary>Every run <paramref name="query"/> (without a limit) selects: the listing kept while nothing was written, else read.</summary>
    private async Task<IReadOnlyList<RunHeader>> ListAllAsync(RunQuery query, CancellationToken cancellationToken)
    {
        var stamp = await store.GetChangeStampAsync(cancellationToken);
        if (_listings.TryGetValue(query, out var kept) && kept.Stamp == stamp)
            return kept.Runs;
        var runs = await store.ListRunsAsync(query, cancellationToken);
        if (runs.Count == 0 || runs.Any(r => r.Status == RunStatus.Running))
            _listings.TryRemove(query, out _);
        else
            _listings[query] = (stamp, runs);
        return runs;
    }

    public Task<IReadOnlyList<RunHeader>> RunsAsync(RunQuery query, CancellationToken cancellationToken = default) =>
        store.ListRunsAsync(query, cancellationToken);

    /// <summary>Every agent × suite with runs, ordered by agent then suite.</summary>
    public async Task<IReadOnlyList<SeriesView>> OverviewAsync(CancellationToken cancellationToken = default)
    {
        var runs = await ListAllAsync(new RunQuery(), cancellationToken);
        var series = new List<SeriesView>();
        foreach (var group in runs.GroupBy(r => (r.Agent, r.Suite)).OrderBy(g => g.Key.Agent, StringComparer.Ordinal).ThenBy(g => g.Key.Suite, StringComparer.Ordinal))
            series.Add(await SeriesAsync(group.Key.Agent, group.Key.Suite, [.. group], cancellationToken));
        return series;
    }

    public async Task<SeriesView?> SeriesAsync(string agent, string suite, CancellationToken cancellationToken = default)
    {
        var runs = await ListAllAsync(new RunQuery(agent, suite), cancellationToken);
        return runs.Count == 0 ? null : await SeriesAsync(agent, suite, runs, cancellationToken);
    }

    private async Task<SeriesView> SeriesAsync(string agent, string suite, IReadOnlyList<RunHeader> runs, CancellationToken cancellationToken)
    {
        var key = StoredVerdicts.RunsKey(runs);
        if (_series.TryGetValue((agent, suite), out var cached) && cached.Key == key)
            return cached.View;
        var view = await ReadSeriesAsync(agent, suite, runs, cancellationToken);
        _series[(agent, suite)] = (key, view);
        return view;
    }

    private async Task<SeriesView> ReadSeriesAsync(string agent, string suite, IReadOnlyList<RunHeader> runs, CancellationToken cancellationToken)
    {
        // The checker's verdicts are kept in the store, judged once per change (#20); another judge's
        // are not. Judging reads the history with the trials' metrics, as `check` does (the same
        // signals, the same budget); a kept verdict needs only the outcomes for the days shown, so
        // the metrics (most of a history's bytes) are read only to judge.
        History? read = null;
        async Task<History> ReadForJudging(CancellationToken token) =>
            read = await store.GetHistoryAsync(agent, suite, withMetrics: checkOptions.Signals.Enabled, token);
        var verdict = judge is null
            ? await StoredVerdicts.GetOrJudgeAsync(store, agent, suite, runs, checkOptions, TimeProvider.System, ReadForJudging, cancellationToken)
            : Verdict(await ReadForJudging(cancellationToken));
        var history = read ?? await store.GetHistoryAsync(agent, suite, withMetrics: false, cancellationToken);
        var flagged = runs.ToDictionary(r => r.Id, r => r.Flagged);
        var days = history.Runs
            .GroupBy(r => r.Day)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var outcomes = g.SelectMany(r => r.Trials.Select(t => t.Outcome)).ToList();
                var passes = outcomes.Count(o => o == TrialOutcome.Pass);
                var errors = outcomes.Count(o => o == TrialOutcome.Error);
                var scored = outcomes.Count - errors;
                var interval = scored == 0 ? new Interval(double.NaN, double.NaN) : Wilson.Interval(passes, scored);
                var runFlagged = g.Select(r => flagged.GetValueOrDefault(r.Id, FlagCounts.None)).ToList();
                return new DayPoint(g.Key, passes, scored, errors, interval.Low, interval.High, [.. g.Select(r => r.Id)])
                {
                    Flagged = runFlagged.Aggregate(FlagCounts.None, (sum, f) => sum + f),
                    RunFlagged = runFlagged,
                };
            })
            .ToList();
        return new SeriesView(agent, suite, runs.Any(r => r.Synthetic), verdict, days, Changes(history), runs[^1], runs.Count);
    }

    private Verdict Verdict(History history)
    {
        var key = $"{history.Runs.Count}:{(history.Runs.Count == 0 ? 0 : history.Runs[^1].Id)}:{history.Runs.Sum(r => r.Trials.Count)}";
        if (_verdicts.TryGetValue((history.Agent, history.Suite), out var cached) && cached.Key == key)
            return cached.Verdict;
        var verdict = _judge(history, checkOptions);
        _verdicts[(history.Agent, history.Suite)] = (key, verdict);
        return verdict;
    }

    /// <summary>Days on which the agent version, the models used or the suite revision differ from the run before.</summary>
    public static IReadOnlyList<VersionChange> Changes(History history)
    {
        var changes = new List<VersionChange>();
        HistoryRun? previous = null;
        foreach (var run in history.Runs)
        {
            if (previous is not null)
            {
                var what = new List<string>();
                var before = previous.Fingerprint;
                var now = run.Fingerprint;
                if (!string.Equals(before.AgentVersion, now.AgentVersion, StringComparison.Ordinal) && now.AgentVersion is not null)
                    what.Add($"agent {before.AgentVersion ?? "?"} → {now.AgentVersion}");
                if (!before.Models.SequenceEqual(now.Models) && now.Models.Length > 0)
                    what.Add($"models {Join(before.Models)} → {Join(now.Models)}");
                if (!string.Equals(previous.SuiteRevision, run.SuiteRevision, StringComparison.Ordinal))
                    what.Add($"suite revision {Short(previous.SuiteRevision)} → {Short(run.SuiteRevision)}");
                if (!string.Equals(previous.AgentConfig, run.AgentConfig, StringComparison.Ordinal))
                    what.Add("agent configuration changed");
                if (what.Count > 0)
                    changes.Add(new VersionChange(run.Day, string.Join("; ", what)));
            }
            previous = run;
        }
        return changes;

        static string Join(IEnumerable<string> models) => models.Any() ? string.Join(",", models) : "none";
        static string Short(string revision) => revision.Length > 8 ? revision[..8] : revision;
    }

    public async Task<RunView?> RunAsync(long runId, CancellationToken cancellationToken = default)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is null)
            return null;
        var trials = await store.GetTrialsAsync(runId, cancellationToken);
        var earlier = await ListAllAsync(new RunQuery(run.Agent, run.Suite), cancellationToken);
        var previous = earlier.LastOrDefault(r => (r.StartedAt, r.Id).CompareTo((run.StartedAt, run.Id)) < 0);
        var previousRates = new Dictionary<string, double>(StringComparer.Ordinal);
        IReadOnlyList<Trial> previousTrials = previous is null ? [] : await store.GetTrialsAsync(previous.Id, cancellationToken);
        if (previous is not null)
        {
            foreach (var group in previousTrials.GroupBy(t => t.TaskId))
            {
                var scored = group.Count(t => t.Outcome != TrialOutcome.Error);
                if (scored > 0)
                    previousRates[group.Key] = (double)group.Count(t => t.Outcome == TrialOutcome.Pass) / scored;
            }
        }
        var rows = trials
            .GroupBy(t => t.TaskId)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var list = g.OrderBy(t => t.TrialIndex).ToList();
                double? before = previousRates.TryGetValue(g.Key, out var rate) ? rate : null;
                var row = new TaskRow(g.Key, CategoryOf(list[0]), list[0].Language, list, before, Flip.None);
                return row with { Flip = FlipOf(before, row.Rate) };
            })
            .ToList();
        return new RunView(run, previous, rows) { Comparison = Compare(previousTrials, trials) };
    }

    /// <summary>The paired comparison of two runs' trials, or null when they share no scored task.</summary>
    private static PairedComparison? Compare(IReadOnlyList<Trial> before, IReadOnlyList<Trial> now)
    {
        static HashSet<string> Scored(IEnumerable<Trial> trials) =>
            trials.Where(t => t.Outcome != TrialOutcome.Error).Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);
        return Scored(before).Overlaps(Scored(now)) ? PairedComparison.Of(before, now) : null;
    }

    /// <summary>
    /// The comparison in words: the change in pass rate with its interval, the p-value of "no
    /// change" and its method, and whether that is beyond what chance gives (p &lt; 0.05). Flips of
    /// single trials are mostly noise; this says whether they add up to news.
    /// </summary>
    public static string ComparisonText(PairedComparison comparison)
    {
        var method = comparison.Method == "mcnemar-exact" ? "McNemar exact, one trial per task" : "clustered t over tasks";
        var verdict = comparison.PValue < 0.05 ? "beyond chance" : "within what chance gives";
        return string.Create(CultureInfo.InvariantCulture,
            $"difference {Points(comparison.Difference)} points (95% CI {Points(comparison.Interval.Low)} to {Points(comparison.Interval.High)}), p = {comparison.PValue:0.000} ({method}): {verdict}");
    }

    private static string Points(double change) =>
        (change * 100).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture);

    /// <summary>A flip is a task whose majority outcome changed: pass → fail is "broke", fail → pass "fixed".</summary>
    public static Flip FlipOf(double? before, double? now) =>
        !TaskFlips.Flipped(before, now) ? Flip.None : now >= 0.5 ? Flip.Fixed : Flip.Broke;

    public async Task<TaskView?> TaskAsync(string agent, string suite, string taskId, CancellationToken cancellationToken = default)
    {
        var runs = await ListAllAsync(new RunQuery(agent, suite), cancellationToken);
        if (runs.Count == 0)
            return null;
        var days = new List<TaskDay>();
        // The task's own trials only, through its index: the page costs the task's history, not every trial of the series (#20).
        var byRun = (await store.GetTaskTrialsAsync(agent, suite, taskId, cancellationToken)).ToLookup(t => t.RunId);
        foreach (var run in runs)
        {
            var trials = byRun[run.Id].OrderBy(t => t.TrialIndex).ToList();
            if (trials.Count > 0)
                days.Add(new TaskDay(run.Id, DateOnly.FromDateTime(run.StartedAt.UtcDateTime), [.. trials.Select(t => t.Outcome)], [.. trials.Select(t => t.TrialIndex)])
                {
                    Flags = [.. trials.Select(t => (IReadOnlyList<string>)(t.Flags.IsDefault ? [] : [.. t.Flags]))],
                });
        }
        return days.Count == 0 ? null : new TaskView(agent, suite, taskId, days, runs[^1]);
    }

    public async Task<TrialView?> TrialAsync(long runId, string taskId, int trialIndex, CancellationToken cancellationToken = default)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is null)
            return null;
        var trial = (await store.GetTrialsAsync(runId, cancellationToken)).FirstOrDefault(t => t.TaskId == taskId && t.TrialIndex == trialIndex);
        if (trial is null)
            return null;
        var key = new TrialKey(taskId, trialIndex);
        return new TrialView(
            run,
            trial,
            await ArtifactAsync(runId, key, ArtifactKind.Transcript, cancellationToken),
            await ArtifactAsync(runId, key, ArtifactKind.AgentOutput, cancellationToken),
            await ArtifactAsync(runId, key, ArtifactKind.Diff, cancellationToken),
            await ArtifactAsync(runId, key, ArtifactKind.TestOutput, cancellationToken));
    }

    /// <summary>
    /// An artifact's text; one whose blob is missing or damaged says so in its place (the rest of
    /// the trial's page still shows), without the server's paths: `show` names the file.
    /// </summary>
    private async Task<string?> ArtifactAsync(long runId, TrialKey key, ArtifactKind kind, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetArtifactAsync(runId, key, kind, cancellationToken);
        }
        catch (Core.InvalidInputException)
        {
            return $"(this artifact cannot be read: its stored blob is missing or damaged; `driftwatch show {runId} --task {key.TaskId}` names the file)";
        }
    }

    /// <summary>The page of one agent × suite within <paramref name="filter"/> with every run of it listed, or null when it has no runs.</summary>
    public Task<SeriesPageView?> SeriesPageAsync(string agent, string suite, EvidenceFilter filter, CancellationToken cancellationToken = default) =>
        SeriesPageAsync(agent, suite, filter, null, cancellationToken);

    /// <summary>
    /// The page of one agent × suite within <paramref name="filter"/>, or null when it has no runs;
    /// its list of runs a page of them when <paramref name="runsPage"/> is given (else every run in the filter).
    /// </summary>
    public async Task<SeriesPageView?> SeriesPageAsync(string agent, string suite, EvidenceFilter filter, RunsPage? runsPage, CancellationToken cancellationToken = default)
    {
        var runs = await ListAllAsync(new RunQuery(agent, suite), cancellationToken);
        if (runs.Count == 0)
            return null;
        var series = await SeriesAsync(agent, suite, runs, cancellationToken);
        var runsKey = StoredVerdicts.RunsKey(runs);
        var address = string.Join('\n', agent, suite, Pages.EvidenceQuery.Format(filter with { Window = 1 }), runsPage?.Size, runsPage?.Before);
        if (_pages.TryGetValue(address, out var kept) && kept.Key == runsKey && ReferenceEquals(kept.View.Series, series))
            return InWindow(kept.View, filter.Window);
        var inRange = runs.Where(r => filter.Contains(Day(r))).ToList();
        var trials = await TrialsOfAsync(inRange, cancellationToken);
        var categories = trials.Select(t => CategoryOf(t.Trial)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        // Runs ingested as per-run totals have no trials: their usage is what the harness reported for the run.
        var usage = trials
            .Select(t => (Day: Day(t.Run), Trials: 1, Usage: t.Trial.Usage, AgentMs: t.Trial.AgentDurationMs))
            .Concat(inRange.Where(r => r.Totals is not null).Select(r => (Day: Day(r), Trials: r.Totals!.Total, Usage: r.TotalsUsage ?? AgentUsage.None, AgentMs: 0L)))
            .GroupBy(t => t.Day)
            .OrderBy(g => g.Key)
            .Select(g => new DayUsage(
                g.Key,
                g.Sum(t => t.Trials),
                TaskRow.SumOrNull(g.Select(t => t.Usage.InputTokens)),
                TaskRow.SumOrNull(g.Select(t => t.Usage.OutputTokens)),
                g.Any(t => t.Usage.CostUsd is not null) ? g.Sum(t => t.Usage.CostUsd ?? 0) : null,
                g.Sum(t => t.AgentMs)))
            .ToList();
        var days = series.Days.Where(d => filter.Contains(d.Day)).ToList();
        var (shown, older) = Page(inRange, runs, runsPage);
        var view = new SeriesPageView(series, filter, days, [], usage, [.. TasksOf(trials, filter)], shown)
        {
            Categories = categories,
            RunCount = inRange.Count,
            RunsBefore = runsPage?.Before,
            OlderRunsBefore = older,
        };
        if (_pages.Count >= KeptPages)
            _pages.Clear();
        _pages[address] = (runsKey, view);
        return InWindow(view, filter.Window);
    }

    /// <summary>
    /// The runs of <paramref name="page"/> among <paramref name="runs"/> (oldest first): those
    /// started before its cursor, a run of <paramref name="series"/> (none when it is not one), the
    /// latest of them; and the cursor of the page before it when there is one.
    /// </summary>
    private static (IReadOnlyList<RunHeader> Runs, long? Older) Page(IReadOnlyList<RunHeader> runs, IReadOnlyList<RunHeader> series, RunsPage? page)
    {
        if (page is null)
            return (runs, null);
        var before = runs;
        if (page.Before is { } id)
        {
            before = series.FirstOrDefault(r => r.Id == id) is { } cursor
                ? [.. runs.Where(r => (r.StartedAt, r.Id).CompareTo((cursor.StartedAt, cursor.Id)) < 0)]
                : [];
        }
        var start = Math.Max(0, before.Count - page.Size);
        return ([.. before.Skip(start)], start > 0 ? before[start].Id : null);
    }

    /// <summary>
    /// The same page with its pass rate pooled over <paramref name="window"/> days: everything else
    /// is read once (the static report writes every window from one read).
    /// </summary>
    public static SeriesPageView InWindow(SeriesPageView view, int window) => view with
    {
        Filter = view.Filter with { Window = window },
        Window = [.. Pooled(view.Series.Days, window).Where(p => view.Filter.Contains(p.Day))],
    };

    /// <summary>The agents that ran <paramref name="suite"/> side by side within <paramref name="filter"/>, or null when none did.</summary>
    public async Task<SuitePageView?> SuitePageAsync(string suite, EvidenceFilter filter, CancellationToken cancellationToken = default)
    {
        var runs = (await ListAllAsync(new RunQuery(Suite: suite), cancellationToken)).Where(r => r.Suite == suite).ToList();
        if (runs.Count == 0)
            return null;
        var allAgents = runs.Select(r => r.Agent).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var categories = new SortedSet<string>(StringComparer.Ordinal);
        var columns = new List<AgentColumn>();
        foreach (var agent in allAgents.Where(a => filter.Agents.Count == 0 || filter.Agents.Contains(a, StringComparer.Ordinal)))
        {
            var agentRuns = runs.Where(r => r.Agent == agent).ToList();
            var series = await SeriesAsync(agent, suite, agentRuns, cancellationToken);
            var runsKey = StoredVerdicts.RunsKey(agentRuns);
            var address = string.Join('\n', "suite", agent, suite, Pages.EvidenceQuery.Format(filter with { Window = 1, Agents = [] }));
            if (!_columns.TryGetValue(address, out var kept) || kept.Key != runsKey || !ReferenceEquals(kept.Column.Series, series))
            {
                var trials = await TrialsOfAsync([.. agentRuns.Where(r => filter.Contains(Day(r)))], cancellationToken);
                var tasks = TasksOf(trials, filter).ToDictionary(t => t.TaskId, StringComparer.Ordinal);
                kept = (runsKey, new AgentColumn(series, tasks, series.Days.Where(d => filter.Contains(d.Day)).ToDictionary(d => d.Day)),
                    [.. trials.Select(t => CategoryOf(t.Trial)).Distinct(StringComparer.Ordinal)]);
                if (_columns.Count >= KeptPages)
                    _columns.Clear();
                _columns[address] = kept;
            }
            categories.UnionWith(kept.Categories);
            columns.Add(kept.Column);
        }
        var taskIds = columns.SelectMany(c => c.Tasks.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var days = columns.SelectMany(c => c.Days.Keys).Distinct().Order().ToList();
        return new SuitePageView(suite, filter, columns, taskIds, days) { AllAgents = allAgents, Categories = [.. categories] };
    }

    /// <summary>
    /// The pass rate pooled over the <paramref name="window"/> calendar days up to each day with
    /// data, with its Wilson interval: a 7- or 30-day view smooths what one day's few trials cannot.
    /// </summary>
    public static IReadOnlyList<WindowPoint> Pooled(IReadOnlyList<DayPoint> days, int window)
    {
        var points = new List<WindowPoint>();
        foreach (var day in days)
        {
            var first = day.Day.AddDays(1 - Math.Max(1, window));
            var pooled = days.Where(d => d.Day >= first && d.Day <= day.Day).ToList();
            var passes = pooled.Sum(d => d.Passes);
            var scored = pooled.Sum(d => d.Scored);
            if (scored == 0)
                continue;
            var interval = Wilson.Interval(passes, scored);
            points.Add(new WindowPoint(day.Day, passes, scored, interval.Low, interval.High));
        }
        return points;
    }

    /// <summary>Every trial of <paramref name="runs"/>, each with its run.</summary>
    private async Task<List<(RunHeader Run, Trial Trial)>> TrialsOfAsync(IReadOnlyList<RunHeader> runs, CancellationToken cancellationToken)
    {
        var trials = new List<(RunHeader Run, Trial Trial)>();
        foreach (var run in runs)
            trials.AddRange((await store.GetTrialsAsync(run.Id, cancellationToken)).Select(t => (run, t)));
        return trials;
    }

    /// <summary>The tasks of <paramref name="trials"/> in the filter's category with a trial of its outcome, each counted.</summary>
    private static IEnumerable<TaskTally> TasksOf(IEnumerable<(RunHeader Run, Trial Trial)> trials, EvidenceFilter filter) =>
        trials
            .Where(t => filter.Category is null || CategoryOf(t.Trial) == filter.Category)
            .GroupBy(t => t.Trial.TaskId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var list = g.Select(t => t.Trial).ToList();
                int Count(TrialOutcome outcome) => list.Count(t => t.Outcome == outcome);
                var latest = g.OrderBy(t => (t.Run.StartedAt, t.Run.Id, t.Trial.TrialIndex)).Last().Trial;
                return new TaskTally(g.Key, CategoryOf(list[0]), list[0].Language, Count(TrialOutcome.Pass), Count(TrialOutcome.Fail), Count(TrialOutcome.Timeout), Count(TrialOutcome.Error), latest.Outcome);
            })
            .Where(t => filter.Outcome is not { } outcome || t.Count(outcome) > 0);

    private static string CategoryOf(Trial trial) => trial.Category.ToString().ToLowerInvariant();

    private static DateOnly Day(RunHeader run) => DateOnly.FromDateTime(run.StartedAt.UtcDateTime);
}
