using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Driftwatch.Storage.Tests.Sqlite;

public sealed class SqliteResultStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);
    private static readonly RunOwner DeadOwner = new("elsewhere-host-that-is-not-this-one", 1, Start);

    private readonly TempDirectory _temp = new("store");

    public void Dispose() => _temp.Dispose();

    private string DatabasePath => _temp.Combine("data", "driftwatch.db");

    private static RunPlan Plan(int tasks = 3, int k = 2) => new()
    {
        AgentName = "simulated",
        AgentKind = "simulated",
        AgentConfigJson = """{"name":"simulated","kind":"simulated","options":{}}""",
        Synthetic = true,
        SuiteName = "mini",
        SuitePath = "/suites/mini",
        SuiteRevision = new string('a', 64),
        TrialsPerTask = k,
        Seed = 42,
        SandboxMode = "bubblewrap",
        Trials = [.. Enumerable.Range(0, tasks).SelectMany(t => Enumerable.Range(0, k).Select(i => new PlannedTrial($"task-{t}", i, t * k + i, TaskCategory.Generation, "python")))],
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
        TestsPassed = outcome == TrialOutcome.Pass ? 4 : 1,
        TestsTotal = 4,
        StartedAt = Start,
        FinishedAt = Start.AddSeconds(3),
        DurationMs = 3000,
        AgentDurationMs = 2000,
        TestDurationMs = 900,
        Usage = new AgentUsage { InputTokens = 1200, OutputTokens = 300, CacheReadTokens = 50, CostUsd = 0.0123m, Turns = 4 },
        AgentVersion = "2.1.0 (Claude Code)",
        Model = "claude-sonnet",
        ErrorKind = outcome == TrialOutcome.Error ? "api-529" : null,
    };

    [Fact]
    public async Task A_new_database_is_created_in_wal_mode_at_the_current_schema_version()
    {
        using (SqliteResultStore.Open(DatabasePath))
        {
        }

        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; ";
        (await command.ExecuteScalarAsync()).ShouldBe("wal");
        command.CommandText = "PRAGMA user_version;";
        Convert.ToInt32(await command.ExecuteScalarAsync()).ShouldBe(SqliteResultStore.SchemaVersion);
    }

    [Fact]
    public async Task A_run_starts_with_every_planned_trial_pending_and_records_them_one_by_one()
    {
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);
        var plan = Plan();
        var runId = await store.CreateRunAsync(plan, new RunFingerprint { AgentVersion = "v1" }, Start, DeadOwner);

        (await store.GetPendingTrialsAsync(runId)).Count.ShouldBe(6);
        await store.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass), [new TrialArtifact(ArtifactKind.Diff, "--- a\n+++ b\n")]);
        await store.RecordTrialAsync(Finished(runId, plan.Trials[1], TrialOutcome.Fail), []);

        var pending = await store.GetPendingTrialsAsync(runId);
        pending.Count.ShouldBe(4);
        pending.ShouldNotContain(plan.Trials[0]);
        var header = (await store.GetRunAsync(runId))!;
        header.Summary.ShouldBe(new RunSummary(Total: 2, Pass: 1, Fail: 1, Timeout: 0, Error: 0, Pending: 4));
        header.PlannedTrials.ShouldBe(6);
        header.Fingerprint.AgentVersion.ShouldBe("v1");
    }

    [Fact]
    public async Task A_recorded_trial_reads_back_field_for_field()
    {
        using var store = SqliteResultStore.Open(DatabasePath);
        var plan = Plan(1, 1);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        var trial = Finished(runId, plan.Trials[0], TrialOutcome.Pass);

        await store.RecordTrialAsync(trial, []);

        (await store.GetTrialsAsync(runId)).Single().ShouldBe(trial);
    }

    [Fact]
    public async Task A_run_header_counts_its_flagged_trials_by_kind_each_trial_once_per_kind()
    {
        // Given a run of six trials: a pass with two suspect flags, a fail flagged suspect and served by a fallback model, a refusal, a fallback, one unflagged and one pending
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);
        var plan = Plan();
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        string[][] flags =
        [
            ["suspect:site-customisation sitecustomize.py", "suspect:shadows-test-framework unittest.py"],
            ["suspect:test-runner .driftwatch/x.py", "fallback:claude-opus→claude-sonnet"],
            ["refusal"],
            ["fallback:claude-opus→claude-haiku"],
            [],
        ];
        for (var i = 0; i < flags.Length; i++)
            await store.RecordTrialAsync(Finished(runId, plan.Trials[i], i == 1 ? TrialOutcome.Fail : TrialOutcome.Pass) with { Flags = [.. flags[i]] }, []);

        // When the run is read back, alone and in a list
        var header = (await store.GetRunAsync(runId))!;
        var listed = (await store.ListRunsAsync(new RunQuery())).ShouldHaveSingleItem();

        // Then two trials are suspect, two served by a fallback model and one refused
        header.Flagged.ShouldBe(new FlagCounts(Suspect: 2, Fallback: 2, Refusal: 1));
        listed.Flagged.ShouldBe(header.Flagged);
    }

    [Fact]
    public async Task Recording_a_finished_trial_again_is_a_no_op_that_says_so_and_the_first_recording_wins()
    {
        // Given a trial recorded with a final outcome and its diff
        using var store = SqliteResultStore.Open(DatabasePath);
        var plan = Plan(1, 1);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        var first = await store.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass), [new TrialArtifact(ArtifactKind.Diff, "first")]);

        // When the same trial is delivered again, with another outcome and another diff
        var second = await store.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Fail), [new TrialArtifact(ArtifactKind.Diff, "second")]);

        // Then the first recording stands, whole, and the second says it changed nothing
        first.ShouldBe(RecordResult.Recorded);
        second.ShouldBe(RecordResult.AlreadyRecorded);
        (await store.GetTrialsAsync(runId)).Single().Outcome.ShouldBe(TrialOutcome.Pass);
        (await store.GetArtifactAsync(runId, new TrialKey(plan.Trials[0].TaskId, 0), ArtifactKind.Diff)).ShouldBe("first");
    }

    [Fact]
    public async Task Recording_a_trial_that_was_never_planned_is_a_failure_of_the_caller()
    {
        using var store = SqliteResultStore.Open(DatabasePath);
        var plan = Plan(1, 1);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);

        await Should.ThrowAsync<InvalidOperationException>(() => store.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass) with { TaskId = "no-such-task" }, []));
    }

    [Fact]
    public async Task A_trial_that_ended_in_an_infrastructure_error_stays_pending_and_can_be_redone()
    {
        using var store = SqliteResultStore.Open(DatabasePath);
        var plan = Plan(1, 1);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        await store.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Error), []);

        (await store.GetPendingTrialsAsync(runId)).Count.ShouldBe(1);
        (await store.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass), [])).ShouldBe(RecordResult.Recorded);

        (await store.GetPendingTrialsAsync(runId)).ShouldBeEmpty();
        (await store.GetTrialsAsync(runId)).Single().Outcome.ShouldBe(TrialOutcome.Pass);
    }

    [Fact]
    public async Task Artifacts_are_stored_compressed_and_read_back_exactly()
    {
        using var store = SqliteResultStore.Open(DatabasePath);
        var plan = Plan(1, 1);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        var transcript = string.Concat(Enumerable.Repeat("{\"type\":\"assistant\",\"text\":\"héllo ✓\"}\n", 2000));

        await store.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass), [new TrialArtifact(ArtifactKind.Transcript, transcript)]);

        (await store.GetArtifactAsync(runId, new TrialKey(plan.Trials[0].TaskId, plan.Trials[0].TrialIndex), ArtifactKind.Transcript)).ShouldBe(transcript);
        (await store.GetArtifactAsync(runId, new TrialKey(plan.Trials[0].TaskId, plan.Trials[0].TrialIndex), ArtifactKind.Diff)).ShouldBeNull();
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT length(content), size FROM artifacts";
        using var reader = command.ExecuteReader();
        reader.Read().ShouldBeTrue();
        reader.GetInt64(0).ShouldBeLessThan(reader.GetInt64(1) / 10);
    }

    [Fact]
    public async Task A_running_run_whose_owner_died_is_reported_incomplete_and_can_be_claimed()
    {
        // Given a run whose process is gone (owner not alive)
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);
        var runId = await store.CreateRunAsync(Plan(), new RunFingerprint(), Start, DeadOwner);

        // Then it shows as incomplete, is the one to resume, and can be claimed
        (await store.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Incomplete);
        (await store.FindLatestResumableRunAsync()).ShouldBe(runId);
        await store.ClaimRunAsync(runId, new RunOwner("here", 99, Start));
    }

    [Fact]
    public async Task A_run_whose_owner_lives_cannot_be_claimed_twice()
    {
        using var store = SqliteResultStore.Open(DatabasePath, _ => true);
        var runId = await store.CreateRunAsync(Plan(), new RunFingerprint(), Start, DeadOwner);

        (await store.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Running);
        (await store.FindLatestResumableRunAsync()).ShouldBeNull();
        (await Should.ThrowAsync<InvalidInputException>(() => store.ClaimRunAsync(runId, DeadOwner))).Message.ShouldContain("still running");
    }

    [Fact]
    public async Task A_complete_run_has_nothing_to_resume()
    {
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);
        var plan = Plan(1, 1);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        await store.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass), []);
        await store.FinishRunAsync(runId, RunStatus.Complete, Start.AddMinutes(1));

        (await store.FindLatestResumableRunAsync()).ShouldBeNull();
        (await Should.ThrowAsync<InvalidInputException>(() => store.ClaimRunAsync(runId, DeadOwner))).Message.ShouldContain("nothing to resume");
    }

    [Fact]
    public async Task A_run_with_every_trial_in_whose_owner_died_before_closing_it_is_resumable_to_be_closed()
    {
        // Given a run whose every trial was stored, but whose process died before closing it
        var resumer = new RunOwner("here", 99, Start);
        using var store = SqliteResultStore.Open(DatabasePath, owner => owner == resumer);
        var plan = Plan(1, 2);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);
        foreach (var trial in plan.Trials)
            await store.RecordTrialAsync(Finished(runId, trial, TrialOutcome.Pass), []);

        // When it is looked for and claimed
        var latest = await store.FindLatestResumableRunAsync();
        await store.ClaimRunAsync(runId, resumer);

        // Then it is the run to resume, and it is now running (to be closed) with nothing pending
        latest.ShouldBe(runId);
        var header = (await store.GetRunAsync(runId))!;
        header.Status.ShouldBe(RunStatus.Running);
        header.FinishedAt.ShouldBeNull();
        header.Summary.Pending.ShouldBe(0);
    }

    [Fact]
    public async Task Runs_are_listed_oldest_first_and_filtered()
    {
        using var store = SqliteResultStore.Open(DatabasePath);
        var first = await store.CreateRunAsync(Plan(), new RunFingerprint(), Start, DeadOwner);
        var second = await store.CreateRunAsync(Plan() with { AgentName = "other" }, new RunFingerprint(), Start.AddDays(1), DeadOwner);

        (await store.ListRunsAsync(new RunQuery())).Select(r => r.Id).ShouldBe([first, second]);
        (await store.ListRunsAsync(new RunQuery(Agent: "other"))).Select(r => r.Id).ShouldBe([second]);
        (await store.ListRunsAsync(new RunQuery(Limit: 1))).Select(r => r.Id).ShouldBe([second]);
        (await store.GetPlanAsync(first)).Trials.Length.ShouldBe(6);
    }

    [Fact]
    public async Task A_file_that_is_not_sqlite_is_bad_input_and_left_untouched()
    {
        // Given a file that is not a database
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        var bytes = "this is my thesis, not a database\n"u8.ToArray();
        await File.WriteAllBytesAsync(DatabasePath, bytes);

        // When Driftwatch opens it
        var error = Should.Throw<InvalidInputException>(() => SqliteResultStore.Open(DatabasePath));

        // Then it says so and the file is byte-for-byte the same
        error.Message.ShouldStartWith($"{DatabasePath}: not a SQLite database");
        (await File.ReadAllBytesAsync(DatabasePath)).ShouldBe(bytes);
    }

    [Fact]
    public async Task A_corrupt_database_is_bad_input_and_left_untouched()
    {
        // Given a real database whose pages were overwritten with garbage
        using (var store = SqliteResultStore.Open(DatabasePath))
            await store.CreateRunAsync(Plan(20, 5), new RunFingerprint(), Start, DeadOwner);
        SqliteConnection.ClearAllPools();
        File.Delete(DatabasePath + "-wal");
        File.Delete(DatabasePath + "-shm");
        var bytes = await File.ReadAllBytesAsync(DatabasePath);
        for (var i = 100; i < bytes.Length; i++)
            bytes[i] = (byte)(i * 31);
        await File.WriteAllBytesAsync(DatabasePath, bytes);

        // When it is opened and read
        var error = Should.Throw<InvalidInputException>(async () =>
        {
            using var store = SqliteResultStore.Open(DatabasePath);
            await store.ListRunsAsync(new RunQuery());
        });

        // Then the message names the file, and the file was not rewritten
        error.Message.ShouldStartWith($"{DatabasePath}: the database is corrupt");
        (await File.ReadAllBytesAsync(DatabasePath)).ShouldBe(bytes);
    }

    [Fact]
    public void A_database_from_a_newer_driftwatch_is_refused()
    {
        using (SqliteResultStore.Open(DatabasePath))
        {
        }
        using (var connection = new SqliteConnection($"Data Source={DatabasePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SqliteResultStore.SchemaVersion + 5};";
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        Should.Throw<InvalidInputException>(() => SqliteResultStore.Open(DatabasePath)).Message.ShouldContain("newer than this Driftwatch knows");
    }

    [Fact]
    public async Task Concurrent_writers_and_readers_share_the_file()
    {
        // Given two stores on the same file (a run and a dashboard)
        using var writer = SqliteResultStore.Open(DatabasePath);
        using var reader = SqliteResultStore.Open(DatabasePath);
        var plan = Plan(50, 2);
        var runId = await writer.CreateRunAsync(plan, new RunFingerprint(), Start, DeadOwner);

        // When trials are recorded in parallel while another store reads
        var writes = Parallel.ForEachAsync(plan.Trials, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (trial, token) => await writer.RecordTrialAsync(Finished(runId, trial, TrialOutcome.Pass), [new TrialArtifact(ArtifactKind.TestOutput, "ok")], null, token));
        var reads = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
                await reader.ListRunsAsync(new RunQuery());
        });
        await Task.WhenAll(writes, reads);

        // Then every trial is there exactly once
        (await reader.GetTrialsAsync(runId)).Count.ShouldBe(100);
        (await reader.GetPendingTrialsAsync(runId)).ShouldBeEmpty();
    }
}
