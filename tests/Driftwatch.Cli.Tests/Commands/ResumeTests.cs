using System.Text.Json;
using Driftwatch.Core.Runs;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// A run survives its process being killed: SIGKILL mid-run, then `run --resume` ends with exactly
/// the trials the run would have had, none lost and none duplicated.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private const int Tasks = 4;
    private const int TrialsPerTask = 10;
    private readonly TempDirectory _temp = new("cli-resume");
    private readonly string _suite;

    public ResumeTests()
    {
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < Tasks; i++)
            builder.AddAdder($"add-{i}");
        _suite = builder.Build();
        // A simulated agent that takes its time, so the run is still going when it is killed.
        _temp.Write("driftwatch.yaml", "agents:\n  slowpoke:\n    kind: simulated\n    delay_ms: 150\n    seed: 4\n");
    }

    public void Dispose() => _temp.Dispose();

    private string Db => _temp.Combine("dw.db");

    private CliProcess StartRun() => CliProcess.Start(_temp.Path,
        "run", "--agent", "slowpoke", "--suite", _suite, "--trials", TrialsPerTask.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--parallel", "2", "--seed", "9", "--db", Db, "--sandbox", "none");

    private async Task<IReadOnlyList<Trial>> WaitForRecordedTrials(CliProcess process, int atLeast)
    {
        using var store = SqliteResultStore.Open(Db);
        for (var i = 0; i < 600; i++)
        {
            if (File.Exists(Db))
            {
                var runs = await store.ListRunsAsync(new RunQuery());
                if (runs.Count == 1)
                {
                    var trials = await store.GetTrialsAsync(runs[0].Id);
                    if (trials.Count >= atLeast)
                        return trials;
                }
            }
            process.HasExited.ShouldBeFalse("the run finished before it could be interrupted");
            await Task.Delay(50);
        }
        throw new TimeoutException($"fewer than {atLeast} trials recorded after 30 s");
    }

    [Fact]
    public async Task A_run_killed_with_SIGKILL_resumes_with_no_trial_lost_or_duplicated()
    {
        // Given a run killed outright after a few trials were committed
        using var process = StartRun();
        await WaitForRecordedTrials(process, atLeast: 6);
        process.KillHard();
        await process.WaitAsync(TimeSpan.FromSeconds(30));

        var cli = new CliHarness(_temp.Path);
        using var before = JsonDocument.Parse((await cli.RunAsync("show", "1", "--db", Db, "--json")).Output);
        before.RootElement.GetProperty("status").GetString().ShouldBe("incomplete");
        var survivors = before.RootElement.GetProperty("trials").EnumerateArray()
            .Select(t => (Task: t.GetProperty("task").GetString(), Trial: t.GetProperty("trial").GetInt32(), Outcome: t.GetProperty("outcome").GetString(), Started: t.GetProperty("startedAt").GetString()))
            .ToList();
        survivors.Count.ShouldBeInRange(6, Tasks * TrialsPerTask - 1);

        // When it is resumed (no run id: the latest incomplete one)
        var resumed = await cli.RunAsync("run", "--resume", "--db", Db, "--sandbox", "none", "--json");

        // Then the run is complete with each planned trial exactly once, the survivors untouched
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        using var after = JsonDocument.Parse(resumed.Output);
        after.RootElement.GetProperty("id").GetInt64().ShouldBe(1);
        after.RootElement.GetProperty("status").GetString().ShouldBe("complete");
        after.RootElement.GetProperty("agent").GetString().ShouldBe("slowpoke");
        var trials = after.RootElement.GetProperty("trials").EnumerateArray()
            .Select(t => (Task: t.GetProperty("task").GetString(), Trial: t.GetProperty("trial").GetInt32(), Outcome: t.GetProperty("outcome").GetString(), Started: t.GetProperty("startedAt").GetString()))
            .ToList();
        trials.Count.ShouldBe(Tasks * TrialsPerTask);
        trials.Select(t => (t.Task, t.Trial)).Distinct().Count().ShouldBe(Tasks * TrialsPerTask);
        foreach (var survivor in survivors)
            trials.ShouldContain(survivor);
        (await cli.RunAsync("runs", "--db", Db, "--json")).Output.ShouldContain("\"status\": \"complete\"");
    }

    [Fact]
    public async Task Ctrl_C_stops_a_run_cleanly_and_leaves_it_resumable()
    {
        // Given a run interrupted by SIGINT
        using var process = StartRun();
        await WaitForRecordedTrials(process, atLeast: 4);
        process.Signal(2);
        var (exitCode, output, _) = await process.WaitAsync(TimeSpan.FromSeconds(60));

        // Then it exits 130 saying how to resume, and resuming completes it
        exitCode.ShouldBe(130);
        output.ShouldContain("driftwatch run --resume 1");
        var resumed = await new CliHarness(_temp.Path).RunAsync("run", "--resume", "1", "--db", Db, "--sandbox", "none", "--json");
        resumed.ExitCode.ShouldBe(0, resumed.Error);
        using var json = JsonDocument.Parse(resumed.Output);
        json.RootElement.GetProperty("status").GetString().ShouldBe("complete");
        json.RootElement.GetProperty("trials").GetArrayLength().ShouldBe(Tasks * TrialsPerTask);
    }

    [Fact]
    public async Task A_run_still_running_in_another_process_cannot_be_resumed()
    {
        using var process = StartRun();
        await WaitForRecordedTrials(process, atLeast: 1);

        var result = await new CliHarness(_temp.Path).RunAsync("run", "--resume", "1", "--db", Db, "--sandbox", "none");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("run 1 is still running in another process");
        process.KillHard();
    }
}
