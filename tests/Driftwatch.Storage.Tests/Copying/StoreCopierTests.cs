using System.Collections.Immutable;
using System.Globalization;
using Driftwatch.Core;
using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Driftwatch.Core.Stores;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Copying;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Driftwatch.Storage.Tests.Copying;

/// <summary>`db copy` below the CLI: every table, filled through the ports, moves to PostgreSQL and back unchanged.</summary>
public sealed class StoreCopierTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);

    private static readonly RunOwner Owner = new("copy-host", 4242, Start);

    private readonly TempDirectory _temp = new("store-copy");

    private string _connectionString = "";

    public async ValueTask InitializeAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _temp.Dispose();

    private static RunPlan Plan(string agent) => new()
    {
        AgentName = agent,
        AgentKind = "claude-code",
        AgentConfigJson = """{"name":"a","kind":"claude-code","options":{}}""",
        Synthetic = false,
        SuiteName = "mini",
        SuitePath = "/suites/mini",
        SuiteRevision = new string('d', 64),
        TrialsPerTask = 1,
        Seed = 9,
        SandboxMode = "bwrap",
        Trials = [new PlannedTrial("task-a", 0, 0, TaskCategory.Debugging, "python"), new PlannedTrial("task-b", 0, 1, TaskCategory.Completion, "javascript")],
    };

    private static readonly HarnessText SystemPrompt = HarnessText.Of(HarnessTextKind.SystemPrompt, "You are an agent. ✓ ünïcödé\n");

    /// <summary>A store with a row in every table: runs (one deleted, so its id counter is ahead), trials, artifacts, harness, metrics, totals, slots, verdicts, alerts.</summary>
    private static async Task FillAsync(DriftwatchStore store)
    {
        var first = await store.Runs.CreateRunAsync(Plan("agent-a"), new RunFingerprint(), Start, Owner);
        var trial = new Trial
        {
            RunId = first, TaskId = "task-a", TrialIndex = 0, Sequence = 0, Category = TaskCategory.Debugging, Language = "python",
            Outcome = TrialOutcome.Pass, TestsPassed = 3, TestsTotal = 3, StartedAt = Start, FinishedAt = Start.AddSeconds(3.25),
            DurationMs = 3250, AgentDurationMs = 3000, TestDurationMs = 200,
            Usage = new AgentUsage { InputTokens = 1234, OutputTokens = 56, CacheReadTokens = 7, CostUsd = 0.0123456m, Turns = 4, ToolCalls = 9 },
            AgentVersion = "2.1.0", Model = "claude-x", StopReason = "end_turn", Attempts = 2, FirstOutcome = TrialOutcome.Fail,
            Flags = ["fallback:a→b"], ServedModels = ["claude-x", "claude-y"],
            Metrics = Core.Metrics.MetricDictionary.Of([KeyValuePair.Create("outputTokens", 56.0), KeyValuePair.Create("changedLines", 0.1 + 0.2)]),
        };
        var request = new HarnessRequest
        {
            Sequence = 0, Api = "anthropic-messages", Method = "POST", Path = "/v1/messages", Model = "claude-x", SystemHash = SystemPrompt.Hash,
            ToolNames = ["Read"], Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("max_tokens", "1000")]),
            Betas = [], Streamed = true, Status = 200, StartedAt = Start, FirstByteMs = 12, DurationMs = 40,
        };
        (await store.Trials.RecordTrialAsync(trial, [new TrialArtifact(ArtifactKind.Transcript, "line 1\n\u001b[31mred\u001b[0m ✓\n"), new TrialArtifact(ArtifactKind.Diff, new string('x', 100_000))],
            new HarnessCapture([request], [SystemPrompt]))).ShouldBe(RecordResult.Recorded);
        await store.Runs.FinishRunAsync(first, RunStatus.Incomplete, Start.AddMinutes(5));
        await store.Ingest.IngestAsync([new IngestedRun
        {
            Format = "margin", Key = "run-1", Path = "/results/run-1", Agent = "tracker", Suite = "swe", StartedAt = Start.AddDays(1),
            Totals = new RunTotals(30, 15, 0, 5), TotalUsage = new AgentUsage { InputTokens = 1000, CostUsd = 1.25m }, DurationMs = 3_600_000,
        }]);
        var doomed = await store.Runs.CreateRunAsync(Plan("agent-doomed"), new RunFingerprint(), Start.AddDays(2), Owner);
        (await store.Schedule.ClaimSlotAsync("nightly", Start, Owner, Start)).Result.ShouldBe(ClaimResult.New);
        await store.Schedule.SetSlotRunAsync("nightly", Start, first);
        await store.Schedule.FinishSlotAsync("nightly", Start, SlotStatus.Complete, "ok", Start.AddHours(1));
        var alert = new Alert { Event = AlertEvents.Changed, Agent = "agent-a", Suite = "mini", RunId = first, At = Start };
        await store.Alerts.RecordVerdictAsync("agent-a", "mini", new VerdictState(VerdictStatus.Warning, ["outputTokens down"]), Start, [alert]);
        var delivered = await store.Alerts.AddAlertAsync(alert with { Event = AlertEvents.Degraded });
        await store.Alerts.MarkAlertDeliveredAsync(delivered, "console: ok", Start.AddMinutes(1));
        await store.Results.PutSuiteBundleAsync(new string('e', 64), [0x1f, 0x8b, 0, 255, 7]);
        _ = doomed;
    }

    [Fact]
    public async Task Every_table_goes_to_postgres_and_back_unchanged_with_ids_counters_and_bytes()
    {
        // Given a SQLite store with a row in every table, whose newest run was deleted afterwards
        var original = _temp.Combine("original.db");
        using (var sqlite = StoreFactory.Of(SqliteResultStore.Open(original)))
            await FillAsync(sqlite);
        await using (var connection = new SqliteConnection($"Data Source={original};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM runs WHERE agent = 'agent-doomed';";
            (await delete.ExecuteNonQueryAsync()).ShouldBe(1);
            // and one artifact as stored before migration 12: inline, without a hash
            delete.CommandText = $"INSERT INTO artifacts (run_id, task_id, trial_index, kind, encoding, size, content) VALUES (1, 'task-a', 0, 'agent-output', 'br', 7, x'{Convert.ToHexString(ArtifactCodec.Compress("old ✓"))}');";
            (await delete.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        // When it is copied to PostgreSQL, and from there into a new SQLite file
        IReadOnlyList<TableCopy> there, back;
        using (var source = StoreFactory.Of(SqliteResultStore.Open(original)))
        using (var postgres = StoreFactory.OpenPostgres(_connectionString))
            there = await StoreCopier.CopyAsync(source, postgres, "postgres");
        var roundTrip = _temp.Combine("round-trip.db");
        using (var postgres = StoreFactory.OpenPostgres(_connectionString))
        using (var target = StoreFactory.Of(SqliteResultStore.Open(roundTrip)))
            back = await StoreCopier.CopyAsync(postgres, target, "sqlite");

        // Then every table had rows, both copies moved the same, and the file is the same row for row, byte for byte, counters included
        there.Select(t => t.Table).ShouldBe(StoreCopier.Tables.Append(StoreCopier.Blobs));
        there.ShouldAllBe(t => t.Rows > 0);
        there.Single(t => t.Table == StoreCopier.Blobs).Rows.ShouldBe(2);
        back.ShouldBe(there);
        foreach (var table in StoreCopier.Tables.Append("sqlite_sequence"))
            Rows(roundTrip, table).ShouldBe(Rows(original, table), table);
        // (the counts that triggers keep come out the same; the number of writes is each store's own)
        const string tallies = "(SELECT run_id, trials, pass, fail, timeout, error, pending FROM run_tallies)";
        Rows(roundTrip, tallies).ShouldBe(Rows(original, tallies));
        Rows(original, tallies).ShouldNotBeEmpty();

        // And the artifacts' files came along, byte for byte, and every artifact reads back the same
        BlobFiles(roundTrip).ShouldBe(BlobFiles(original));
        BlobFiles(original).Count.ShouldBe(2);
        using (var copied = StoreFactory.Of(SqliteResultStore.Open(roundTrip)))
        {
            (await copied.Trials.GetArtifactAsync(1, new TrialKey("task-a", 0), ArtifactKind.Transcript)).ShouldBe("line 1\n\u001b[31mred\u001b[0m ✓\n");
            (await copied.Trials.GetArtifactAsync(1, new TrialKey("task-a", 0), ArtifactKind.Diff)).ShouldBe(new string('x', 100_000));
            (await copied.Trials.GetArtifactAsync(1, new TrialKey("task-a", 0), ArtifactKind.AgentOutput)).ShouldBe("old ✓");
        }

        // And PostgreSQL reads what SQLite reads, and its next ids follow the highest ever given
        using var pg = StoreFactory.OpenPostgres(_connectionString);
        using var lite = StoreFactory.Of(SqliteResultStore.Open(original));
        Json(await pg.Runs.ListRunsAsync(new RunQuery())).ShouldBe(Json(await lite.Runs.ListRunsAsync(new RunQuery())));
        Json(await pg.Trials.GetTrialsAsync(1)).ShouldBe(Json(await lite.Trials.GetTrialsAsync(1)));
        Json(await pg.History.GetHistoryAsync("agent-a", "mini", withMetrics: true)).ShouldBe(Json(await lite.History.GetHistoryAsync("agent-a", "mini", withMetrics: true)));
        (await pg.Trials.GetArtifactAsync(1, new TrialKey("task-a", 0), ArtifactKind.Transcript)).ShouldBe("line 1\n\u001b[31mred\u001b[0m ✓\n");
        (await pg.Trials.GetArtifactAsync(1, new TrialKey("task-a", 0), ArtifactKind.Diff)).ShouldBe(new string('x', 100_000));
        (await pg.Trials.GetArtifactAsync(1, new TrialKey("task-a", 0), ArtifactKind.AgentOutput)).ShouldBe("old ✓");
        (await pg.Harness.GetHarnessTextsAsync([SystemPrompt.Hash]))[SystemPrompt.Hash].ShouldBe(SystemPrompt.Text);
        (await pg.Alerts.ListAlertsAsync()).ShouldBe(await lite.Alerts.ListAlertsAsync());
        (await pg.Schedule.ListSlotsAsync()).ShouldBe(await lite.Schedule.ListSlotsAsync());
        // (runs 1 and 2 are there, 3 was deleted: the next is 4, never 3 again; alerts 1 and 2: the next is 3)
        (await pg.Runs.CreateRunAsync(Plan("agent-new"), new RunFingerprint(), Start.AddDays(3), Owner)).ShouldBe(4);
        (await lite.Runs.CreateRunAsync(Plan("agent-new"), new RunFingerprint(), Start.AddDays(3), Owner)).ShouldBe(4);
        (await pg.Alerts.AddAlertAsync(new Alert { Event = "x", Agent = "a", Suite = "s", At = Start })).ShouldBe(3);
    }

    [Fact]
    public async Task A_target_holding_anything_is_refused_with_nothing_written()
    {
        // Given a filled SQLite store and a PostgreSQL database that holds only an alert
        var original = _temp.Combine("original.db");
        using var source = StoreFactory.Of(SqliteResultStore.Open(original));
        await FillAsync(source);
        using var postgres = StoreFactory.OpenPostgres(_connectionString);
        await postgres.Alerts.AddAlertAsync(new Alert { Event = "x", Agent = "a", Suite = "s", At = Start });

        // When it is copied there
        var error = await Should.ThrowAsync<InvalidInputException>(() => StoreCopier.CopyAsync(source, postgres, "--to $PG"));

        // Then it is refused naming the table, and the target still holds only its alert
        error.Message.ShouldBe("--to $PG: the target's table alerts already holds 1 row(s); db copy only fills an empty store: nothing was written");
        (await postgres.Runs.ListRunsAsync(new RunQuery())).ShouldBeEmpty();
        (await postgres.Alerts.ListAlertsAsync()).ShouldHaveSingleItem();
    }

    /// <summary>The artifact files beside a SQLite database, as relative path and hex content, sorted.</summary>
    private static List<string> BlobFiles(string database)
    {
        var folder = database + ".artifacts";
        return [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => $"{Path.GetRelativePath(folder, f)}:{Convert.ToHexString(File.ReadAllBytes(f))}")
            .Order(StringComparer.Ordinal)];
    }

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary>Every row of a table of a SQLite file, each value with its storage type, bytes as hex, sorted.</summary>
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
                double real => $"Double:{real:R}",
                var value => $"{value.GetType().Name}:{Convert.ToString(value, CultureInfo.InvariantCulture)}",
            })));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
