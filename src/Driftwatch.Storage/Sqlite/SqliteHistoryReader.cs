using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using static Driftwatch.Storage.Sqlite.Sql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Sqlite;

/// <summary>An agent's history on a suite, read from SQLite for detection.</summary>
internal sealed class SqliteHistoryReader(SqliteDatabase db) : IHistoryReader
{
    public Task<History> GetHistoryAsync(string agent, string suite, bool withMetrics, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            var runs = db.ReadHeaders(connection, "WHERE r.agent = $agent AND r.suite = $suite", ("$agent", agent), ("$suite", suite));
            using var configs = Command(connection, null, "SELECT id, agent_config FROM runs WHERE agent = $agent AND suite = $suite;", ("$agent", agent), ("$suite", suite));
            var configById = new Dictionary<long, string>();
            using (var reader = configs.ExecuteReader())
            {
                while (reader.Read())
                    configById[reader.GetInt64(0)] = reader.GetString(1);
            }
            using var outcomes = Command(connection, null, OutcomesSql, ("$agent", agent), ("$suite", suite));
            var trials = new Dictionary<long, List<(string, TrialOutcome)>>();
            using (var reader = outcomes.ExecuteReader())
                ReadTaskTallies(reader, trials);
            var metrics = withMetrics ? ReadMetrics(connection, agent, suite) : new Dictionary<long, List<TrialMetricValues>>();
            var history = runs.Select(r => new HistoryRun(
                r.Id, DateOnly.FromDateTime(r.StartedAt.UtcDateTime), r.SuiteRevision, configById[r.Id], r.Fingerprint,
                r.Totals is { } totals ? HistoryRun.FromTotals(totals) : trials.TryGetValue(r.Id, out var list) ? list : [])
            {
                Metrics = metrics.TryGetValue(r.Id, out var values) ? values : [],
                TotalsOnly = r.Totals is not null,
            }).ToList();
            var texts = ReadTexts(connection, history.SelectMany(r => r.Fingerprint.Harness?.TextHashes() ?? []));
            return new History(agent, suite, history) { Texts = texts };
        }));

    public Task<IReadOnlyList<Trial>> GetTaskTrialsAsync(string agent, string suite, string taskId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            (string, object?)[] parameters = [("$agent", agent), ("$suite", suite), ("$task", taskId)];
            using var command = Command(connection, null, TaskTrialsSql, parameters);
            var trials = new List<Trial>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                    trials.Add(ReadTrial(reader));
            }
            using var metrics = Command(connection, null, TaskMetricsSql, parameters);
            IReadOnlyList<Trial> withMetrics = WithMetrics(trials, MetricsByTrial(connection, metrics));
            return withMetrics;
        }));

    /// <summary>One task's finished trials in the runs of an agent × suite: through trials_by_task, run by run (a test checks the plan).</summary>
    internal static readonly string TaskTrialsSql = $"""
        SELECT {TrialColumns} FROM trials
        WHERE task_id = $task AND outcome IS NOT NULL AND run_id IN (SELECT id FROM runs WHERE agent = $agent AND suite = $suite)
        ORDER BY run_id, trial_index;
        """;

    /// <summary>The metrics of one task's trials in the runs of an agent × suite, by key.</summary>
    internal const string TaskMetricsSql = """
        SELECT run_id, task_id, trial_index, metrics FROM trial_metric_sets
        WHERE task_id = $task AND run_id IN (SELECT id FROM runs WHERE agent = $agent AND suite = $suite);
        """;

    /// <summary>
    /// The finished trials' outcomes of an agent × suite, counted per run and task by run_task_tallies'
    /// triggers: its runs by runs_by_agent_suite, their tallies by key (a test checks the plan).
    /// </summary>
    internal const string OutcomesSql = """
        SELECT k.run_id, k.task_id, k.pass, k.fail, k.timeout, k.error, k.other FROM run_task_tallies k JOIN runs r ON r.id = k.run_id
        WHERE r.agent = $agent AND r.suite = $suite;
        """;

    /// <summary>The metrics of an agent × suite's trials, by run and trial: its runs by runs_by_agent_suite, their metrics by key.</summary>
    internal const string MetricsSql = """
        SELECT m.run_id, m.task_id, m.trial_index, m.metrics FROM trial_metric_sets m JOIN runs r ON r.id = m.run_id
        WHERE r.agent = $agent AND r.suite = $suite
        ORDER BY m.run_id, m.task_id, m.trial_index;
        """;

    /// <summary>Every stored metric of the agent's trials on the suite, by run, one entry per trial.</summary>
    private static Dictionary<long, List<TrialMetricValues>> ReadMetrics(Microsoft.Data.Sqlite.SqliteConnection connection, string agent, string suite)
    {
        var names = MetricNames(connection);
        using var command = Command(connection, null, MetricsSql, ("$agent", agent), ("$suite", suite));
        var byRun = new Dictionary<long, List<TrialMetricValues>>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var (trial, values) = Storage.MetricSets.Row(reader, names, connection.DataSource);
            if (!byRun.TryGetValue(trial.Run, out var list))
                byRun[trial.Run] = list = [];
            list.Add(new TrialMetricValues(trial.Task, trial.Index, Core.Metrics.MetricDictionary.Of(values)));
        }
        return byRun;
    }
}
