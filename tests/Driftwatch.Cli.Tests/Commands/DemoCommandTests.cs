using Driftwatch.Core.Runs;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

public sealed class DemoCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-demo");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_demo_builds_a_daily_history_on_the_built_in_suite_with_a_drop_in_it()
    {
        // When the demo runs for 12 days into a database of the test's own
        var db = _temp.Combine("demo.db");
        var result = await new CliHarness(_temp.Path).RunAsync("demo", "--days", "12", "--drop", "0.3", "--db", db, "--no-serve");

        // Then there is one synthetic run of the whole built-in suite per day, on consecutive days
        result.ExitCode.ShouldBe(0, result.Error);
        using var store = SqliteResultStore.Open(db);
        var runs = await store.ListRunsAsync(new RunQuery());
        runs.Count.ShouldBe(12);
        runs.ShouldAllBe(r => r.Synthetic && r.Suite == "core" && r.Status == RunStatus.Complete && r.Summary.Total >= 36);
        runs.Select(r => DateOnly.FromDateTime(r.StartedAt.UtcDateTime)).Distinct().Count().ShouldBe(12);
        (runs[^1].StartedAt - runs[0].StartedAt).TotalDays.ShouldBe(11, 0.01);

        // And the history shows, with the drop: day 8 of 12 (60% of the way in) is where it starts, and it is visible
        result.Output.ShouldContain("← simulated drop starts");
        result.Output.ShouldContain("days 1–7:");
        result.Output.ShouldContain("days 8–12:");
        var before = runs.Take(7).Sum(r => r.Summary.Pass) / (double)runs.Take(7).Sum(r => r.Summary.Scored);
        var after = runs.Skip(7).Sum(r => r.Summary.Pass) / (double)runs.Skip(7).Sum(r => r.Summary.Scored);
        (before - after).ShouldBeGreaterThan(0.15);
        result.Output.ShouldContain($"Database: {db}");
    }

    [Fact]
    public async Task Without_a_terminal_the_demo_ends_instead_of_serving()
    {
        // Given no terminal (a script or CI runs the quick start), When the demo runs without --no-serve
        // (the limit only ends a demo that would serve forever; a busy machine may take minutes)
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var result = await new CliHarness(_temp.Path).RunAsync(limit.Token, "demo", "--days", "10", "--db", _temp.Combine("demo.db"));

        // Then it ends by itself and says how to open the dashboard
        limit.IsCancellationRequested.ShouldBeFalse("the demo waited to be stopped");
        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("driftwatch serve --db");
    }
}
