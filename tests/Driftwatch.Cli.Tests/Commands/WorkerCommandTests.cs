using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>`worker` and `workers:` set up wrongly: bad input naming what to fix, and nothing run or written.</summary>
public sealed class WorkerCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-worker");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_worker_without_a_workers_section_is_bad_input()
    {
        _temp.Write("driftwatch.yaml", "agents:\n  a:\n    kind: simulated\n");
        var result = await new CliHarness(_temp.Path).RunAsync("worker");
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("driftwatch.yaml");
        result.Error.ShouldContain("no workers: section");
    }

    [Fact]
    public async Task Workers_on_a_sqlite_store_are_bad_input_and_no_run_is_made()
    {
        // Workers on other machines cannot share a SQLite file: workers: needs storage.kind postgres.
        _temp.Write("driftwatch.yaml", "workers:\n  queue: trials\n");
        var suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").Build();
        var result = await new CliHarness(_temp.Path).RunAsync("run", "--suite", suite, "--sandbox", "none");
        result.ExitCode.ShouldBe(2, result.Error);
        result.Error.ShouldContain("workers: needs storage.kind postgres");
        var runs = await new CliHarness(_temp.Path).RunAsync("runs", "--json");
        runs.Output.Trim().ShouldBe("[]");
    }

    [Theory]
    [InlineData("--parallel", "0", "--parallel: must be at least 1")]
    [InlineData("--queues", "Trials", "--queues: 'Trials' is not a queue name")]
    public async Task Bad_flags_are_bad_input(string flag, string value, string message)
    {
        var result = await new CliHarness(_temp.Path).RunAsync("worker", flag, value);
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain(message);
    }
}
