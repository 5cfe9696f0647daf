using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Sandbox;

namespace Driftwatch.Execution.Agents;

/// <summary>An agent under evaluation: something that edits a workspace to do a task.</summary>
public interface IAgent
{
    /// <summary>The configured name ("simulated", "claude-code", or a name from driftwatch.yaml).</summary>
    string Name { get; }

    /// <summary>The adapter kind (simulated, claude-code, command, anthropic, openai).</summary>
    string Kind { get; }

    /// <summary>True for synthetic agents: their results are marked as such wherever they show.</summary>
    bool Synthetic { get; }

    /// <summary>The agent's version (e.g. `claude --version`), asked once per run.</summary>
    Task<string?> GetVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What stops this agent from working at all (its program not installed, its credential
    /// variable not set), checked before a run starts so that a run is not spent on errors; null
    /// when it is ready.
    /// </summary>
    string? Preflight() => null;

    /// <summary>Works on one trial. Infrastructure failures are reported in the result, not thrown.</summary>
    Task<AgentResult> RunAsync(AgentRequest request, CancellationToken cancellationToken);

    /// <summary>Takes the agent's own credentials out of a text (its diff and test output may hold them too).</summary>
    string Redact(string text) => text;
}

/// <summary>
/// An agent that can try once more after seeing what the hidden tests said of its first answer
/// (pass@2-style). The runner records both outcomes; pass@1 and pass@2 are reported separately.
/// </summary>
public interface IFeedbackAgent : IAgent
{
    bool SecondAttempt { get; }

    Task<AgentResult> ReviseAsync(AgentRequest request, AgentResult first, string testOutput, CancellationToken cancellationToken);
}

/// <summary>Where and when a trial happens.</summary>
public sealed record TrialContext(long RunId, DateOnly Day, int TrialIndex, int Attempt, int Seed);

/// <summary>One trial for an agent: the task, the workspace to edit, and the sandbox to run in.</summary>
public sealed record AgentRequest
{
    public required TaskDefinition Task { get; init; }
    public required SuiteDefinition Suite { get; init; }
    /// <summary>The trial's folders on the host (an agent in a sandbox sees them where <see cref="ISandbox.View"/> says).</summary>
    public required string Workspace { get; init; }
    public required string Home { get; init; }
    public required string Temp { get; init; }
    public required TrialContext Context { get; init; }
    public required ISandbox Sandbox { get; init; }

    /// <summary>The agent's sandbox: its folders, what must stay hidden (the suite, the database), its network.</summary>
    public required SandboxPolicy Policy { get; init; }
}

public enum AgentExit
{
    /// <summary>The agent finished (whether or not it solved the task).</summary>
    Completed,

    /// <summary>The agent ran past the task's agent timeout and was killed.</summary>
    TimedOut,

    /// <summary>The infrastructure failed (API 429/5xx, network, crash before any work): retried, never a model failure.</summary>
    InfrastructureError,

    /// <summary>A limit of its sandbox stopped the agent's own work (its folders filled the disk): a fail, and the tests are not run.</summary>
    Stopped,
}

/// <summary>What an agent did in one trial.</summary>
public sealed record AgentResult
{
    public required AgentExit Exit { get; init; }
    public AgentUsage Usage { get; init; } = AgentUsage.None;

    /// <summary>The model that answered (the first, when several did).</summary>
    public string? Model { get; init; }

    /// <summary>Every model that answered in this trial.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>The models that answered the agent's main loop (not its side calls): what served the task.</summary>
    public IReadOnlyList<string> ServedModels { get; init; } = [];

    /// <summary>What the adapter saw besides the result: "fallback:…" (another model served), "refusal".</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>Adapter-specific facts worth keeping with the run's fingerprint (CLI version, tools, permission mode…).</summary>
    public IReadOnlyDictionary<string, string?> Details { get; init; } = new Dictionary<string, string?>();

    /// <summary>The requests the harness sent to its model, as the recording proxy saw them (null: not recorded).</summary>
    public Core.Fingerprints.HarnessCapture? Harness { get; init; }

    /// <summary>Whatever an adapter needs to continue the conversation in a second attempt (not stored).</summary>
    public object? State { get; init; }
    public string? StopReason { get; init; }
    public string? ErrorKind { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>The agent's event stream or conversation, kept as the trial's transcript.</summary>
    public string? Transcript { get; init; }

    /// <summary>The agent's own console output.</summary>
    public string? Output { get; init; }

    public static AgentResult Infrastructure(string kind, string message, string? output = null) => new()
    {
        Exit = AgentExit.InfrastructureError,
        ErrorKind = kind,
        ErrorMessage = message,
        Output = output,
    };
}
