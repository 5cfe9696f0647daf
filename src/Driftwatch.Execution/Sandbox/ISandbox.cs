using System.Collections.Immutable;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Execution.Sandbox;

/// <summary>What a sandboxed process may reach on the network.</summary>
public enum NetworkAccess
{
    /// <summary>Nothing: its own loopback only (test commands).</summary>
    None,

    /// <summary>One endpoint on the host's loopback (the recording proxy), and nothing else on the machine or beyond.</summary>
    Endpoint,

    /// <summary>The host's network (an agent that talks to its API directly).</summary>
    Host,
}

/// <summary>
/// What a sandboxed process may touch. Its folders are host folders; inside a confining sandbox
/// they appear at fixed paths (<see cref="SandboxView"/>), the same in every trial.
/// </summary>
public sealed record SandboxPolicy
{
    /// <summary>The workspace: the process starts here and may write here.</summary>
    public required string Workspace { get; init; }

    /// <summary>HOME of the process (writable; null: none).</summary>
    public string? Home { get; init; }

    /// <summary>Its temporary folder, /tmp inside (writable; null: a private empty one).</summary>
    public string? Temp { get; init; }

    /// <summary>Where reports go (the JUnit XML), outside the workspace (writable; null: none).</summary>
    public string? Reports { get; init; }

    /// <summary>Host folders shown read-only at their own path (an agent's installation).</summary>
    public ImmutableArray<string> ReadOnly { get; init; } = [];

    /// <summary>Host folders never shown, even where a visible folder contains them (the suite, the database).</summary>
    public ImmutableArray<string> Hidden { get; init; } = [];

    public NetworkAccess Network { get; init; } = NetworkAccess.None;

    /// <summary>With <see cref="NetworkAccess.Endpoint"/>: the host's loopback port the process may reach.</summary>
    public int? EndpointPort { get; init; }

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

    /// <summary>All the writable folders of the process together (checked while it runs; the tree is stopped beyond it).</summary>
    public long MaxDiskBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Files and folders in the writable folders together (checked with <see cref="MaxDiskBytes"/>).</summary>
    public int MaxDiskEntries { get; init; } = 200_000;
}

/// <summary>Where a sandboxed process finds its folders and its endpoint.</summary>
public sealed record SandboxView
{
    public required string Workspace { get; init; }
    public string? Home { get; init; }
    public required string Temp { get; init; }
    public string? Reports { get; init; }

    /// <summary>The address of the allowed endpoint as the process reaches it (http://127.0.0.1:PORT), with <see cref="NetworkAccess.Endpoint"/>.</summary>
    public string? EndpointAddress { get; init; }

    /// <summary>What the process's network really is ("none", "endpoint only", "host").</summary>
    public required string Network { get; init; }

    /// <summary>Turns a host path under one of the policy's folders into the path the process sees.</summary>
    public Func<string, string> Translate { get; init; } = path => path;
}

/// <summary>Confines a process: turns a plain process spec into one that runs inside the sandbox.</summary>
public interface ISandbox
{
    /// <summary>"bubblewrap" or "none".</summary>
    string Name { get; }

    /// <summary>True when the policy is really enforced (false for the plain-process fallback).</summary>
    bool Confines { get; }

    /// <summary>Where the policy's folders and endpoint appear to the process: build its command line and environment from this.</summary>
    SandboxView View(SandboxPolicy policy);

    /// <summary>Prepares the process (its paths as <see cref="View"/> gives them); dispose the result after it ran.</summary>
    SandboxedProcess Prepare(ProcessSpec spec, SandboxPolicy policy);
}
