using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Running;

public sealed class TrialExecutorTests : IDisposable
{
    private static readonly RunOwner Owner = new("test-host", 1, DateTimeOffset.UnixEpoch);
    private readonly TempDirectory _temp = new("executor");
    private readonly SqliteResultStore _store;

    public TrialExecutorTests() => _store = SqliteResultStore.Open(_temp.Combine("dw.db"), _ => false);

    public void Dispose()
    {
        _store.Dispose();
        _temp.Dispose();
    }

    private SuiteDefinition Suite(int tasks)
    {
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < tasks; i++)
            builder.AddAdder($"add-{i}");
        return SuiteLoader.Load(builder.Build());
    }

    private async Task<long> CreateRunAsync(SuiteDefinition suite, string agentConfigJson = """{"name":"scripted"}""", int k = 1) =>
        await new SuiteRunner(_store, TimeProvider.System, Owner).CreateAsync(new RunRequest
        {
            Suite = suite,
            Agent = ScriptedAgent.Solver(),
            Sandbox = new NoSandbox(),
            AgentConfigJson = agentConfigJson,
            TrialsPerTask = k,
            Seed = 5,
        }, CancellationToken.None);

    /// <summary>An environment that builds the agent from what the run stored, and tells the test what it was built from.</summary>
    private TrialEnvironment Environment(List<(long RunId, string Definition)> built, Func<IAgent>? agent = null) => new()
    {
        CreateAgent = (runId, plan) =>
        {
            lock (built)
                built.Add((runId, plan.AgentConfigJson));
            return (agent ?? ScriptedAgent.Solver)();
        },
        CreateSandbox = (_, _, _) => Task.FromResult<ISandbox>(new NoSandbox()),
        Options = new TrialOptions { WorkRoot = _temp.Combine("work"), MaxAttempts = 1 },
    };

    [Fact]
    public async Task A_trial_sent_as_json_is_executed_by_an_executor_that_has_nothing_but_the_store()
    {
        // Given a stored run, and its first pending trial as an assignment serialized to JSON
        var suite = Suite(2);
        var runId = await CreateRunAsync(suite, """{"name":"scripted","stored":"yes"}""");
        var planned = (await _store.GetPendingTrialsAsync(runId))[0];
        var message = JsonSerializer.Serialize(TrialAssignment.Of(runId, planned));

        // When another process's executor (its own connection to the database, no suite or agent
        // object handed over) reads the message and executes the trial
        using var other = SqliteResultStore.Open(_store.Path, _ => false);
        var built = new List<(long, string)>();
        await using var executor = new TrialExecutor(other, other, Environment(built));
        var assignment = JsonSerializer.Deserialize<TrialAssignment>(message)!;
        var (record, result) = await executor.ExecuteAsync(assignment, CancellationToken.None);

        // Then the trial is recorded as passed, and its agent was built from the run's stored definition
        assignment.ShouldBe(TrialAssignment.Of(runId, planned));
        result.ShouldBe(RecordResult.Recorded);
        record.Trial.Key.ShouldBe(assignment.Key);
        built.ShouldBe([(runId, """{"name":"scripted","stored":"yes"}""")]);
        var stored = (await _store.GetTrialsAsync(runId)).Single(t => t.Outcome != TrialOutcome.Error && t.Key == assignment.Key);
        stored.Outcome.ShouldBe(TrialOutcome.Pass);
        (await _store.GetPendingTrialsAsync(runId)).Select(t => t.TaskId).ShouldNotContain(planned.TaskId);
    }

    [Fact]
    public async Task A_trial_delivered_twice_keeps_the_outcome_of_its_first_execution()
    {
        // Given an agent that solves the task on its first call and breaks it on every later one
        var suite = Suite(1);
        var runId = await CreateRunAsync(suite);
        var agent = new ScriptedAgent((request, call) =>
        {
            if (call == 1)
                Execution.Workspaces.TrialWorkspace.CopyTree(request.Task.SolutionDirectory, request.Workspace);
            return ScriptedAgent.Done();
        });
        await using var executor = new TrialExecutor(_store, _store, Environment([], () => agent));
        var assignment = TrialAssignment.Of(runId, (await _store.GetPendingTrialsAsync(runId))[0]);

        // When the same assignment is executed twice (at-least-once delivery)
        var first = await executor.ExecuteAsync(assignment, CancellationToken.None);
        var second = await executor.ExecuteAsync(assignment, CancellationToken.None);

        // Then the second run happened but was not recorded: the stored trial is the first, a pass
        first.Result.ShouldBe(RecordResult.Recorded);
        second.Record.Trial.Outcome.ShouldBe(TrialOutcome.Fail);
        second.Result.ShouldBe(RecordResult.AlreadyRecorded);
        var stored = await _store.GetTrialsAsync(runId);
        stored.Count.ShouldBe(1);
        stored[0].Outcome.ShouldBe(TrialOutcome.Pass);
    }

    [Fact]
    public async Task A_run_world_is_built_once_for_all_its_trials_even_when_they_start_together()
    {
        // Given a run of 3 tasks × 2 trials
        var suite = Suite(3);
        var runId = await CreateRunAsync(suite, k: 2);
        var built = new List<(long, string)>();
        await using var executor = new TrialExecutor(_store, _store, Environment(built));

        // When all six are dispatched in process, three at a time
        var recorded = 0;
        await new InProcessDispatcher(executor).DispatchAsync(
            new TrialDispatch(runId, [.. (await _store.GetPendingTrialsAsync(runId)).Select(t => TrialAssignment.Of(runId, t))], 3)
            {
                Recorded = (_, result) => { if (result == RecordResult.Recorded) Interlocked.Increment(ref recorded); },
            }, CancellationToken.None);

        // Then the agent was built once, and every trial was recorded once
        built.Count.ShouldBe(1);
        recorded.ShouldBe(6);
        (await _store.GetTrialsAsync(runId)).Count.ShouldBe(6);
    }

    [Fact]
    public async Task A_dispatch_whose_run_is_no_longer_held_records_nothing()
    {
        // Given a run of two trials whose owner has lost it
        var suite = Suite(2);
        var runId = await CreateRunAsync(suite);
        await using var executor = new TrialExecutor(_store, _store, Environment([]));

        // When its trials are dispatched
        await new InProcessDispatcher(executor).DispatchAsync(
            new TrialDispatch(runId, [.. (await _store.GetPendingTrialsAsync(runId)).Select(t => TrialAssignment.Of(runId, t))], 2) { StillHeld = () => false },
            CancellationToken.None);

        // Then they ran, and nothing was recorded: they are the new owner's
        (await _store.GetTrialsAsync(runId)).ShouldBeEmpty();
        (await _store.GetPendingTrialsAsync(runId)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task An_assignment_the_run_never_planned_is_refused_and_a_task_gone_from_the_suite_is_bad_input()
    {
        // Given a stored run of two tasks
        var suite = Suite(2);
        var runId = await CreateRunAsync(suite);
        await using var executor = new TrialExecutor(_store, _store, Environment([]));

        // When it is asked for a trial index it never planned, and for a run that does not exist
        var unplanned = await Should.ThrowAsync<InvalidOperationException>(() => executor.RunAsync(new TrialAssignment(runId, "add-0", 7), CancellationToken.None));
        var missing = await Should.ThrowAsync<InvalidInputException>(() => executor.RunAsync(new TrialAssignment(runId + 1, "add-0", 0), CancellationToken.None));

        // Then each is refused, naming the trial or the run
        unplanned.Message.ShouldContain("add-0 #7");
        missing.Message.ShouldBe($"run {runId + 1} not found");
        (await _store.GetTrialsAsync(runId)).ShouldBeEmpty();
    }
}
