using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Driftwatch.Storage.Tests.Sqlite;

/// <summary>Artifacts out of the row store (#20): content-addressed Brotli files beside the database, one per distinct text.</summary>
public sealed class ArtifactFilesTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);
    private static readonly RunOwner DeadOwner = new("elsewhere-host-that-is-not-this-one", 1, Start);

    private readonly TempDirectory _temp = new("artifact-files");

    public void Dispose() => _temp.Dispose();

    private string DatabasePath => _temp.Combine("data", "driftwatch.db");

    private string Folder => DatabasePath + ".artifacts";

    private static RunPlan Plan(int tasks) => new()
    {
        AgentName = "simulated",
        AgentKind = "simulated",
        AgentConfigJson = """{"name":"simulated","kind":"simulated","options":{}}""",
        Synthetic = true,
        SuiteName = "mini",
        SuitePath = "/suites/mini",
        SuiteRevision = new string('a', 64),
        TrialsPerTask = 1,
        Seed = 42,
        SandboxMode = "none",
        Trials = [.. Enumerable.Range(0, tasks).Select(t => new PlannedTrial($"task-{t}", 0, t, TaskCategory.Generation, "python"))],
    };

    private static Trial Finished(long runId, PlannedTrial planned) => new()
    {
        RunId = runId,
        TaskId = planned.TaskId,
        TrialIndex = planned.TrialIndex,
        Sequence = planned.Sequence,
        Category = planned.Category,
        Language = planned.Language,
        Outcome = TrialOutcome.Pass,
        TestsPassed = 1,
        TestsTotal = 1,
        StartedAt = Start,
        FinishedAt = Start.AddSeconds(3),
    };

    private static TrialKey Key(PlannedTrial planned) => new(planned.TaskId, planned.TrialIndex);

    private List<string> BlobFiles() =>
        Directory.Exists(Folder) ? [.. Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void A_blob_is_renamed_into_place_and_its_folder_synced_before_put_returns_so_a_crash_cannot_lose_it_under_a_committed_row()
    {
        // Given the artifact files of a database, whose folder syncs are recorded with what was on disk then
        var syncs = new List<(string Folder, string[] Blobs)>();
        var files = new ArtifactFiles(DatabasePath, folder => syncs.Add((folder, [.. Directory.EnumerateFiles(folder).Select(Path.GetFileName)!])));
        files.EnsureFolder();
        var first = new string('a', 64);
        var second = "ab" + new string('c', 62);
        var third = new string('d', 64);

        // When the folder is made, then two texts land in the same new subfolder, one of them twice, and one in another
        var afterEnsure = syncs.Count;
        files.Put(first, [1, 2, 3]);
        var afterFirst = syncs.ToList();
        files.Put(second, [4]);
        files.Put(first, [1, 2, 3]);
        files.Put(third, [5]);

        // Then the artifacts folder's own entry was synced when it was made; each rename was followed
        // by a sync of the folder holding it (the blob already there under its name); a new subfolder's
        // entry was synced in its parent; and the text already stored synced nothing
        afterEnsure.ShouldBe(1);
        syncs[0].Folder.ShouldBe(Path.GetDirectoryName(DatabasePath));
        afterFirst.Skip(1).Select(s => s.Folder).ShouldBe([Path.Combine(Folder, "aa"), Folder]);
        afterFirst[1].Blobs.ShouldBe([first + ".br"]);
        syncs.Skip(3).Select(s => s.Folder).ShouldBe([Path.Combine(Folder, "ab"), Folder, Path.Combine(Folder, "dd"), Folder]);
        syncs[3].Blobs.ShouldBe([second + ".br"]);
    }

    [Fact]
    public void Syncing_a_real_folder_succeeds_and_a_missing_one_is_an_io_error_naming_it()
    {
        Directory.CreateDirectory(Folder);
        Should.NotThrow(() => Core.Files.DirectorySync.Flush(Folder));
        var missing = Path.Combine(Folder, "no-such-folder");
        Should.Throw<IOException>(() => Core.Files.DirectorySync.Flush(missing)).Message.ShouldContain(missing);
    }

    [Fact]
    public async Task A_new_artifact_is_a_file_named_by_its_hash_beside_the_database_and_its_row_holds_no_content()
    {
        // Given a store
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);
        var plan = Plan(1);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        var transcript = string.Concat(Enumerable.Repeat("{\"type\":\"assistant\",\"text\":\"héllo ✓\"}\n", 2000));

        // When a trial is recorded with a transcript
        await store.RecordTrialAsync(Finished(runId, plan.Trials[0]), [new TrialArtifact(ArtifactKind.Transcript, transcript)]);

        // Then the text is one Brotli file <db>.artifacts/<2 hex>/<sha-256>.br, the row names it and holds no bytes, and it reads back
        var hash = ArtifactCodec.Hash(transcript);
        BlobFiles().ShouldBe([Path.Combine(Folder, hash[..2], hash + ".br")]);
        ArtifactCodec.Decompress(File.ReadAllBytes(BlobFiles()[0]), "br", ArtifactCodec.ByteCount(transcript)).ShouldBe(transcript);
        Scalar("SELECT lower(hex(hash)) FROM artifacts").ShouldBe(hash);
        Scalar("SELECT length(content) FROM artifacts").ShouldBe(0L);
        (await store.GetArtifactAsync(runId, Key(plan.Trials[0]), ArtifactKind.Transcript)).ShouldBe(transcript);

        // And the row holds the hash as its 32 bytes, not its 64 hex characters
        Scalar("SELECT typeof(hash) || ':' || length(hash) FROM artifacts").ShouldBe("blob:32");
    }

    [Fact]
    public async Task An_artifact_row_of_schema_14_naming_its_file_in_hex_holds_its_bytes_after_migration_and_reads_back()
    {
        // Given a database at schema 14 whose artifact row names its file by hex text, and the file
        var text = "--- a/x.py\n+++ b/x.py\n+fixed ✓\n";
        var hash = ArtifactCodec.Hash(text);
        Directory.CreateDirectory(Path.Combine(Folder, hash[..2]));
        File.WriteAllBytes(Path.Combine(Folder, hash[..2], hash + ".br"), ArtifactCodec.Compress(text));
        using (var connection = new SqliteConnection($"Data Source={DatabasePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Concat(Migrations.Steps.Take(14)) + $$"""
                PRAGMA user_version = 14;
                INSERT INTO runs (agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision, trials_per_task,
                                  seed, sandbox, status, started_at, fingerprint)
                VALUES ('old-agent', 'simulated', '{}', 1, 'core', '/x', 'abc', 1, 3, 'none', 'complete', '2026-01-01T00:00:00.0000000Z', '{}');
                INSERT INTO trials (run_id, task_id, trial_index, sequence, category, language, outcome, tests_passed, tests_total,
                                    started_at, finished_at, duration_ms, agent_duration_ms, test_duration_ms, attempts)
                VALUES (1, 'task-a', 0, 0, 'generation', 'python', 'pass', 3, 3, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:01:00.0000000Z', 60000, 50000, 10000, 1);
                INSERT INTO artifacts (run_id, task_id, trial_index, kind, encoding, size, content, hash)
                VALUES (1, 'task-a', 0, 'diff', 'br', {{ArtifactCodec.ByteCount(text)}}, X'', '{{hash}}');
                """;
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        // When the current Driftwatch opens it
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);

        // Then the row holds the hash's bytes and the diff reads back from the same file
        Scalar("SELECT typeof(hash) || ':' || lower(hex(hash)) FROM artifacts").ShouldBe("blob:" + hash);
        (await store.GetArtifactAsync(1, new TrialKey("task-a", 0), ArtifactKind.Diff)).ShouldBe(text);
    }

    [Fact]
    public void Opening_for_writing_makes_the_folder_before_any_trial_so_that_sandboxes_can_hide_it()
    {
        // Given no database yet
        Directory.Exists(Folder).ShouldBeFalse();

        // When it is opened for writing
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);

        // Then its artifact folder is there, empty
        Directory.Exists(Folder).ShouldBeTrue();
        BlobFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task Identical_texts_of_two_trials_are_stored_once()
    {
        // Given a store and two trials with the same diff and different transcripts
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);
        var plan = Plan(2);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);

        // When both are recorded
        foreach (var planned in plan.Trials)
            await store.RecordTrialAsync(Finished(runId, planned), [new TrialArtifact(ArtifactKind.Diff, "+ the same fix\n"), new TrialArtifact(ArtifactKind.Transcript, planned.TaskId)]);

        // Then there are three files for four artifacts, and each trial reads its own texts
        Scalar("SELECT COUNT(*) FROM artifacts").ShouldBe(4L);
        BlobFiles().Count.ShouldBe(3);
        foreach (var planned in plan.Trials)
        {
            (await store.GetArtifactAsync(runId, Key(planned), ArtifactKind.Diff)).ShouldBe("+ the same fix\n");
            (await store.GetArtifactAsync(runId, Key(planned), ArtifactKind.Transcript)).ShouldBe(planned.TaskId);
        }
    }

    [Fact]
    public async Task An_artifact_stored_inline_before_the_blob_files_still_reads()
    {
        // Given an artifact row as migration 11 stored it: its compressed text inline, no hash
        using (var store = SqliteResultStore.Open(DatabasePath, _ => false))
        {
            var plan = Plan(1);
            var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
            await store.RecordTrialAsync(Finished(runId, plan.Trials[0]), []);
        }
        SqliteConnection.ClearAllPools();
        Execute($"INSERT INTO artifacts (run_id, task_id, trial_index, kind, encoding, size, content) VALUES (1, 'task-0', 0, 'diff', 'br', 7, x'{Convert.ToHexString(ArtifactCodec.Compress("old ✓"))}');");

        // When it is read
        using var reopened = SqliteResultStore.Open(DatabasePath, _ => false);

        // Then it is its text, and no file was needed
        (await reopened.GetArtifactAsync(1, new TrialKey("task-0", 0), ArtifactKind.Diff)).ShouldBe("old ✓");
        BlobFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_missing_file_is_bad_input_naming_it_not_an_empty_artifact()
    {
        // Given a recorded artifact whose file was lost (the database restored without its folder)
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);
        var plan = Plan(1);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        await store.RecordTrialAsync(Finished(runId, plan.Trials[0]), [new TrialArtifact(ArtifactKind.Diff, "+ fix\n")]);
        var file = BlobFiles().ShouldHaveSingleItem();
        File.Delete(file);

        // When it is read
        var error = await Should.ThrowAsync<InvalidInputException>(() => store.GetArtifactAsync(runId, Key(plan.Trials[0]), ArtifactKind.Diff));

        // Then the error names the file and says it is missing, in one line
        error.Message.ShouldStartWith($"{file}: the file of the diff of run {runId} trial task-0");
        error.Message.ShouldContain("is missing");
        error.Message.ShouldNotContain('\n');
    }

    [Fact]
    public async Task A_damaged_file_is_bad_input_naming_it()
    {
        // Given a recorded artifact whose file was cut short
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);
        var plan = Plan(1);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        var text = string.Concat(Enumerable.Range(0, 3000).Select(i => (char)('a' + i * 7 % 26)));
        await store.RecordTrialAsync(Finished(runId, plan.Trials[0]), [new TrialArtifact(ArtifactKind.TestOutput, text)]);
        var file = BlobFiles().ShouldHaveSingleItem();
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        // When it is read
        var error = await Should.ThrowAsync<InvalidInputException>(() => store.GetArtifactAsync(runId, Key(plan.Trials[0]), ArtifactKind.TestOutput));

        // Then the error names the file and says it is damaged
        error.Message.ShouldStartWith($"{file}: the file of the test-output of run {runId} trial task-0");
        error.Message.ShouldContain("is damaged");
    }

    [Fact]
    public async Task Ingested_trials_store_their_artifacts_in_the_same_files()
    {
        // Given a store
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);

        // When a run of another harness is ingested with a trial's transcript
        var results = await store.IngestAsync([new IngestedRun
        {
            Format = "jsonl", Key = "run-1", Path = "/results/run-1.jsonl", Agent = "tracker", Suite = "swe", StartedAt = Start,
            Trials = [new IngestedTrial(new Trial
            {
                RunId = 0, TaskId = "t-1", TrialIndex = 0, Sequence = 0, Category = TaskCategory.Other, Language = "",
                Outcome = TrialOutcome.Pass, TestsPassed = 1, TestsTotal = 1, StartedAt = Start, FinishedAt = Start.AddMinutes(1),
            }, [new TrialArtifact(ArtifactKind.Transcript, "ingested ✓")])],
        }]);

        // Then its text is a file and reads back
        var runId = results.ShouldHaveSingleItem().RunId;
        BlobFiles().ShouldHaveSingleItem().ShouldEndWith(ArtifactCodec.Hash("ingested ✓") + ".br");
        (await store.GetArtifactAsync(runId, new TrialKey("t-1", 0), ArtifactKind.Transcript)).ShouldBe("ingested ✓");
    }
}
