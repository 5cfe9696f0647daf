using System.Collections.Immutable;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Execution.Sandbox;

/// <summary>What a sandboxed process may touch.</summary>
public sealed record SandboxPolicy
{
    /// <summary>The workspace: the process starts here and may write here.</summary>
    public required string Workspace { get; init; }

    /// <summary>Further folders the process may write (e.g. where the JUnit report goes).</summary>
    public ImmutableArray<string> Writable { get; init; } = [];

    /// <summary>Folders hidden from the process (the suite's tests and solutions, the database).</summary>
    public ImmutableArray<string> Hidden { get; init; } = [];

    /// <summary>Folders shown read-only even inside a hidden or private place (an agent's own installation under /tmp).</summary>
    public ImmutableArray<string> ReadOnly { get; init; } = [];

    /// <summary>Agents need the network to reach their API; test commands never get it.</summary>
    public bool AllowNetwork { get; init; }

    public ResourceLimits Limits { get; init; } = ResourceLimits.Default;
}

/// <summary>Ceilings for one process tree.</summary>
public sealed record ResourceLimits
{
    public static readonly ResourceLimits Default = new();

    /// <summary>Memory of the whole tree (enforced through a cgroup where this machine allows one).</summary>
    public long MemoryBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Processes and threads of the whole tree (cgroup pids controller).</summary>
    public int MaxProcesses { get; init; } = 1024;

    /// <summary>Largest file a process may write (RLIMIT_FSIZE).</summary>
    public long MaxFileBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>Open files per process (RLIMIT_NOFILE).</summary>
    public int MaxOpenFiles { get; init; } = 4096;
}

/// <summary>Confines a process: turns a plain process spec into one that runs inside the sandbox.</summary>
public interface ISandbox
{
    /// <summary>"bubblewrap" or "none".</summary>
    string Name { get; }

    /// <summary>True when the policy is really enforced (false for the plain-process fallback).</summary>
    bool Confines { get; }

    /// <summary>Prepares the process; dispose the result after the process ended to release its limits.</summary>
    SandboxedProcess Prepare(ProcessSpec spec, SandboxPolicy policy);
}

/// <summary>A process ready to run in a sandbox, with whatever must be released after it.</summary>
public sealed class SandboxedProcess(ProcessSpec spec, Action? release = null) : IDisposable
{
    public ProcessSpec Spec { get; } = spec;

    public void Dispose() => release?.Invoke();
}
