using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Formats.Suites;

namespace Driftwatch.Execution.Running;

/// <summary>
/// What a <see cref="TrialExecutor"/> builds a run's world with, besides the run's stored plan: how
/// an agent is made from its stored definition, how a sandbox is made for the stored mode, and how
/// trials are run. A worker on another machine needs only this and the store.
/// </summary>
public sealed record TrialEnvironment
{
    /// <summary>The agent of a run, from its stored plan (<see cref="DefinitionOf"/> reads the definition).</summary>
    public required Func<long, RunPlan, IAgent> CreateAgent { get; init; }

    /// <summary>The sandbox for a run's stored mode ("bubblewrap" or "none"); the flag says whether the agent is synthetic.</summary>
    public required Func<string, bool, CancellationToken, Task<ISandbox>> CreateSandbox { get; init; }

    public TrialOptions Options { get; init; } = new();
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Reads the suite a run was planned with: by default from the folder the plan names; a worker
    /// on another machine unpacks it from the store by its revision instead (<see cref="SuiteBundles"/>).
    /// </summary>
    public Func<RunPlan, CancellationToken, Task<SuiteDefinition>> LoadSuite { get; init; } = static (plan, _) => Task.FromResult(SuiteLoader.Load(plan.SuitePath));

    /// <summary>Whether the executor disposes the agents it was given when it is done with a run (false when the caller holds them).</summary>
    public bool OwnsAgents { get; init; } = true;

    /// <summary>This environment with <paramref name="loaded"/> given for its own folder instead of reading and hashing it again (a caller that just loaded it).</summary>
    public TrialEnvironment Reusing(SuiteDefinition loaded)
    {
        var load = LoadSuite;
        return this with { LoadSuite = (plan, token) => plan.SuitePath == loaded.Directory ? Task.FromResult(loaded) : load(plan, token) };
    }

    /// <summary>The agent definition a run was planned with; bad stored JSON names the run.</summary>
    public static AgentDefinition DefinitionOf(long runId, RunPlan plan) => AgentDefinition.FromJson(plan.AgentConfigJson, $"run {runId}");

    /// <summary>
    /// An environment for a caller that already holds the agent and the sandbox (tests, and
    /// in-process callers with agents that cannot be described as data): every run gets them.
    /// </summary>
    public static TrialEnvironment Fixed(IAgent agent, ISandbox sandbox, TrialOptions options, TimeProvider time) => new()
    {
        CreateAgent = (_, _) => agent,
        CreateSandbox = (_, _, _) => Task.FromResult(sandbox),
        Options = options,
        Time = time,
        OwnsAgents = false,
    };
}
