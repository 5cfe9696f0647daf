using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// A database damaged on disk is bad input named by its file, for every command: exit 2 and one
/// line, never a write into it, never a crash of a reader.
/// </summary>
[Collection(RunDatabaseCollection.Name)]
public sealed class DamagedDatabaseTests(RunDatabase database) : IDisposable
{
    private const int PageSize = 4096;
    private readonly TempDirectory _temp = new("cli-damaged");

    public void Dispose() => _temp.Dispose();

    private string Db => _temp.Combine("dw.db");

    private string Suite => database.Suite;

    private CliHarness Cli => new(_temp.Path);

    /// <summary>A copy of the real database, for this test to damage.</summary>
    private Task RealDatabaseAsync()
    {
        File.Copy(database.Path, Db);
        DatabaseCopies.CopyArtifacts(database.Path, Db);
        return Task.CompletedTask;
    }

    private string[] Command(string[] args) =>
        [.. args.Select(a => a switch { "SUITE" => Suite, "OUT" => _temp.Combine("report"), _ => a }), "--db", Db];

    [Theory]
    [InlineData("runs")]
    [InlineData("show", "2")]
    [InlineData("show", "2", "--task", "add-a")]
    [InlineData("check")]
    [InlineData("compare", "1", "2")]
    [InlineData("export")]
    [InlineData("report", "--out", "OUT")]
    [InlineData("fingerprint", "show", "2")]
    [InlineData("fingerprint", "diff", "1", "2")]
    [InlineData("serve", "--urls", "http://127.0.0.1:1")]
    [InlineData("run", "--suite", "SUITE", "--sandbox", "none")]
    [InlineData("demo", "--no-serve", "--days", "10", "--sandbox", "none")]
    public async Task A_page_overwritten_in_the_middle_of_the_file_is_refused_by_every_command_and_left_untouched(params string[] args)
    {
        // Given a real database with garbage over the header of the page in the middle of the file
        await RealDatabaseAsync();
        var bytes = await File.ReadAllBytesAsync(Db);
        var middle = bytes.Length / PageSize / 2;
        middle.ShouldBeGreaterThan(2);
        Array.Fill(bytes, (byte)0xA5, middle * PageSize, 16);
        await File.WriteAllBytesAsync(Db, bytes);

        // When a command opens it
        var result = await Cli.RunAsync(TestContext.Current.CancellationToken, Command(args));

        // Then exit 2 and one line naming the file as corrupt
        result.ExitCode.ShouldBe(2, $"stdout: {result.Output}\nstderr: {result.Error}");
        result.Error.Trim().ShouldStartWith($"error: {Db}: the database is corrupt");
        result.Error.Trim().ShouldNotContain('\n');
        // And the file is byte-for-byte as it was, with no -wal or -shm made beside it
        (await File.ReadAllBytesAsync(Db)).ShouldBe(bytes);
        File.Exists(Db + "-wal").ShouldBeFalse();
        File.Exists(Db + "-shm").ShouldBeFalse();
    }

    [Theory]
    [InlineData("runs")]
    [InlineData("check")]
    [InlineData("export")]
    [InlineData("report", "--out", "OUT")]
    [InlineData("show", "1")]
    [InlineData("run", "--suite", "SUITE", "--sandbox", "none")]
    public async Task A_value_damaged_inside_a_record_is_exit_2_naming_the_file_not_a_crash(params string[] args)
    {
        // Given a real database where one byte inside each run's stored fingerprint was
        // overwritten: every page is sound, only the values no longer read
        await RealDatabaseAsync();
        var bytes = await File.ReadAllBytesAsync(Db);
        var damaged = 0;
        for (var at = bytes.AsSpan().IndexOf("\"agentVersion\":"u8); at >= 0; at = bytes.AsSpan().IndexOf("\"agentVersion\":"u8))
        {
            bytes[at + "\"agentVersion\"".Length] = (byte)'#';
            damaged++;
        }
        damaged.ShouldBe(3);
        await File.WriteAllBytesAsync(Db, bytes);

        // When a command reads the runs
        var result = await Cli.RunAsync(Command(args));

        // Then exit 2 and one line naming the file and the value, not exit 1 with a stack of JSON
        // trouble; and a writer wrote nothing (every reader after it would have paid for it)
        result.ExitCode.ShouldBe(2, $"stdout: {result.Output}\nstderr: {result.Error}");
        result.Error.Trim().ShouldStartWith($"error: {Db}: the database is corrupt: a stored value cannot be read (");
        result.Error.Trim().ShouldNotContain('\n');
        SqliteConnection.ClearAllPools();
        (await File.ReadAllBytesAsync(Db)).ShouldBe(bytes);
    }
}

/// <summary>
/// A real database made by `run` once for the test classes of <see cref="RunDatabaseCollection"/>:
/// three runs of three tasks, three trials each, closed (no -wal, no -shm). Tests copy it, never change it.
/// </summary>
public sealed class RunDatabase : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("cli-run-database");

    public string Path => _temp.Combine("dw.db");

    public string Suite { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").AddAdder("add-b", "debugging").AddAdder("add-c", "completion").Build();
        var cli = new CliHarness(_temp.Path);
        for (var seed = 1; seed <= 3; seed++)
        {
            var run = await cli.RunAsync("run", "--suite", Suite, "--trials", "3", "--seed", $"{seed}", "--db", Path, "--sandbox", "none", "--json");
            run.ExitCode.ShouldBe(0, run.Error);
        }
        SqliteConnection.ClearAllPools();
        File.Exists(Path + "-wal").ShouldBeFalse();
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The test classes that start from <see cref="RunDatabase"/>: it is made once for all of them
/// (three real runs; each class made its own before), and they run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RunDatabaseCollection : ICollectionFixture<RunDatabase>
{
    public const string Name = "run database";
}
