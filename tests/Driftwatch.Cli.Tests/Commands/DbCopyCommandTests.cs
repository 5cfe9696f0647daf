using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>`db copy`: a history moved from SQLite to PostgreSQL and back reads the same everywhere.</summary>
public sealed class DbCopyCommandTests : IAsyncLifetime, IDisposable
{
    private const string Variable = "DW_TEST_PG";

    private readonly TempDirectory _temp = new("cli-db-copy");
    private readonly string _suite;
    private CliHarness _cli = null!;

    public DbCopyCommandTests() =>
        _suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").AddAdder("add-b", "debugging").AddAdder("add-c", "completion").Build();

    public async ValueTask InitializeAsync()
    {
        _cli = new CliHarness(_temp.Path, new Dictionary<string, string> { [Variable] = await PostgresServer.CreateDatabaseAsync() });
        _temp.Write("pg.yaml", $"""
            storage:
              kind: postgres
              connection_env: {Variable}
            """);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _temp.Dispose();

    private string Sqlite => _temp.Combine("history.db");

    private string Back => _temp.Combine("back.db");

    /// <summary>What a reader of each store sees: the runs as JSON, the verdicts, one trial with its artifacts.</summary>
    private async Task<IReadOnlyList<string>> ReadAsync(params string[] store)
    {
        var views = new List<string>();
        foreach (var command in new[]
        {
            new[] { "export", "1", "2", "--format", "json" },
            ["check", "--json"],
            ["runs", "--json"],
            ["show", "2", "--task", "add-b"],
        })
        {
            var result = await _cli.RunAsync([.. command, .. store]);
            result.ExitCode.ShouldBeOneOf([0, 3], $"{string.Join(' ', command)}: {result.Error}");
            views.Add(result.Output);
        }
        return views;
    }

    [Fact]
    public async Task A_history_copied_to_postgres_and_back_reads_the_same_from_every_store_with_its_ids_and_bytes()
    {
        // Given two runs of the simulated agent in SQLite
        foreach (var seed in new[] { "1", "2" })
        {
            var run = await _cli.RunAsync("run", "--suite", _suite, "--trials", "2", "--seed", seed, "--db", Sqlite, "--sandbox", "none");
            run.ExitCode.ShouldBe(0, run.Error);
        }

        // When it is copied to PostgreSQL
        var copy = await _cli.RunAsync("db", "copy", "--from", $"sqlite:{Sqlite}", "--to", $"postgres:{Variable}");

        // Then it says what it copied, table by table
        copy.ExitCode.ShouldBe(0, copy.Error);
        copy.Output.ShouldContain("to $DW_TEST_PG (PostgreSQL)");
        copy.Output.ShouldMatch(@"runs\s+2\b");
        copy.Output.ShouldMatch(@"trials\s+12\b");
        copy.Output.ShouldMatch(@"artifacts\s+\d+");
        copy.Output.ShouldNotContain("Password");
        // and the runs, verdicts and trials read the same from PostgreSQL as from SQLite
        var fromSqlite = await ReadAsync("--db", Sqlite);
        var fromPostgres = await ReadAsync("--config", "pg.yaml");
        fromPostgres.ShouldBe(fromSqlite);

        // When it is copied back into a new SQLite file
        var back = await _cli.RunAsync("db", "copy", "--from", $"postgres:{Variable}", "--to", $"sqlite:{Back}");

        // Then that file reads the same, and holds the same rows byte for byte, its id counters included
        back.ExitCode.ShouldBe(0, back.Error);
        (await ReadAsync("--db", Back)).ShouldBe(fromSqlite);
        foreach (var table in new[] { "runs", "trials", "artifacts", "harness_texts", "harness_requests", "metric_names", "trial_metric_sets", "run_totals", "schedule_slots", "verdict_states", "alerts", "sqlite_sequence" })
            Rows(Back, table).ShouldBe(Rows(Sqlite, table), table);

        // And the static report is written from PostgreSQL too
        var report = await _cli.RunAsync("report", "--out", "report", "--config", "pg.yaml");
        report.ExitCode.ShouldBe(0, report.Error);
        File.Exists(_temp.Combine("report", "index.html")).ShouldBeTrue();

        // And a new run in PostgreSQL takes the next id, as it would have in SQLite
        var next = await _cli.RunAsync("run", "--suite", _suite, "--trials", "1", "--seed", "3", "--config", "pg.yaml", "--sandbox", "none", "--json");
        next.ExitCode.ShouldBe(0, next.Error);
        next.Output.ShouldContain("\"id\": 3,");
    }

    [Fact]
    public async Task A_target_that_already_holds_runs_is_refused_and_nothing_is_written()
    {
        // Given a SQLite history copied once into PostgreSQL
        var run = await _cli.RunAsync("run", "--suite", _suite, "--trials", "1", "--db", Sqlite, "--sandbox", "none");
        run.ExitCode.ShouldBe(0, run.Error);
        (await _cli.RunAsync("db", "copy", "--from", $"sqlite:{Sqlite}", "--to", $"postgres:{Variable}")).ExitCode.ShouldBe(0);

        // When it is copied there again, or PostgreSQL is copied into that SQLite file
        var again = await _cli.RunAsync("db", "copy", "--from", $"sqlite:{Sqlite}", "--to", $"postgres:{Variable}");
        var over = await _cli.RunAsync("db", "copy", "--from", $"postgres:{Variable}", "--to", $"sqlite:{Sqlite}");

        // Then both are exit 2 saying the target holds runs, and each store still holds its one run
        again.ExitCode.ShouldBe(2);
        again.Error.ShouldContain("the target already holds 1 run(s); db copy only fills an empty store: nothing was written");
        over.ExitCode.ShouldBe(2);
        over.Error.ShouldContain("the target already holds 1 run(s)");
        Rows(Sqlite, "runs").Count.ShouldBe(1);
        var runs = await _cli.RunAsync("runs", "--json", "--config", "pg.yaml");
        runs.ExitCode.ShouldBe(0, runs.Error);
        System.Text.Json.JsonDocument.Parse(runs.Output).RootElement.GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [InlineData("--from", "mysql:x", "sqlite:b.db")]
    [InlineData("--from", "postgres:Host=db;Password=hunter2", "sqlite:b.db")]
    [InlineData("--to", "sqlite:a.db", "postgres:")]
    [InlineData("--to", "sqlite:a.db", "b.db")]
    public async Task A_store_not_written_as_sqlite_path_or_postgres_env_is_exit_2_naming_the_option(string option, string from, string to)
    {
        // When db copy is given a store in another form
        var result = await _cli.RunAsync("db", "copy", "--from", from, "--to", to);

        // Then it is bad input naming the option, never repeating what was given
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain($"{option}: expected sqlite:PATH or postgres:ENV");
        result.Error.ShouldNotContain("hunter2");
    }

    [Fact]
    public async Task A_postgres_store_whose_variable_is_not_set_is_exit_2_naming_the_variable()
    {
        // Given a SQLite history
        (await _cli.RunAsync("run", "--suite", _suite, "--trials", "1", "--db", Sqlite, "--sandbox", "none")).ExitCode.ShouldBe(0);

        // When it is copied to a variable that is not set
        var result = await _cli.RunAsync("db", "copy", "--from", $"sqlite:{Sqlite}", "--to", "postgres:DW_TEST_PG_UNSET");

        // Then it is exit 2 naming the option and the variable
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("--to ($DW_TEST_PG_UNSET): the environment variable DW_TEST_PG_UNSET is not set or empty");
    }

    [Fact]
    public async Task A_configured_postgres_store_whose_variable_is_not_set_is_exit_2_naming_the_file_field_and_variable()
    {
        // Given driftwatch.yaml naming a postgres store through a variable this environment lacks
        var cli = new CliHarness(_temp.Path);

        // When a command reads the store
        var result = await cli.RunAsync("check", "--config", "pg.yaml");

        // Then it is bad input naming the file, the line, the field and the variable
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain($"{_temp.Combine("pg.yaml")}:3: storage.connection_env ($DW_TEST_PG): the environment variable DW_TEST_PG is not set or empty");
    }

    /// <summary>Every row of a table of a SQLite file, each value as text (bytes as hex), in key order.</summary>
    private static List<string> Rows(string file, string table)
    {
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table}";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i) switch
            {
                DBNull => "NULL",
                byte[] bytes => Convert.ToHexString(bytes),
                var value => $"{value.GetType().Name}:{Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)}",
            })));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
