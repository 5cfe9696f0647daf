using Driftwatch.Core.Runs;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Driftwatch.Storage.Tests.Sqlite;

public sealed class MigrationTests : IDisposable
{
    private readonly TempDirectory _temp = new("migrations");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Db_copy_knows_every_table_of_the_schema()
    {
        using (SqliteResultStore.Open(_temp.Combine("schema.db")))
        {
        }
        using var connection = new SqliteConnection($"Data Source={_temp.Combine("schema.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
            tables.Add(reader.GetString(0));
        // A table db copy did not know would be left behind, and the copy would not be lossless
        // (a derived table is filled by the target's own triggers from the rows copied).
        Driftwatch.Storage.Copying.StoreCopier.Tables.Concat(Driftwatch.Storage.Copying.StoreCopier.Derived).Order(StringComparer.Ordinal).ShouldBe(tables);
    }

    [Fact]
    public async Task A_database_at_an_older_schema_is_migrated_on_open_and_keeps_its_runs()
    {
        // Given a database written by the first schema, with one run in it
        var path = _temp.Combine("old.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Migrations.Steps[0] + """
                PRAGMA user_version = 1;
                INSERT INTO runs (agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision, trials_per_task,
                                  seed, sandbox, status, started_at, fingerprint)
                VALUES ('old-agent', 'simulated', '{}', 1, 'core', '/x', 'abc', 1, 3, 'none', 'complete', '2026-01-01T00:00:00.0000000Z', '{}');
                """;
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        // When the current Driftwatch opens it
        using var store = SqliteResultStore.Open(path);

        // Then every later step is applied and the old run reads back, with the new column's default
        var run = (await store.ListRunsAsync(new RunQuery())).Single();
        run.Agent.ShouldBe("old-agent");
        run.Allocation.ShouldBe("uniform");
        using var check = new SqliteConnection($"Data Source={path}");
        check.Open();
        using var version = check.CreateCommand();
        version.CommandText = "PRAGMA user_version;";
        Convert.ToInt32(version.ExecuteScalar()).ShouldBe(SqliteResultStore.SchemaVersion);
    }

    [Fact]
    public async Task A_verdict_recorded_before_behaviour_alarms_were_kept_reads_back_with_none()
    {
        // Given a database at schema 9 whose last verdict of an agent × suite is warning
        var path = _temp.Combine("v9.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Concat(Migrations.Steps.Take(9)) + """
                PRAGMA user_version = 9;
                INSERT INTO verdict_states (agent, suite, verdict, updated_at) VALUES ('old-agent', 'core', 'warning', '2026-01-01T00:00:00.0000000Z');
                """;
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        // When the current Driftwatch opens it
        using var store = SqliteResultStore.Open(path);

        // Then the verdict reads back as warning with no behaviour alarm
        var state = (await store.GetVerdictStateAsync("old-agent", "core")).ShouldNotBeNull();
        state.Status.ShouldBe(Driftwatch.Core.Detection.VerdictStatus.Warning);
        state.BehaviourAlarms.ShouldBeEmpty();
    }

    [Fact]
    public async Task Metric_rows_of_a_database_at_schema_14_are_packed_one_row_per_trial_and_read_back_exactly()
    {
        // Given a database at schema 14 with two finished trials and their metrics as one row per
        // metric, with values that only read back exactly when stored whole
        var path = _temp.Combine("v14.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Concat(Migrations.Steps.Take(14)) + """
                PRAGMA user_version = 14;
                INSERT INTO runs (agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision, trials_per_task,
                                  seed, sandbox, status, started_at, fingerprint)
                VALUES ('old-agent', 'simulated', '{}', 1, 'core', '/x', 'abc', 1, 3, 'none', 'complete', '2026-01-01T00:00:00.0000000Z', '{}');
                INSERT INTO trials (run_id, task_id, trial_index, sequence, category, language, outcome, tests_passed, tests_total,
                                    started_at, finished_at, duration_ms, agent_duration_ms, test_duration_ms, attempts)
                VALUES (1, 'task-a', 0, 0, 'generation', 'python', 'pass', 3, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:01:00.0000000Z', 60000, 50000, 10000, 1),
                       (1, 'task-b', 0, 1, 'generation', 'python', 'fail', 1, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:01:00.0000000Z', 60000, 50000, 10000, 1);
                INSERT INTO trial_metrics (run_id, task_id, trial_index, name, value)
                VALUES (1, 'task-a', 0, 'outputTokens', 1234), (1, 'task-a', 0, 'costUsd', 0.1), (1, 'task-a', 0, 'editSimilarity', 0.30000000000000004),
                       (1, 'task-b', 0, 'outputTokens', 98765), (1, 'task-b', 0, 'tiny', 5e-324);
                """;
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        // When the current Driftwatch opens it
        using (var store = SqliteResultStore.Open(path))
        {
            // Then each trial's metrics read back, every value to the bit
            var trials = (await store.GetTrialsAsync(1)).ToDictionary(t => t.TaskId);
            trials["task-a"].Metrics.Count.ShouldBe(3);
            trials["task-a"].Metrics["outputTokens"].ShouldBe(1234.0);
            trials["task-a"].Metrics["costUsd"].ShouldBe(0.1);
            trials["task-a"].Metrics["editSimilarity"].ShouldBe(0.30000000000000004);
            trials["task-b"].Metrics["outputTokens"].ShouldBe(98765.0);
            BitConverter.DoubleToInt64Bits(trials["task-b"].Metrics["tiny"]).ShouldBe(1L);
            var history = await store.GetHistoryAsync("old-agent", "core", withMetrics: true);
            history.Runs.Single().Metrics.Select(m => (m.TaskId, m.Metrics.Count)).ShouldBe([("task-a", 3), ("task-b", 2)]);
        }
        SqliteConnection.ClearAllPools();

        // And the old table is gone: one packed row per trial, each name once
        using var check = new SqliteConnection($"Data Source={path}");
        check.Open();
        using var query = check.CreateCommand();
        query.CommandText = """
            SELECT (SELECT COUNT(*) FROM sqlite_master WHERE name = 'trial_metrics'), (SELECT COUNT(*) FROM trial_metric_sets),
                   (SELECT COUNT(*) FROM metric_names), (SELECT SUM(length(metrics)) FROM trial_metric_sets);
            """;
        using var reader = query.ExecuteReader();
        reader.Read().ShouldBeTrue();
        (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)).ShouldBe((0L, 2L, 4L, 50L));
    }

    /// <summary>Two runs of an old database whose trials carry flags of every kind, some twice, some of no known kind, one on an unfinished trial.</summary>
    internal const string FlaggedTrialsSql = """
        INSERT INTO runs (agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision, trials_per_task,
                          seed, sandbox, status, started_at, fingerprint)
        VALUES ('old-agent', 'simulated', '{}', 1, 'core', '/x', 'abc', 1, 3, 'none', 'complete', '2026-01-01T00:00:00.0000000Z', '{}'),
               ('old-agent', 'simulated', '{}', 1, 'core', '/x', 'abc', 1, 3, 'none', 'complete', '2026-01-02T00:00:00.0000000Z', '{}');
        INSERT INTO trials (run_id, task_id, trial_index, sequence, category, language, outcome, tests_passed, tests_total,
                            started_at, finished_at, duration_ms, agent_duration_ms, test_duration_ms, attempts, flags)
        VALUES (1, 't1', 0, 0, 'generation', 'python', 'fail', 0, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:01:00.0000000Z', 1, 1, 1, 1, '["suspect:tests-changed","suspect:other"]'),
               (1, 't2', 0, 1, 'generation', 'python', 'pass', 3, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:01:00.0000000Z', 1, 1, 1, 1, '["fallback:a→b","refusal: no"]'),
               (1, 't3', 0, 2, 'generation', 'python', 'pass', 3, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:01:00.0000000Z', 1, 1, 1, 1, '["Suspect:x","refusals","note"]'),
               (1, 't4', 0, 3, 'generation', 'python', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, '["refusal"]'),
               (1, 't5', 0, 4, 'generation', 'python', 'error', 0, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:01:00.0000000Z', 1, 1, 1, 1, '["refusal"]'),
               (2, 't1', 0, 0, 'generation', 'python', 'pass', 3, 3, '2026-01-02T00:00:00.0000000Z', '2026-01-02T00:01:00.0000000Z', 1, 1, 1, 1, NULL);
        """;

    [Fact]
    public async Task Flagged_trials_of_a_database_at_schema_17_are_counted_by_kind_in_its_run_tallies()
    {
        // Given a database at schema 17 whose trials carry flags of every kind, some twice, some of
        // no known kind, one on an unfinished trial
        var path = _temp.Combine("v17.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Concat(Migrations.Steps.Take(17)) + "PRAGMA user_version = 17;" + FlaggedTrialsSql;
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        // When the current Driftwatch opens it and lists the runs
        using var store = SqliteResultStore.Open(path);
        var headers = await store.ListRunsAsync(new RunQuery());

        // Then each finished trial counts once per kind it carries, as its own flags say
        headers.Select(h => h.Flagged).ShouldBe([new FlagCounts(Suspect: 1, Fallback: 1, Refusal: 2), FlagCounts.None]);
        headers[0].Flagged.ShouldBe(FlagCounts.Of(await store.GetTrialsAsync(1)));
    }

    [Fact]
    public async Task Stores_opening_the_same_new_database_at_once_apply_each_step_once()
    {
        // Five times over (the race is a matter of timing): a new database file opened by eight stores
        // at the same moment, as a scheduler and a run started together
        for (var round = 0; round < 5; round++)
        {
            var path = _temp.Combine($"new-{round}.db");
            using var start = new Barrier(8);

            // When they all migrate it
            var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return SqliteResultStore.Open(path);
            })));

            // Then none fails and the schema is complete
            foreach (var store in stores)
            {
                (await store.ListRunsAsync(new RunQuery())).ShouldBeEmpty();
                store.Dispose();
            }
            using var check = new SqliteConnection($"Data Source={path}");
            check.Open();
            using var version = check.CreateCommand();
            version.CommandText = "PRAGMA user_version;";
            Convert.ToInt32(version.ExecuteScalar()).ShouldBe(SqliteResultStore.SchemaVersion);
        }
    }
}
