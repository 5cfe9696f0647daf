using System.Collections.Concurrent;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;

namespace Driftwatch.Execution.Running;

/// <summary>Runs assigned trials: the one way a trial is executed, wherever it was dispatched from.</summary>
public interface ITrialExecutor
{
    /// <summary>
    /// Builds the run's world from its stored plan (suite, agent, sandbox) and checks it can serve
    /// every pending trial: bad input (the suite changed since the run started, a task gone, an
    /// agent that cannot work) surfaces here, before any trial is spent.
    /// </summary>
    Task PrepareAsync(long runId, CancellationToken cancellationToken);

    /// <summary>Runs one trial (retrying infrastructure errors) and returns it, not yet recorded.</summary>
    Task<TrialRecord> RunAsync(TrialAssignment assignment, CancellationToken cancellationToken);

    /// <summary>Records a finished trial exactly once (a trial delivered twice keeps its first outcome).</summary>
    Task<RecordResult> RecordAsync(TrialRecord record, CancellationToken cancellationToken);
}

/// <summary>
/// Executes trials from their assignments alone: the world of a run (its suite at the stored
/// revision, the agent rebuilt from its stored definition, a sandbox of the stored mode, the run's
/// day, seed and agent version) is built from the store once per run and reused for its trials.
/// `run`, a resume, the demo and any dispatcher share it; a process that can reach the store and
/// the suite's folder can execute any trial of any run.
/// </summary>
public sealed class TrialExecutor(IRunStore runs, ITrialStore trials, TrialEnvironment environment) : ITrialExecutor, IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, Lazy<Task<RunWorld>>> _worlds = new();

    public async Task PrepareAsync(long runId, CancellationToken cancellationToken)
    {
        var world = await WorldAsync(runId, cancellationToken).ConfigureAwait(false);
        foreach (var trial in await trials.GetPendingTrialsAsync(runId, cancellationToken).ConfigureAwait(false))
            world.Task(trial.TaskId);
    }

    public async Task<TrialRecord> RunAsync(TrialAssignment assignment, CancellationToken cancellationToken)
    {
        var world = await WorldAsync(assignment.RunId, cancellationToken).ConfigureAwait(false);
        var planned = world.Planned.GetValueOrDefault(assignment.Key)
            ?? throw new InvalidOperationException($"{assignment}: the run never planned this trial");
        return await world.Runner.RunAsync(world.Suite, world.Task(assignment.TaskId), planned, world.Context, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RecordResult> RecordAsync(TrialRecord record, CancellationToken cancellationToken) =>
        await trials.RecordTrialAsync(record.Trial, record.Artifacts, record.Harness, cancellationToken).ConfigureAwait(false);

    /// <summary>A worker's whole job for one assignment: run it, record it.</summary>
    public async Task<(TrialRecord Record, RecordResult Result)> ExecuteAsync(TrialAssignment assignment, CancellationToken cancellationToken)
    {
        var record = await RunAsync(assignment, cancellationToken).ConfigureAwait(false);
        return (record, await RecordAsync(record, CancellationToken.None).ConfigureAwait(false));
    }

    /// <summary>Lets go of a finished run's world (its agent may hold a proxy).</summary>
    public async ValueTask ReleaseAsync(long runId)
    {
        if (_worlds.TryRemove(runId, out var world) && world.Value.IsCompletedSuccessfully)
            await DisposeAgentAsync((await world.Value.ConfigureAwait(false)).Agent).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var runId in _worlds.Keys)
            await ReleaseAsync(runId).ConfigureAwait(false);
    }

    private async Task<RunWorld> WorldAsync(long runId, CancellationToken cancellationToken)
    {
        var lazy = _worlds.GetOrAdd(runId, id => new Lazy<Task<RunWorld>>(() => BuildAsync(id, cancellationToken)));
        try
        {
            return await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            // A world that could not be built is not kept: the next caller tries again (or fails the same way).
            _worlds.TryRemove(new KeyValuePair<long, Lazy<Task<RunWorld>>>(runId, lazy));
            throw;
        }
    }

    private async Task<RunWorld> BuildAsync(long runId, CancellationToken cancellationToken)
    {
        var header = await runs.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidInputException($"run {runId} not found");
        var plan = await runs.GetPlanAsync(runId, cancellationToken).ConfigureAwait(false);
        var suite = await environment.LoadSuite(plan, cancellationToken).ConfigureAwait(false);
        if (header.SuiteRevision != suite.Revision)
        {
            throw new InvalidInputException(
                $"{suite.Directory}: suite '{suite.Name}' changed since run {runId} started (revision {SuiteRevision.Short(header.SuiteRevision)} → {SuiteRevision.Short(suite.Revision)}); its trials would not be comparable");
        }
        var agent = environment.CreateAgent(runId, plan);
        try
        {
            var sandbox = await environment.CreateSandbox(plan.SandboxMode, plan.Synthetic, cancellationToken).ConfigureAwait(false);
            var context = new RunContext(runId, DateOnly.FromDateTime(header.StartedAt.UtcDateTime), header.Seed, header.Fingerprint.AgentVersion);
            var planned = plan.Trials.ToDictionary(t => new TrialKey(t.TaskId, t.TrialIndex));
            return new RunWorld(runId, suite, agent, new TrialRunner(agent, sandbox, environment.Options, environment.Time), context, planned);
        }
        catch
        {
            await DisposeAgentAsync(agent).ConfigureAwait(false);
            throw;
        }
    }

    private ValueTask DisposeAgentAsync(IAgent agent) =>
        environment.OwnsAgents && agent is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;

    private sealed record RunWorld(long RunId, SuiteDefinition Suite, IAgent Agent, TrialRunner Runner, RunContext Context, Dictionary<TrialKey, PlannedTrial> Planned)
    {
        public TaskDefinition Task(string taskId) => Suite.FindTask(taskId)
            ?? throw new InvalidInputException($"{Suite.Directory}: task '{taskId}' of run {RunId} is not in the suite");
    }
}
