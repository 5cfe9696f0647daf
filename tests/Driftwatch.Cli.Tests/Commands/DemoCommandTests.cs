using Driftwatch.Core.Runs;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

public sealed class DemoCommandTests(DemoRun demo) : IClassFixture<DemoRun>
{
    [Fact]
    public async Task The_demo_builds_a_daily_history_on_the_built_in_suite_with_a_drop_in_it()
    {
        // When the demo runs for 12 days into a database of the test's own (the class's one demo run)
        var result = demo.Result;
        var db = demo.Database;

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
    public void Without_a_terminal_the_demo_ends_instead_of_serving()
    {
        // Given no terminal (a script or CI runs the quick start), When the demo runs without --no-serve
        // (the class's one demo run: the limit only ends a demo that would serve forever; a busy machine may take minutes)
        var result = demo.Result;

        // Then it ends by itself and says how to open the dashboard
        demo.StoppedByTheLimit.ShouldBeFalse("the demo waited to be stopped");
        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("driftwatch serve --db");
    }
}

/// <summary>
/// The demo run once for its test class, as a script or CI runs the quick start: no terminal and
/// no --no-serve, 12 days with a drop of 0.3, into a database of its own. A demo works the whole
/// built-in suite (its C# tasks build their hidden tests) and takes minutes on a busy machine;
/// each test reads what this one run printed and stored.
/// </summary>
public sealed class DemoRun : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("cli-demo");

    public string Database => _temp.Combine("demo.db");

    public CliResult Result { get; private set; } = new(-1, "", "the demo has not run");

    /// <summary>True when the demo did not end by itself and the limit stopped it.</summary>
    public bool StoppedByTheLimit { get; private set; }

    public async ValueTask InitializeAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        Result = await new CliHarness(_temp.Path).RunAsync(limit.Token, "demo", "--days", "12", "--drop", "0.3", "--db", Database);
        StoppedByTheLimit = limit.IsCancellationRequested;
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
