using System.Text.Json;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// A full disk under the database, and a TMPDIR that cannot hold trial folders (read-only, not
/// writable by the user, full, not a folder), are bad input: exit 2 and one line naming the file
/// or TMPDIR, before a run is stored, instead of a crash (exit 1) or a run of infrastructure
/// errors that ends incomplete with exit 0.
/// </summary>
[Collection(RunDatabaseCollection.Name)]
public sealed class FullDiskAndTempFolderTests(RunDatabase database) : IDisposable
{
    private readonly TempDirectory _temp = new("cli-disk");

    public void Dispose() => _temp.Dispose();

    private string Folder => _temp.Combine("data");

    private static void SkipUnless(Confinement confinement) =>
        Assert.SkipWhen(ConfinedCli.Unavailable(confinement) is not null, $"{confinement}: {ConfinedCli.Unavailable(confinement)}");

    private static void ShouldBeOneLine(CliResult result, string start)
    {
        result.ExitCode.ShouldBe(2, $"stdout: {result.Output}\nstderr: {result.Error}");
        result.Error.Trim().ShouldStartWith(start);
        result.Error.Trim().ShouldNotContain('\n');
    }

    [Fact]
    public async Task A_run_on_a_database_whose_disk_is_full_is_exit_2_naming_the_file_and_the_full_disk()
    {
        // Given a database of three runs on a disk with no room left
        SkipUnless(Confinement.FullDisk);
        Directory.CreateDirectory(Folder);
        File.Copy(database.Path, Path.Combine(Folder, "dw.db"));
        DatabaseCopies.CopyArtifacts(database.Path, Path.Combine(Folder, "dw.db"));

        // When a run is started on it
        var db = Path.Combine(Folder, "dw.db");
        var result = await ConfinedCli.RunAsync(Confinement.FullDisk, Folder, _temp.Path, "run", "--suite", database.Suite, "--sandbox", "none", "--db", db);

        // Then one line names the file and says the disk is full
        ShouldBeOneLine(result, $"error: {db}: cannot write to the database: the disk is full (");
    }

    [Fact]
    public async Task A_new_database_on_a_full_disk_is_exit_2_naming_the_file_and_the_full_disk()
    {
        // Given a disk with no room left
        SkipUnless(Confinement.FullDisk);
        Directory.CreateDirectory(Folder);

        // When a run would make its database there
        var db = Path.Combine(Folder, "new.db");
        var result = await ConfinedCli.RunAsync(Confinement.FullDisk, Folder, _temp.Path, "run", "--suite", database.Suite, "--sandbox", "none", "--db", db);

        // Then one line names the file and says the disk is full
        ShouldBeOneLine(result, $"error: {db}: cannot write to the database: the disk is full (");
    }

    [Fact]
    public async Task Commands_that_only_read_work_on_a_database_whose_disk_is_full()
    {
        // Given a database of three runs on a disk with no room left
        SkipUnless(Confinement.FullDisk);
        Directory.CreateDirectory(Folder);
        File.Copy(database.Path, Path.Combine(Folder, "dw.db"));
        DatabaseCopies.CopyArtifacts(database.Path, Path.Combine(Folder, "dw.db"));

        // When its runs are listed
        var result = await ConfinedCli.RunAsync(Confinement.FullDisk, Folder, _temp.Path, "runs", "--json", "--db", Path.Combine(Folder, "dw.db"));

        // Then they are there
        result.ExitCode.ShouldBe(0, result.Error);
        JsonDocument.Parse(result.Output).RootElement.GetArrayLength().ShouldBe(3);
    }

    [Theory]
    [InlineData(Confinement.ReadOnlyMount, "run")]
    [InlineData(Confinement.NoWritePermission, "run")]
    [InlineData(Confinement.FullDisk, "run")]
    [InlineData(Confinement.ReadOnlyMount, "suite validate")]
    [InlineData(Confinement.FullDisk, "schedule --once")]
    [InlineData(Confinement.ReadOnlyMount, "demo")]
    public async Task A_TMPDIR_that_cannot_hold_trial_folders_is_exit_2_naming_it_before_anything_is_stored(Confinement confinement, string command)
    {
        // Given TMPDIR pointing at a folder the CLI cannot write (or on a full disk), and a database elsewhere
        SkipUnless(confinement);
        Directory.CreateDirectory(Folder);
        var store = _temp.Combine("store");
        var db = Path.Combine(store, "dw.db");
        _temp.Write("driftwatch.yaml", $"""
            schedule:
              entries:
                - agent: simulated
                  suite: {database.Suite}
                  cron: "0 6 * * *"
            """);
        using var undo = ConfinedCli.Prepare(confinement, Folder, store);
        string[] args = command switch
        {
            "run" => ["run", "--suite", database.Suite, "--sandbox", "none", "--db", db],
            "suite validate" => ["suite", "validate", database.Suite, "--sandbox", "none"],
            "schedule --once" => ["schedule", "--once", "--sandbox", "none", "--db", db],
            _ => ["demo", "--no-serve", "--days", "10", "--sandbox", "none"],
        };

        // When the command starts
        var result = await ConfinedCli.RunAsync(confinement, Folder, _temp.Path, new Dictionary<string, string> { ["TMPDIR"] = Folder }, args);

        // Then one line names TMPDIR and the folder, and no run was stored
        ShouldBeOneLine(result, $"error: TMPDIR: trial folders cannot be made under {Path.Combine(Folder, "driftwatch")} (");
        File.Exists(db).ShouldBeFalse();
    }

    [Fact]
    public async Task A_TMPDIR_that_is_a_file_is_exit_2_naming_it()
    {
        // Given TMPDIR naming a file, not a folder
        var file = _temp.Write("not-a-folder", "x");
        var db = _temp.Combine("dw.db");

        // When a run starts
        using var process = CliProcess.Start(_temp.Path, [], new Dictionary<string, string?> { ["TMPDIR"] = file },
            "run", "--suite", database.Suite, "--sandbox", "none", "--db", db);
        var (exitCode, output, error) = await process.WaitAsync(TimeSpan.FromMinutes(5));

        // Then one line names TMPDIR, and no run was stored
        ShouldBeOneLine(new CliResult(exitCode, output, error), $"error: TMPDIR: trial folders cannot be made under {Path.Combine(file, "driftwatch")} (");
        File.Exists(db).ShouldBeFalse();
    }
}
