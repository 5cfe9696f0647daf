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
