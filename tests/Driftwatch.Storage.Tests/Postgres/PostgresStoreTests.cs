using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Postgres;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;
using Shouldly;

namespace Driftwatch.Storage.Tests.Postgres;

/// <summary>What the PostgreSQL store must do beyond the contract: concurrency of a server, its schema mirror, its configuration errors.</summary>
public sealed class PostgresStoreTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);

    private static readonly RunOwner Remote = new("pg-remote-host", 4242, Start);

    private readonly TempDirectory _temp = new("pg-store");

    private string _connectionString = "";

    public async ValueTask InitializeAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _temp.Dispose();

    private static RunPlan Plan(int tasks) => new()
    {
        AgentName = "pg-agent",
        AgentKind = "simulated",
        AgentConfigJson = "{}",
        Synthetic = true,
        SuiteName = "mini",
        SuitePath = "/suites/mini",
        SuiteRevision = new string('c', 64),
        TrialsPerTask = 1,
        Seed = 1,
        SandboxMode = "none",
        Trials = [.. Enumerable.Range(0, tasks).Select(t => new PlannedTrial($"task-{t}", 0, t, TaskCategory.Generation, "python"))],
    };

    private static Trial Finished(long runId, PlannedTrial planned, TrialOutcome outcome) => new()
    {
        RunId = runId,
        TaskId = planned.TaskId,
        TrialIndex = planned.TrialIndex,
        Sequence = planned.Sequence,
        Category = planned.Category,
        Language = planned.Language,
        Outcome = outcome,
        TestsPassed = outcome == TrialOutcome.Pass ? 1 : 0,
        TestsTotal = 1,
        StartedAt = Start,
        FinishedAt = Start.AddSeconds(1),
        DurationMs = 1000,
        AgentDurationMs = 800,
        TestDurationMs = 100,
        Usage = AgentUsage.None,
        Attempts = 1,
        Metrics = Core.Metrics.MetricDictionary.Of([KeyValuePair.Create("durationMs", outcome == TrialOutcome.Pass ? 1.0 : 2.0)]),
    };

    [Fact]
    public async Task Two_stores_racing_to_record_each_of_many_trials_record_each_exactly_once_with_the_winners_content()
    {
        // Given a run of 40 pending trials and two stores on the same database (two workers, two pools)
        using var first = StoreFactory.OpenPostgres(_connectionString);
        using var second = StoreFactory.OpenPostgres(_connectionString);
        var plan = Plan(40);
        var runId = await first.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);

        // When both record every trial at the same moment, each with its own outcome and artifact
        var results = await Task.WhenAll(plan.Trials.Select(async planned =>
        {
            using var gate = new Barrier(2);
            var racers = await Task.WhenAll(
                Task.Run(async () =>
                {
                    gate.SignalAndWait();
                    return (Outcome: TrialOutcome.Pass, Result: await first.Trials.RecordTrialAsync(Finished(runId, planned, TrialOutcome.Pass), [new TrialArtifact(ArtifactKind.Diff, "first")]));
                }),
                Task.Run(async () =>
                {
                    gate.SignalAndWait();
                    return (Outcome: TrialOutcome.Fail, Result: await second.Trials.RecordTrialAsync(Finished(runId, planned, TrialOutcome.Fail), [new TrialArtifact(ArtifactKind.Diff, "second")]));
                }));
            return (planned.TaskId, Racers: racers);
        }));

        // Then every trial was recorded by exactly one of them, and what is stored is that one's: outcome, artifact and metrics
        var stored = (await second.Trials.GetTrialsAsync(runId)).ToDictionary(t => t.TaskId);
        stored.Count.ShouldBe(40);
        foreach (var (task, racers) in results)
        {
            racers.Count(r => r.Result == RecordResult.Recorded).ShouldBe(1, task);
            racers.Count(r => r.Result == RecordResult.AlreadyRecorded).ShouldBe(1, task);
            var winner = racers.Single(r => r.Result == RecordResult.Recorded).Outcome;
            stored[task].Outcome.ShouldBe(winner, task);
            stored[task].Metrics["durationMs"].ShouldBe(winner == TrialOutcome.Pass ? 1.0 : 2.0, task);
            (await first.Trials.GetArtifactAsync(runId, new TrialKey(task, 0), ArtifactKind.Diff)).ShouldBe(winner == TrialOutcome.Pass ? "first" : "second", task);
        }
        (await first.Trials.GetPendingTrialsAsync(runId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Two_processes_migrating_a_new_database_at_once_both_open_it_and_each_step_is_applied_once()
    {
        // Given an empty database
        // When four stores open it at the same moment (each migrates on open)
        using var gate = new Barrier(4);
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            gate.SignalAndWait();
            return StoreFactory.OpenPostgres(_connectionString);
        })));

        // Then every one works, and the schema holds each step once
        try
        {
            foreach (var store in stores)
                (await store.Runs.ListRunsAsync(new RunQuery())).ShouldBeEmpty();
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            await using var steps = new NpgsqlCommand("SELECT array_agg(version ORDER BY version) FROM schema_migrations", connection);
            ((long[])(await steps.ExecuteScalarAsync())!).ShouldBe(Enumerable.Range(1, PostgresResultStoreVersion).Select(v => (long)v).ToArray());
        }
        finally
        {
            foreach (var store in stores)
                store.Dispose();
        }
    }

    private static int PostgresResultStoreVersion => Storage.Postgres.PostgresResultStore.SchemaVersion;

    [Fact]
    public async Task Artifacts_name_their_text_by_hash_and_identical_texts_are_one_blob_row()
    {
        // Given a run of two trials
        using var store = StoreFactory.OpenPostgres(_connectionString);
        var plan = Plan(2);
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);

        // When both are recorded with the same diff and their own transcripts
        foreach (var planned in plan.Trials)
        {
            await store.Trials.RecordTrialAsync(Finished(runId, planned, TrialOutcome.Pass),
                [new TrialArtifact(ArtifactKind.Diff, "+ the same fix ✓\n"), new TrialArtifact(ArtifactKind.Transcript, planned.TaskId)]);
        }

        // Then four artifact rows without inline bytes name three blobs, and each reads back its own texts
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT COUNT(*), COUNT(DISTINCT hash), SUM(length(content)) FROM artifacts;", connection);
            await using var reader = await command.ExecuteReaderAsync();
            reader.Read().ShouldBeTrue();
            (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)).ShouldBe((4L, 3L, 0L));
            await reader.CloseAsync();
            await using var blobs = new NpgsqlCommand("SELECT COUNT(*) FROM artifact_blobs WHERE hash = @hash;", connection);
            blobs.Parameters.AddWithValue("hash", ArtifactCodec.Hash("+ the same fix ✓\n"));
            (await blobs.ExecuteScalarAsync()).ShouldBe(1L);
        }
        foreach (var planned in plan.Trials)
        {
            (await store.Trials.GetArtifactAsync(runId, new TrialKey(planned.TaskId, 0), ArtifactKind.Diff)).ShouldBe("+ the same fix ✓\n");
            (await store.Trials.GetArtifactAsync(runId, new TrialKey(planned.TaskId, 0), ArtifactKind.Transcript)).ShouldBe(planned.TaskId);
        }
    }

    [Fact]
    public async Task Each_metric_name_is_stored_once_however_many_trials_carry_it()
    {
        // Given a run of 30 trials
        using var store = StoreFactory.OpenPostgres(_connectionString);
        var plan = Plan(30);
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);

        // When each is recorded with the same two metrics, and the last with a third as well
        foreach (var planned in plan.Trials)
        {
            var metrics = planned.Sequence == 29
                ? Core.Metrics.MetricDictionary.Of([new("durationMs", planned.Sequence), new("outputTokens", 7), new("lintFindings", 0.5)])
                : Core.Metrics.MetricDictionary.Of([new("durationMs", planned.Sequence), new("outputTokens", 7)]);
            await store.Trials.RecordTrialAsync(Finished(runId, planned, TrialOutcome.Pass) with { Metrics = metrics }, []);
        }

        // Then three names hold ids 1 to 3 (no id spent on a name already known: a packed set
        // holds ids of 16 bits), and each trial reads its own values back
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT COUNT(*), MAX(id) FROM metric_names;", connection);
            await using var reader = await command.ExecuteReaderAsync();
            reader.Read().ShouldBeTrue();
            (reader.GetInt64(0), reader.GetInt64(1)).ShouldBe((3L, 3L));
        }
        var trials = await store.Trials.GetTrialsAsync(runId);
        trials.Select(t => t.Metrics["durationMs"]).ShouldBe(Enumerable.Range(0, 30).Select(i => (double)i));
        trials[^1].Metrics["lintFindings"].ShouldBe(0.5);
    }

    [Fact]
    public async Task Metric_rows_of_a_database_at_schema_14_are_packed_by_the_migration_as_the_store_packs_them()
    {
        // Given a database at schema 14 with a finished trial and its metrics as one row per metric
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            var sql = "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, applied_at text NOT NULL);"
                + string.Concat(PostgresMigrations.Steps.Take(14))
                + string.Concat(Enumerable.Range(1, 14).Select(v => $"INSERT INTO schema_migrations VALUES ({v}, 'then');"))
                + """
                INSERT INTO runs (agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision, trials_per_task,
                                  seed, sandbox, status, started_at, fingerprint)
                VALUES ('old-agent', 'simulated', '{}', 1, 'core', '/x', 'abc', 1, 3, 'none', 'complete', '2026-01-01T00:00:00.0000000Z', '{}');
                INSERT INTO trials (run_id, task_id, trial_index, sequence, category, language, outcome, tests_passed, tests_total,
                                    started_at, finished_at, duration_ms, agent_duration_ms, test_duration_ms, attempts)
                VALUES (1, 'task-a', 0, 0, 'generation', 'python', 'pass', 3, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:01:00.0000000Z', 60000, 50000, 10000, 1);
                INSERT INTO trial_metrics (run_id, task_id, trial_index, name, value)
                VALUES (1, 'task-a', 0, 'outputTokens', 1234), (1, 'task-a', 0, 'costUsd', 0.1), (1, 'task-a', 0, 'editSimilarity', 0.30000000000000004),
                       (1, 'task-a', 0, 'tiny', 5e-324);
                """;
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        // When the current Driftwatch opens it
        using var store = StoreFactory.OpenPostgres(_connectionString);

        // Then the trial's metrics read back to the bit, and a new name takes the next id
        var trial = (await store.Trials.GetTrialsAsync(1)).ShouldHaveSingleItem();
        trial.Metrics.Count.ShouldBe(4);
        trial.Metrics["outputTokens"].ShouldBe(1234.0);
        trial.Metrics["costUsd"].ShouldBe(0.1);
        trial.Metrics["editSimilarity"].ShouldBe(0.30000000000000004);
        BitConverter.DoubleToInt64Bits(trial.Metrics["tiny"]).ShouldBe(1L);
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT (SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'trial_metrics'),
                       (SELECT nextval(pg_get_serial_sequence('metric_names', 'id')));
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            reader.Read().ShouldBeTrue();
            (reader.GetInt64(0), reader.GetInt64(1)).ShouldBe((0L, 5L));
        }
    }

    [Fact]
    public async Task Flagged_trials_of_a_database_at_schema_17_are_counted_by_kind_as_sqlite_counts_them()
    {
        // Given a database at schema 17 with the flagged trials of SQLite's step-18 test
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            var sql = "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, applied_at text NOT NULL);"
                + string.Concat(PostgresMigrations.Steps.Take(17))
                + string.Concat(Enumerable.Range(1, 17).Select(v => $"INSERT INTO schema_migrations VALUES ({v}, 'then');"))
                + Driftwatch.Storage.Tests.Sqlite.MigrationTests.FlaggedTrialsSql;
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        // When the current Driftwatch opens it, a trial's flags are damaged (the write still goes
        // through: they count as none) and the runs are listed
        using var store = StoreFactory.OpenPostgres(_connectionString);
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var damage = new NpgsqlCommand("UPDATE trials SET flags = '[\"suspect:' WHERE run_id = 2;", connection);
            (await damage.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var headers = await store.Runs.ListRunsAsync(new RunQuery());

        // Then each finished trial counts once per kind it carries
        headers.Select(h => h.Flagged).ShouldBe([new FlagCounts(Suspect: 1, Fallback: 1, Refusal: 2), FlagCounts.None]);
        headers[0].Flagged.ShouldBe(FlagCounts.Of(await store.Trials.GetTrialsAsync(1)));
    }

    [Fact]
    public async Task The_schema_mirrors_sqlites_table_for_table_and_column_for_column_with_mapped_types()
    {
        // Given both stores freshly migrated
        using (StoreFactory.OpenPostgres(_connectionString))
        using (SqliteResultStore.Open(_temp.Combine("mirror.db")))
        {
        }
        Storage.Postgres.PostgresResultStore.SchemaVersion.ShouldBe(SqliteResultStore.SchemaVersion);

        // When their tables and columns are listed
        var sqlite = new SortedSet<string>(StringComparer.Ordinal);
        await using (var connection = new SqliteConnection($"Data Source={_temp.Combine("mirror.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT m.name, p.name, p.type, p."notnull", p.pk FROM sqlite_master m JOIN pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%';
                """;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var type = reader.GetString(2) switch
                {
                    "INTEGER" => "bigint",
                    "TEXT" => "text",
                    "BLOB" => "bytea",
                    "REAL" => "double precision",
                    var other => other,
                };
                // A primary key column is NOT NULL in PostgreSQL whatever it says.
                var notNull = reader.GetInt64(3) == 1 || reader.GetInt64(4) > 0;
                sqlite.Add($"{reader.GetString(0)}.{reader.GetString(1)} {type}{(notNull ? " not null" : "")}");
            }
        }
        var postgres = new SortedSet<string>(StringComparer.Ordinal);
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            // artifact_blobs is the one table of PostgreSQL's own: the artifacts' compressed texts,
            // which SQLite keeps as files beside the database (docs/storage.md).
            await using var command = new NpgsqlCommand("""
                SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name NOT IN ('schema_migrations', 'artifact_blobs');
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                postgres.Add($"{reader.GetString(0)}.{reader.GetString(1)} {reader.GetString(2)}{(reader.GetString(3) == "NO" ? " not null" : "")}");
        }

        // Then they are the same tables and columns, nullability included
        postgres.ShouldBe(sqlite);
    }

    [Fact]
    public void A_configured_variable_that_is_not_set_is_bad_input_naming_the_field_and_the_variable()
    {
        // Given storage: postgres whose variable is unset, or empty
        var storage = new StorageConfig(StorageKind.Postgres, ConnectionEnv: "DW_PG_TEST") { Source = "/etc/dw/driftwatch.yaml:3: storage.connection_env" };

        foreach (var value in new[] { null, "", "  " })
        {
            // When the store is opened
            var error = Should.Throw<InvalidInputException>(() => StoreFactory.Open(storage, StoreAccess.Read, environment: _ => value));

            // Then the error names the file's field and the variable
            error.Message.ShouldBe("/etc/dw/driftwatch.yaml:3: storage.connection_env ($DW_PG_TEST): the environment variable DW_PG_TEST is not set or empty; it must hold the PostgreSQL connection string");
        }
    }

    [Fact]
    public void A_connection_string_that_does_not_parse_is_bad_input_that_never_repeats_it()
    {
        // Given a variable holding something that is not a connection string, with a secret in it
        var storage = new StorageConfig(StorageKind.Postgres, ConnectionEnv: "DW_PG_TEST") { Source = "driftwatch.yaml:3: storage.connection_env" };

        // When the store is opened
        var error = Should.Throw<InvalidInputException>(() => StoreFactory.Open(storage, StoreAccess.Write, environment: _ => "Host=x;Pasword=hunter2-secret;Nonsense"));

        // Then the error names the field and the variable, and not the value
        error.Message.ShouldStartWith("driftwatch.yaml:3: storage.connection_env ($DW_PG_TEST): not a PostgreSQL connection string");
        error.Message.ShouldNotContain("hunter2");
    }

    [Fact]
    public void A_server_that_cannot_be_reached_is_bad_input_naming_the_variable_and_the_host_and_port_but_no_password()
    {
        // Given a connection string to a port where nothing listens, with a password
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        var storage = new StorageConfig(StorageKind.Postgres, ConnectionEnv: "DW_PG_TEST") { Source = "driftwatch.yaml:3: storage.connection_env" };

        // When the store is opened
        var error = Should.Throw<InvalidInputException>(() => StoreFactory.Open(storage, StoreAccess.Write,
            environment: _ => $"Host=127.0.0.1;Port={port};Database=dw;Username=dw;Password=hunter2-secret;Timeout=5"));

        // Then the error names the variable, the server and the problem, never the password
        error.Message.ShouldStartWith($"driftwatch.yaml:3: storage.connection_env ($DW_PG_TEST): PostgreSQL database 'dw' at 127.0.0.1:{port}: cannot reach the PostgreSQL server (");
        error.Message.ShouldNotContain("hunter2");
    }

    [Fact]
    public async Task A_database_with_a_newer_schema_is_bad_input()
    {
        // Given a database migrated by a newer Driftwatch
        using (StoreFactory.OpenPostgres(_connectionString))
        {
        }
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var newer = new NpgsqlCommand($"INSERT INTO schema_migrations VALUES ({PostgresResultStoreVersion + 1}, 'later')", connection);
            await newer.ExecuteNonQueryAsync();
        }

        // When this build opens it, then it refuses, naming the versions
        Should.Throw<InvalidInputException>(() => StoreFactory.OpenPostgres(_connectionString, source: "test"))
            .Message.ShouldContain($"database schema version {PostgresResultStoreVersion + 1} is newer than this Driftwatch knows ({PostgresResultStoreVersion})");
    }
}
