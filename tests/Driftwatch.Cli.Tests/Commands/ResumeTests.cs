using System.Text.Json;
using System.Text.Json.Nodes;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Running;
using Driftwatch.Formats.Suites;
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
    private static readonly DateTimeOffset Yesterday = DateTimeOffset.UtcNow.AddDays(-1);

    /// <summary>
    /// The process that wrote a run and then died: this test process's id with another start time
    /// reads as a process that is gone (its id since reused), deterministically.
    /// </summary>
    private static readonly RunOwner GoneProcess = new(Environment.MachineName, Environment.ProcessId, DateTimeOffset.UnixEpoch);

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

    /// <summary>
    /// Whether this process ignores SIGINT: a background job of a non-interactive shell (`cmd &amp;` in a
    /// script) starts so, and its children inherit it — a Ctrl-C could not reach the run at all.
    /// </summary>
    private static bool SigintIgnored() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
        && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0;

    [Fact]
    public async Task Ctrl_C_stops_a_run_cleanly_and_leaves_it_resumable()
    {
        SigintIgnored().ShouldBeFalse("the tests were started with SIGINT ignored (as a background job of a non-interactive shell, `cmd &` in a script); the run inherits that and no Ctrl-C can reach it: start them in the foreground or from a shell with job control (set -m)");

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

    [Fact]
    public async Task A_run_whose_process_died_after_storing_its_last_trial_is_closed_by_resume()
    {
        // Given a run whose every trial was stored, with the models and harness requests its agent
        // reported, by a process that died before closing it
        var runId = await WriteRunOfAGoneProcessAsync(Yesterday, storedTrials: Tasks * 2);
        var cli = new CliHarness(_temp.Path);
        using var before = JsonDocument.Parse((await cli.RunAsync("show", "1", "--db", Db, "--json")).Output);
        before.RootElement.GetProperty("status").GetString().ShouldBe("incomplete");
        before.RootElement.GetProperty("finishedAt").ValueKind.ShouldBe(JsonValueKind.Null);
        before.RootElement.GetProperty("summary").GetProperty("pending").GetInt32().ShouldBe(0);
        var trialsBefore = before.RootElement.GetProperty("trials").GetRawText();

        // When it is resumed by id
        var resumed = await cli.RunAsync("run", "--resume", "1", "--db", Db, "--sandbox", "none");

        // Then it is closed, saying that closing was all it needed, and complete with its trials untouched
        resumed.ExitCode.ShouldBe(0, resumed.Output + resumed.Error);
        resumed.Output.ShouldContain("closing run 1: every trial was already stored; only its closing was missed");
        using var after = JsonDocument.Parse((await cli.RunAsync("show", "1", "--db", Db, "--json")).Output);
        after.RootElement.GetProperty("status").GetString().ShouldBe("complete");
        after.RootElement.GetProperty("finishedAt").GetString().ShouldNotBeNullOrEmpty();
        after.RootElement.GetProperty("trials").GetRawText().ShouldBe(trialsBefore);
        (await cli.RunAsync("runs", "--db", Db, "--json")).Output.ShouldContain("\"status\": \"complete\"");

        // And its fingerprint is completed as a normal close completes it: the models and the harness summary of its stored trials
        using var store = SqliteResultStore.Open(Db);
        var fingerprint = (await store.GetRunAsync(runId))!.Fingerprint;
        fingerprint.Models.ShouldBe(["model-a", "model-b"]);
        var requests = (await store.GetHarnessRequestsAsync(runId)).Select(r => r.Request).ToList();
        requests.Count.ShouldBe(Tasks * 2);
        JsonSerializer.Serialize(fingerprint.Harness).ShouldBe(JsonSerializer.Serialize(HarnessSummary.Of(requests)));
    }

    [Fact]
    public async Task Resume_without_a_run_id_closes_the_newest_unclosed_run_and_then_finishes_the_older_interrupted_one()
    {
        // Given an older run interrupted with trials left, and a newer one whose process died just before closing it
        var older = await WriteRunOfAGoneProcessAsync(Yesterday, storedTrials: 3);
        var newer = await WriteRunOfAGoneProcessAsync(Yesterday.AddHours(1), storedTrials: Tasks * 2);
        var cli = new CliHarness(_temp.Path);

        // When `run --resume` is given no run id, three times
        var first = await cli.RunAsync("run", "--resume", "--db", Db, "--sandbox", "none", "--json");
        var second = await cli.RunAsync("run", "--resume", "--db", Db, "--sandbox", "none", "--json");
        var third = await cli.RunAsync("run", "--resume", "--db", Db, "--sandbox", "none");

        // Then the first closes the newer run, the second finishes the older one, and the third finds nothing left
        first.ExitCode.ShouldBe(0, first.Error);
        using (var json = JsonDocument.Parse(first.Output))
        {
            json.RootElement.GetProperty("id").GetInt64().ShouldBe(newer);
            json.RootElement.GetProperty("status").GetString().ShouldBe("complete");
        }
        second.ExitCode.ShouldBe(0, second.Error);
        using (var json = JsonDocument.Parse(second.Output))
        {
            json.RootElement.GetProperty("id").GetInt64().ShouldBe(older);
            json.RootElement.GetProperty("status").GetString().ShouldBe("complete");
            json.RootElement.GetProperty("trials").GetArrayLength().ShouldBe(Tasks * 2);
        }
        third.ExitCode.ShouldBe(2);
        third.Error.ShouldContain("no incomplete run to resume");
    }

    [Fact]
    public async Task A_run_that_is_really_complete_has_nothing_to_resume()
    {
        // Given a run with every trial stored and closed as complete
        var runId = await WriteRunOfAGoneProcessAsync(Yesterday, storedTrials: Tasks * 2);
        using (var store = SqliteResultStore.Open(Db))
            await store.FinishRunAsync(runId, RunStatus.Complete, Yesterday.AddMinutes(5));

        // When it is resumed
        var result = await new CliHarness(_temp.Path).RunAsync("run", "--resume", "1", "--db", Db, "--sandbox", "none");

        // Then there is nothing to resume (bad input)
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("run 1 is complete: nothing to resume");
    }

    /// <summary>
    /// A run of a quick simulated agent on the suite (every task twice) as a `run` process writes it —
    /// planned, then each trial stored with the models and harness request its agent reported — by a
    /// process that died after storing <paramref name="storedTrials"/> of them, before closing the run.
    /// </summary>
    private async Task<long> WriteRunOfAGoneProcessAsync(DateTimeOffset startedAt, int storedTrials)
    {
        var suite = SuiteLoader.Load(_suite);
        var agent = new AgentDefinition("quick", "simulated", new JsonObject { ["seed"] = "4" }, "test");
        var plan = new RunPlan
        {
            AgentName = agent.Name,
            AgentKind = agent.Kind,
            AgentConfigJson = agent.ToJson(),
            Synthetic = true,
            SuiteName = suite.Name,
            SuitePath = suite.Directory,
            SuiteRevision = suite.Revision,
            TrialsPerTask = 2,
            Seed = 9,
            SandboxMode = "none",
            Trials = RunPlanner.Plan(suite.Tasks, 2, 9),
        };
        using var store = SqliteResultStore.Open(Db);
        var runId = await store.CreateRunAsync(plan, new RunFingerprint { AgentVersion = "simulated", SuiteRevision = suite.Revision, Sandbox = "none" }, startedAt, GoneProcess);
        var system = HarnessText.Of(HarnessTextKind.SystemPrompt, "You are a careful agent.");
        foreach (var planned in plan.Trials.Take(storedTrials))
        {
            var model = planned.Sequence % 2 == 0 ? "model-a" : "model-b";
            var at = startedAt.AddSeconds(planned.Sequence);
            var outcome = planned.Sequence % 3 == 0 ? TrialOutcome.Fail : TrialOutcome.Pass;
            var request = new HarnessRequest { Sequence = 0, Api = "anthropic-messages", Method = "POST", Path = "/v1/messages", Model = model, SystemHash = system.Hash, ToolNames = ["Edit"], Status = 200, StartedAt = at };
            await store.RecordTrialAsync(new Trial
            {
                RunId = runId,
                TaskId = planned.TaskId,
                TrialIndex = planned.TrialIndex,
                Sequence = planned.Sequence,
                Category = planned.Category,
                Language = planned.Language,
                Outcome = outcome,
                TestsPassed = outcome == TrialOutcome.Pass ? 1 : 0,
                TestsTotal = 1,
                StartedAt = at,
                FinishedAt = at.AddSeconds(1),
                Model = model,
            }, [], new HarnessCapture([request], [system]));
        }
        return runId;
    }
}
