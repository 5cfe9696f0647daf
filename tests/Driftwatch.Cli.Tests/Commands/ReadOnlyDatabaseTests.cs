using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Driftwatch.Core.Runs;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// A database whose folder cannot be written (a read-only mount, a folder of another user): every
/// command that only reads works and leaves the folder as it was; every command that must write
/// is exit 2 with one line naming the file and why. The CLI runs in a child process confined so
/// that even root cannot write the folder.
/// </summary>
[Collection(RunDatabaseCollection.Name)]
public sealed class ReadOnlyDatabaseTests(RunDatabase database) : IDisposable
{
    private readonly TempDirectory _temp = new("cli-readonly");

    public void Dispose() => _temp.Dispose();

    private string Folder => _temp.Combine("data");

    private string Db => Path.Combine(Folder, "dw.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The folder's files and their bytes, to show that nothing in it changed.</summary>
    private Dictionary<string, string> Snapshot() =>
        Directory.GetFiles(Folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(Folder, f), f => Convert.ToHexString(File.ReadAllBytes(f)));

    private void CopyDatabase()
    {
        Directory.CreateDirectory(Folder);
        File.Copy(database.Path, Db);
        DatabaseCopies.CopyArtifacts(database.Path, Db);
    }

    private static void SkipUnless(Confinement confinement) =>
        Assert.SkipWhen(ConfinedCli.Unavailable(confinement) is not null, $"{confinement}: {ConfinedCli.Unavailable(confinement)}");

    private Task<CliResult> Confined(Confinement confinement, params string[] args) =>
        ConfinedCli.RunAsync(confinement, Folder, _temp.Path, [.. args, "--db", Db]);

    [Theory]
    [InlineData(Confinement.ReadOnlyMount)]
    [InlineData(Confinement.NoWritePermission)]
    public async Task Commands_that_only_read_work_and_leave_the_folder_as_it_was(Confinement confinement)
    {
        // Given a database of three runs in a folder the CLI cannot write
        SkipUnless(confinement);
        CopyDatabase();
        var report = _temp.Combine("report");
        using var undo = ConfinedCli.Prepare(confinement, Folder, report);
        var before = Snapshot();

        // When every reading command is run on it
        var runs = await Confined(confinement, "runs", "--json");
        var results = new Dictionary<string, CliResult>
        {
            ["runs"] = runs,
            ["show"] = await Confined(confinement, "show", "2"),
            ["show --task"] = await Confined(confinement, "show", "2", "--task", "add-a"),
            ["check"] = await Confined(confinement, "check"),
            ["compare"] = await Confined(confinement, "compare", "1", "2"),
            ["export"] = await Confined(confinement, "export", "--format", "markdown"),
            ["report"] = await Confined(confinement, "report", "--out", report),
            ["fingerprint show"] = await Confined(confinement, "fingerprint", "show", "2"),
            ["fingerprint diff"] = await Confined(confinement, "fingerprint", "diff", "1", "2"),
        };

        // Then each works (exit 0) and reads what is stored
        foreach (var (command, result) in results)
            result.ExitCode.ShouldBe(0, $"{command}: {result.Error}");
        JsonDocument.Parse(runs.Output).RootElement.GetArrayLength().ShouldBe(3);
        File.Exists(Path.Combine(report, "index.html")).ShouldBeTrue();
        // And the folder holds the same files with the same bytes: no -wal, no -shm
        Snapshot().ShouldBe(before);
    }

    [Theory]
    [InlineData(Confinement.ReadOnlyMount)]
    [InlineData(Confinement.NoWritePermission)]
    public async Task Serve_works_on_a_database_in_a_folder_it_cannot_write(Confinement confinement)
    {
        // Given a database in a folder the CLI cannot write
        SkipUnless(confinement);
        CopyDatabase();
        using var undo = ConfinedCli.Prepare(confinement, Folder);
        var before = Snapshot();
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        // When the dashboard serves it
        using var serve = ConfinedCli.Start(confinement, Folder, _temp.Path, "serve", "--urls", $"http://127.0.0.1:{port}", "--db", Db);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var runs = await WaitForRunsAsync(http, serve);

        // Then it answers with the stored runs, stops on SIGTERM with exit 0, and changed nothing
        JsonDocument.Parse(runs).RootElement.GetArrayLength().ShouldBe(3);
        serve.Signal(15);
        var (exitCode, _, error) = await serve.WaitAsync(TimeSpan.FromMinutes(1));
        exitCode.ShouldBe(0, error);
        Snapshot().ShouldBe(before);
    }

    private static async Task<string> WaitForRunsAsync(HttpClient http, CliProcess serve)
    {
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/api/runs", UriKind.Relative), Ct);
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                return await response.Content.ReadAsStringAsync(Ct);
            }
            catch (HttpRequestException) when (!serve.HasExited)
            {
                await Task.Delay(100, Ct);
            }
            catch (HttpRequestException)
            {
                var (exitCode, output, error) = await serve.WaitAsync(TimeSpan.FromMinutes(1));
                throw new ShouldAssertException($"serve ended with exit {exitCode} before it answered: {output} {error}");
            }
        }
    }

    [Theory]
    [InlineData(Confinement.ReadOnlyMount, "run", "--suite", "SUITE", "--sandbox", "none")]
    [InlineData(Confinement.NoWritePermission, "run", "--suite", "SUITE", "--sandbox", "none")]
    [InlineData(Confinement.ReadOnlyMount, "demo", "--no-serve", "--days", "10", "--sandbox", "none")]
    [InlineData(Confinement.NoWritePermission, "demo", "--no-serve", "--days", "10", "--sandbox", "none")]
    [InlineData(Confinement.ReadOnlyMount, "schedule", "--once", "--sandbox", "none")]
    [InlineData(Confinement.NoWritePermission, "schedule", "--once", "--sandbox", "none")]
    public async Task Commands_that_must_write_are_exit_2_naming_the_file_and_why(Confinement confinement, params string[] args)
    {
        // Given a database in a folder the CLI cannot write (and, for schedule, an entry to run)
        SkipUnless(confinement);
        CopyDatabase();
        _temp.Write("driftwatch.yaml", $"""
            schedule:
              entries:
                - agent: simulated
                  suite: {database.Suite}
                  cron: "0 6 * * *"
            """);
        using var undo = ConfinedCli.Prepare(confinement, Folder);
        var before = Snapshot();

        // When a command that writes is pointed at it
        var result = await Confined(confinement, [.. args.Select(a => a == "SUITE" ? database.Suite : a)]);

        // Then exit 2 and one line: the file, that it cannot be written, and why (its folder)
        result.ExitCode.ShouldBe(2, $"stdout: {result.Output}\nstderr: {result.Error}");
        result.Error.Trim().ShouldStartWith($"error: {Db}: cannot write to the database: its folder {Folder} is not writable (");
        result.Error.Trim().ShouldNotContain('\n');
        Snapshot().ShouldBe(before);
    }

    [Theory]
    [InlineData(Confinement.ReadOnlyMount)]
    [InlineData(Confinement.NoWritePermission)]
    public async Task A_run_still_in_the_wal_is_read_from_a_folder_that_cannot_be_written(Confinement confinement)
    {
        // Given a database whose fourth run is only in its -wal (a writer still had it open, or was
        // killed, when the files were copied), with the -shm beside it, in a folder the CLI cannot write
        SkipUnless(confinement);
        CopyDatabase();
        await AddRunKeptInTheWalAsync(Db);
        using var undo = ConfinedCli.Prepare(confinement, Folder);
        var before = Snapshot();

        // When the runs are listed
        var result = await Confined(confinement, "runs", "--json");

        // Then all four are there, and nothing in the folder changed
        result.ExitCode.ShouldBe(0, result.Error);
        JsonDocument.Parse(result.Output).RootElement.GetArrayLength().ShouldBe(4);
        Snapshot().ShouldBe(before);
    }

    [Theory]
    [InlineData(Confinement.ReadOnlyMount)]
    [InlineData(Confinement.NoWritePermission)]
    public async Task A_wal_with_changes_but_no_shm_in_a_folder_that_cannot_be_written_is_exit_2_naming_it(Confinement confinement)
    {
        // Given a database whose fourth run is only in its -wal, copied without its -shm, in a folder the CLI cannot write
        SkipUnless(confinement);
        CopyDatabase();
        await AddRunKeptInTheWalAsync(Db);
        File.Delete(Db + "-shm");
        using var undo = ConfinedCli.Prepare(confinement, Folder);

        // When the runs are listed
        var result = await Confined(confinement, "runs");

        // Then it is not silently read without that run: exit 2, one line naming the file and its -wal
        result.ExitCode.ShouldBe(2, $"stdout: {result.Output}\nstderr: {result.Error}");
        result.Error.Trim().ShouldStartWith($"error: {Db}: dw.db-wal beside it holds changes not yet in the database");
        result.Error.Trim().ShouldNotContain('\n');
    }

    /// <summary>
    /// Adds a run while another connection holds the file open, and copies the three files
    /// before that connection closes: the copy's -wal holds the run, its main file does not.
    /// </summary>
    private static async Task AddRunKeptInTheWalAsync(string db)
    {
        var staging = Path.Combine(Path.GetDirectoryName(db)!, "..", "staging");
        Directory.CreateDirectory(staging);
        var working = Path.Combine(staging, "dw.db");
        File.Copy(db, working);
        using (var holder = new SqliteConnection($"Data Source={working};Pooling=False"))
        {
            holder.Open();
            using (var read = holder.CreateCommand())
            {
                // SQLite opens the WAL on the first read: from here on the file is held open.
                read.CommandText = "SELECT count(*) FROM runs;";
                read.ExecuteScalar();
            }
            using (var store = SqliteResultStore.Open(working, _ => false))
            {
                var plan = (await store.GetPlanAsync(1)) with { Seed = 99 };
                await store.CreateRunAsync(plan, new RunFingerprint(), DateTimeOffset.UnixEpoch.AddYears(57), new RunOwner("elsewhere", 1, DateTimeOffset.UnixEpoch));
            }
            File.Exists(working + "-wal").ShouldBeTrue();
            new FileInfo(working + "-wal").Length.ShouldBeGreaterThan(0);
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Copy(working + suffix, db + suffix, overwrite: true);
        }
        SqliteConnection.ClearAllPools();
    }
}
