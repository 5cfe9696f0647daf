using Driftwatch.Core.Detection;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Npgsql;
using static Driftwatch.Storage.Postgres.PostgresDatabase;

namespace Driftwatch.Storage.Postgres;

/// <summary>An agent's history on a suite, read from PostgreSQL for detection.</summary>
internal sealed class PostgresHistoryReader(PostgresDatabase db) : IHistoryReader
{
    public Task<IReadOnlyList<Trial>> GetTaskTrialsAsync(string agent, string suite, string taskId, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            (string, object?)[] parameters = [("agent", agent), ("suite", suite), ("task", taskId)];
            var trials = new List<Trial>();
            await using (var command = Command(connection, null, $"""
                SELECT {StoredRows.TrialColumns} FROM trials
                WHERE task_id = @task AND outcome IS NOT NULL AND run_id IN (SELECT id FROM runs WHERE agent = @agent AND suite = @suite)
                ORDER BY run_id, trial_index;
                """, parameters))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    trials.Add(StoredRows.ReadTrial(reader));
            }
            await using var metrics = Command(connection, null, """
                SELECT run_id, task_id, trial_index, metrics FROM trial_metric_sets
                WHERE task_id = @task AND run_id IN (SELECT id FROM runs WHERE agent = @agent AND suite = @suite);
                """, parameters);
            IReadOnlyList<Trial> withMetrics = StoredRows.WithMetrics(trials, await PostgresTrialStore.MetricsByTrialAsync(connection, metrics, cancellationToken));
            return withMetrics;
        });

    public Task<History> GetHistoryAsync(string agent, string suite, bool withMetrics, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var runs = await db.ReadHeadersAsync(connection, null, "WHERE r.agent = @agent AND r.suite = @suite", cancellationToken, ("agent", agent), ("suite", suite));
            var configById = new Dictionary<long, string>();
            await using (var configs = Command(connection, null, "SELECT id, agent_config FROM runs WHERE agent = @agent AND suite = @suite;", ("agent", agent), ("suite", suite)))
            await using (var reader = await configs.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    configById[reader.GetInt64(0)] = reader.GetString(1);
            }
            var trials = new Dictionary<long, List<(string, TrialOutcome)>>();
            await using (var outcomes = Command(connection, null, """
                SELECT k.run_id, k.task_id, k.pass, k.fail, k.timeout, k.error, k.other FROM run_task_tallies k JOIN runs r ON r.id = k.run_id
                WHERE r.agent = @agent AND r.suite = @suite;
                """, ("agent", agent), ("suite", suite)))
            await using (var reader = await outcomes.ExecuteReaderAsync(cancellationToken))
                StoredRows.ReadTaskTallies(reader, trials);
            var metrics = withMetrics ? await ReadMetricsAsync(connection, agent, suite, cancellationToken) : [];
            var history = runs.Select(r => new HistoryRun(
                r.Id, DateOnly.FromDateTime(r.StartedAt.UtcDateTime), r.SuiteRevision, configById[r.Id], r.Fingerprint,
                r.Totals is { } totals ? HistoryRun.FromTotals(totals) : trials.TryGetValue(r.Id, out var list) ? list : [])
            {
                Metrics = metrics.TryGetValue(r.Id, out var values) ? values : [],
                TotalsOnly = r.Totals is not null,
            }).ToList();
            var texts = await PostgresHarnessStore.ReadTextsAsync(connection, history.SelectMany(r => r.Fingerprint.Harness?.TextHashes() ?? []), cancellationToken);
            return new History(agent, suite, history) { Texts = texts };
        });

    /// <summary>Every stored metric of the agent's trials on the suite, by run, one entry per trial.</summary>
    private static async Task<Dictionary<long, List<TrialMetricValues>>> ReadMetricsAsync(NpgsqlConnection connection, string agent, string suite, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, null, """
            SELECT m.run_id, m.task_id, m.trial_index, m.metrics FROM trial_metric_sets m JOIN runs r ON r.id = m.run_id
            WHERE r.agent = @agent AND r.suite = @suite;
            """, ("agent", agent), ("suite", suite));
        var byRun = new Dictionary<long, List<TrialMetricValues>>();
        foreach (var ((run, task, trial), values) in (await PostgresTrialStore.MetricsByTrialAsync(connection, command, cancellationToken)).OrderBy(m => m.Key.Run).ThenBy(m => m.Key.Task, StringComparer.Ordinal).ThenBy(m => m.Key.Index))
        {
            if (!byRun.TryGetValue(run, out var list))
                byRun[run] = list = [];
            list.Add(new TrialMetricValues(task, trial, MetricDictionary.Of(values)));
        }
        return byRun;
    }
}
