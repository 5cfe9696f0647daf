using System.Text;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Driftwatch.Storage.Tests.Sqlite;

/// <summary>
/// A database damaged on disk (a page overwritten, a value that no longer decodes) is bad input
/// named by its file: refused before anything is written to it, and never a crash of a reader.
/// </summary>
public sealed class DamagedDatabaseTests : IDisposable
{
    private const int PageSize = 4096;
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);
    private static readonly RunOwner DeadOwner = new("elsewhere-host-that-is-not-this-one", 1, Start);

    private readonly TempDirectory _temp = new("store-damaged");

    public void Dispose() => _temp.Dispose();

    private string DatabasePath => _temp.Combine("driftwatch.db");

    /// <summary>
    /// A real database: three runs of 12 trials, each with a transcript and a diff, closed so that
    /// only the main file is left (no -wal, no -shm).
    /// </summary>
    private async Task RealDatabaseAsync()
    {
        using (var store = SqliteResultStore.Open(DatabasePath, _ => false))
        {
            for (var run = 0; run < 3; run++)
            {
                var plan = new RunPlan
                {
                    AgentName = "simulated",
                    AgentKind = "simulated",
                    AgentConfigJson = """{"name":"simulated","kind":"simulated","options":{}}""",
                    Synthetic = true,
                    SuiteName = "mini",
                    SuitePath = "/suites/mini",
                    SuiteRevision = new string('a', 64),
                    TrialsPerTask = 1,
                    Seed = run,
                    SandboxMode = "none",
                    Trials = [.. Enumerable.Range(0, 12).Select(t => new PlannedTrial($"task-{t:00}", 0, t, TaskCategory.Generation, "python"))],
                };
                var started = Start.AddDays(run);
                var runId = await store.CreateRunAsync(plan, new RunFingerprint { AgentVersion = "1.0" }, started, DeadOwner);
                foreach (var planned in plan.Trials)
                {
                    var trial = new Trial
                    {
                        RunId = runId,
                        TaskId = planned.TaskId,
                        TrialIndex = 0,
                        Sequence = planned.Sequence,
                        Category = planned.Category,
                        Language = planned.Language,
                        Outcome = planned.Sequence % 3 == 0 ? TrialOutcome.Fail : TrialOutcome.Pass,
                        TestsPassed = 1,
                        TestsTotal = 2,
                        StartedAt = started,
                        FinishedAt = started.AddSeconds(2),
                        Model = "m",
                    };
                    // Text that does not compress away, so that the file has pages enough to have a middle.
                    var rng = new Random(run * 100 + planned.Sequence);
                    var transcript = string.Concat(Enumerable.Range(0, 600).Select(_ => (char)rng.Next('a', 'z' + 1)));
                    await store.RecordTrialAsync(trial, [new TrialArtifact(ArtifactKind.Transcript, transcript), new TrialArtifact(ArtifactKind.Diff, "+x\n")]);
                }
                await store.FinishRunAsync(runId, RunStatus.Complete, started.AddMinutes(1));
            }
        }
        SqliteConnection.ClearAllPools();
        File.Exists(DatabasePath + "-wal").ShouldBeFalse("the last connection closed checkpoints and removes the WAL");
    }

    private void Execute(string sql)
    {
        using (var connection = new SqliteConnection($"Data Source={DatabasePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
    }

    private static string Line(Exception error) => error.Message.ShouldNotBeNull();

    [Fact]
    public async Task A_page_overwritten_in_the_middle_of_the_file_is_found_before_anything_is_written_and_nothing_is_touched()
    {
        // Given a real database with garbage over the header of the page in the middle of the file
        await RealDatabaseAsync();
        var bytes = await File.ReadAllBytesAsync(DatabasePath);
        var middle = bytes.Length / PageSize / 2;
        middle.ShouldBeGreaterThan(4, "the database should have pages enough to have a middle");
        Array.Fill(bytes, (byte)0xA5, middle * PageSize, 16);
        await File.WriteAllBytesAsync(DatabasePath, bytes);

        // When a writer (a run, the scheduler, the demo) opens it
        var error = Should.Throw<InvalidInputException>(() => SqliteResultStore.Open(DatabasePath, _ => false));

        // Then one line names the file and says it is corrupt and untouched
        error.Message.ShouldStartWith($"{DatabasePath}: the database is corrupt (");
        error.Message.ShouldContain("it was left untouched");
        Line(error).ShouldNotContain('\n');
        // And the file is byte-for-byte the same, with no -wal or -shm beside it
        (await File.ReadAllBytesAsync(DatabasePath)).ShouldBe(bytes);
        File.Exists(DatabasePath + "-wal").ShouldBeFalse();
        File.Exists(DatabasePath + "-shm").ShouldBeFalse();
    }

    [Fact]
    public async Task A_reader_of_a_database_with_a_damaged_page_gets_the_same_message_and_changes_nothing()
    {
        // Given a real database with garbage over the header of the page in the middle of the file
        await RealDatabaseAsync();
        var bytes = await File.ReadAllBytesAsync(DatabasePath);
        Array.Fill(bytes, (byte)0xA5, bytes.Length / PageSize / 2 * PageSize, 16);
        await File.WriteAllBytesAsync(DatabasePath, bytes);

        // When a reader (runs, show, check, the dashboard) opens it
        var error = Should.Throw<InvalidInputException>(() => SqliteResultStore.OpenForReading(DatabasePath, _ => false));

        // Then it is told the same, and nothing was created or changed
        error.Message.ShouldStartWith($"{DatabasePath}: the database is corrupt (");
        (await File.ReadAllBytesAsync(DatabasePath)).ShouldBe(bytes);
        File.Exists(DatabasePath + "-wal").ShouldBeFalse();
        File.Exists(DatabasePath + "-shm").ShouldBeFalse();
    }

    [Fact]
    public async Task A_reader_checks_a_file_whole_only_up_to_the_size_limit()
    {
        // Given a real database with garbage over the header of the page in the middle of the file
        await RealDatabaseAsync();
        var bytes = await File.ReadAllBytesAsync(DatabasePath);
        Array.Fill(bytes, (byte)0xA5, bytes.Length / PageSize / 2 * PageSize, 16);
        await File.WriteAllBytesAsync(DatabasePath, bytes);

        // When a reader opens it as a file beyond the limit of the whole-file check, and within it
        using var unchecked_ = SqliteResultStore.OpenForReading(DatabasePath, _ => false, checkUpTo: bytes.Length - 1);
        var error = Should.Throw<InvalidInputException>(() => SqliteResultStore.OpenForReading(DatabasePath, _ => false, checkUpTo: bytes.Length));

        // Then only the file within the limit was checked whole (what a read meets is still reported, as bad input)
        unchecked_.ShouldNotBeNull();
        error.Message.ShouldStartWith($"{DatabasePath}: the database is corrupt (");
        SqliteResultStore.ReaderCheckLimit.ShouldBeGreaterThan(bytes.Length);
    }

    [Fact]
    public async Task A_value_damaged_inside_a_record_is_reported_as_corruption_when_read_not_as_a_crash()
    {
        // Given a real database where one byte of a run's stored fingerprint (JSON) was overwritten:
        // the pages are sound, so only reading the value can tell
        await RealDatabaseAsync();
        var bytes = await File.ReadAllBytesAsync(DatabasePath);
        var at = bytes.AsSpan().IndexOf("\"agentVersion\":"u8);
        at.ShouldBeGreaterThan(0);
        bytes[at + "\"agentVersion\"".Length] = (byte)'#';
        await File.WriteAllBytesAsync(DatabasePath, bytes);

        // When the runs are listed
        using var store = SqliteResultStore.OpenForReading(DatabasePath, _ => false);
        var error = await Should.ThrowAsync<InvalidInputException>(() => store.ListRunsAsync(new RunQuery()));

        // Then one line names the file and what could not be read
        error.Message.ShouldStartWith($"{DatabasePath}: the database is corrupt: a stored value cannot be read (");
        Line(error).ShouldNotContain('\n');
    }

    [Theory]
    [InlineData("UPDATE runs SET status = 'compl\u00e9te' WHERE id = 2")]
    [InlineData("UPDATE runs SET fingerprint = '{\"agentVersion\":' WHERE id = 2")]
    [InlineData("UPDATE trials SET started_at = NULL WHERE run_id = 2 AND sequence = 4")]
    [InlineData("UPDATE trials SET outcome = 'maybe' WHERE run_id = 2 AND sequence = 4")]
    public async Task A_value_damaged_inside_a_run_or_trial_record_stops_a_writer_before_it_writes(string damage)
    {
        // Given a real database with one damaged value in a record whose page is sound (quick_check passes)
        await RealDatabaseAsync();
        Execute(damage);
        var bytes = await File.ReadAllBytesAsync(DatabasePath);

        // When a writer opens it
        var error = Should.Throw<InvalidInputException>(() => SqliteResultStore.Open(DatabasePath, _ => false));

        // Then it is refused as corrupt, before a write that every reader after it would pay for
        error.Message.ShouldStartWith($"{DatabasePath}: the database is corrupt: a stored value cannot be read (");
        SqliteConnection.ClearAllPools();
        (await File.ReadAllBytesAsync(DatabasePath)).ShouldBe(bytes);
    }

    [Theory]
    [InlineData("UPDATE runs SET status = 'compl\u00e9te' WHERE id = 2", "runs")]
    [InlineData("UPDATE trials SET started_at = NULL WHERE run_id = 2 AND sequence = 4", "trials")]
    [InlineData("UPDATE trials SET outcome = 'maybe' WHERE run_id = 2 AND sequence = 4", "history")]
    [InlineData("UPDATE trials SET flags = '[\"suspect:' WHERE run_id = 2 AND sequence = 4", "trials")]
    [InlineData("UPDATE artifacts SET encoding = 'zstd' WHERE run_id = 2 AND task_id = 'task-04' AND kind = 'transcript'", "artifact")]
    // An artifact stored inline (before migration 12, hash NULL) whose bytes are damaged; a damaged
    // artifact file is ArtifactFilesTests' business.
    [InlineData("UPDATE artifacts SET content = x'ffffffffffffffff', hash = NULL WHERE run_id = 2 AND task_id = 'task-04' AND kind = 'transcript'", "artifact")]
    public async Task A_stored_value_that_no_longer_decodes_is_bad_input_naming_the_file(string damage, string read)
    {
        // Given a real database with one value damaged
        await RealDatabaseAsync();
        Execute(damage);

        // When it is read
        using var store = SqliteResultStore.OpenForReading(DatabasePath, _ => false);
        Func<Task> reading = read switch
        {
            "runs" => () => store.ListRunsAsync(new RunQuery()),
            "trials" => () => store.GetTrialsAsync(2),
            "history" => () => store.GetHistoryAsync("simulated", "mini"),
            _ => () => store.GetArtifactAsync(2, new TrialKey("task-04", 0), ArtifactKind.Transcript),
        };
        var error = await Should.ThrowAsync<InvalidInputException>(reading);

        // Then it is corruption of that file, in one line, not a crash
        error.Message.ShouldStartWith($"{DatabasePath}: the database is corrupt: a stored value cannot be read (");
        Line(error).ShouldNotContain('\n');
    }

    [Fact]
    public async Task A_trial_that_was_never_planned_is_still_a_programming_error_not_corruption()
    {
        // Given a database and a trial its run never planned
        await RealDatabaseAsync();
        using var store = SqliteResultStore.Open(DatabasePath, _ => false);
        var trial = (await store.GetTrialsAsync(1))[0] with { TaskId = "never-planned" };

        // When it is recorded, the store's own guard is not mistaken for a damaged file
        var error = await Should.ThrowAsync<InvalidOperationException>(() => store.RecordTrialAsync(trial, []));
        error.Message.ShouldContain("never planned");
    }

    [Fact]
    public async Task A_sound_database_opens_for_writing_without_leaving_files_behind_its_check()
    {
        // Given a sound, closed database
        await RealDatabaseAsync();
        var before = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(DatabasePath));

        // When it is opened for writing and closed again without a write
        using (SqliteResultStore.Open(DatabasePath, _ => false))
        {
        }
        SqliteConnection.ClearAllPools();

        // Then the check left the file as it was
        Encoding.Latin1.GetString(await File.ReadAllBytesAsync(DatabasePath)).ShouldBe(before);
        File.Exists(DatabasePath + "-wal").ShouldBeFalse();
    }
}
