using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>`db gc`: what the retention policy and unreferenced blobs cost, removed and said; bad configuration and arguments are exit 2.</summary>
public sealed class DbGcCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-db-gc");
    private readonly CliHarness _cli;
    private readonly string _suite;

    public DbGcCommandTests()
    {
        _cli = new CliHarness(_temp.Path);
        _suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").AddAdder("add-b", "debugging").Build();
    }

    public void Dispose() => _temp.Dispose();

    private string Db => _temp.Combine("history.db");

    private async Task TwoRunsAsync()
    {
        foreach (var seed in new[] { "1", "2" })
        {
            var run = await _cli.RunAsync("run", "--suite", _suite, "--trials", "1", "--seed", seed, "--db", Db, "--sandbox", "none");
            run.ExitCode.ShouldBe(0, run.Error);
        }
    }

    [Fact]
    public async Task Without_retention_it_says_no_policy_is_set_and_removes_only_unreferenced_blobs()
    {
        // Given two runs and a blob file no artifact names
        await TwoRunsAsync();
        var orphan = _temp.Write(Path.Combine("history.db.artifacts", "ff", new string('f', 64) + ".br"), "orphan");

        // When db gc runs without a configuration
        var gc = await _cli.RunAsync("db", "gc", "--db", Db);

        // Then it says so, removes the orphan and reports the bytes
        gc.ExitCode.ShouldBe(0, gc.Error);
        gc.Output.ShouldContain("no retention policy is set");
        gc.Output.ShouldContain("removed 1 unreferenced blob(s) and 0 leftover temporary file(s)");
        gc.Output.ShouldContain("freed 6 bytes");
        File.Exists(orphan).ShouldBeFalse();
    }

    [Fact]
    public async Task With_retention_a_dry_run_removes_nothing_and_the_real_run_removes_what_it_announced()
    {
        // Given two runs and a configuration that keeps the last run's artifacts
        await TwoRunsAsync();
        var config = _temp.Write("driftwatch.yaml", "retention:\n  artifacts_runs: 1\n");
        var files = Directory.GetFiles(Db + ".artifacts", "*.br", SearchOption.AllDirectories).Length;

        // When db gc runs dry, then for real
        var dry = await _cli.RunAsync("db", "gc", "--db", Db, "--config", config, "--dry-run");
        var gc = await _cli.RunAsync("db", "gc", "--db", Db, "--config", config);

        // Then the dry run says what would go and nothing went; the real one says the same in the past tense
        dry.ExitCode.ShouldBe(0, dry.Error);
        dry.Output.ShouldContain("(dry run: nothing removed)");
        dry.Output.ShouldContain("retention: artifacts of the last 1 runs of each agent × suite");
        var announced = System.Text.RegularExpressions.Regex.Match(dry.Output, @"would remove (\d+) artifact\(s\)");
        announced.Success.ShouldBeTrue(dry.Output);
        gc.ExitCode.ShouldBe(0, gc.Error);
        gc.Output.ShouldContain($"removed {announced.Groups[1].Value} artifact(s)");
        gc.Output.ShouldMatch(@"freed [\d,]+ bytes");
        Directory.GetFiles(Db + ".artifacts", "*.br", SearchOption.AllDirectories).Length.ShouldBeLessThanOrEqualTo(files);

        // And every trial of the first run still shows, its artifacts as text or as removed by retention
        var show = await _cli.RunAsync("show", "1", "--task", "add-a", "--db", Db);
        show.ExitCode.ShouldBe(0, show.Error);
    }

    [Theory]
    [InlineData("retention:\n  artifacts_days: 0\n", "retention.artifacts_days")]
    [InlineData("retention:\n  artifacts_runs: many\n", "retention.artifacts_runs")]
    public async Task A_bad_retention_value_is_exit_2_naming_the_file_and_field(string yaml, string field)
    {
        // Given a database and a configuration with a bad retention value
        await TwoRunsAsync();
        var config = _temp.Write("bad.yaml", yaml);

        // When db gc runs
        var gc = await _cli.RunAsync("db", "gc", "--db", Db, "--config", config);

        // Then it is bad input naming the file and field, and nothing was removed
        gc.ExitCode.ShouldBe(2);
        gc.Error.ShouldContain(config);
        gc.Error.ShouldContain(field);
    }

    [Fact]
    public async Task A_missing_database_or_an_unknown_option_is_exit_2()
    {
        var missing = await _cli.RunAsync("db", "gc", "--db", _temp.Combine("nope.db"));
        missing.ExitCode.ShouldBe(2);
        missing.Error.ShouldContain("no database there");
        File.Exists(_temp.Combine("nope.db")).ShouldBeFalse();

        var unknown = await _cli.RunAsync("db", "gc", "--db", Db, "--older-than", "3");
        unknown.ExitCode.ShouldBe(2);
    }
}
