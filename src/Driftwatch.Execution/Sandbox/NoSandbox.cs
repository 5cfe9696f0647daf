using System.Collections.Immutable;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Execution.Sandbox;

/// <summary>
/// The fallback of <c>--sandbox none</c>: plain processes in their own process group (so that a
/// timeout still kills everything they started), with file-size and open-file limits, but no
/// confinement of the file system or the network.
/// </summary>
internal sealed class NoSandbox : ISandbox
{
    public string Name => "none";

    public bool Confines => false;

    public SandboxView View(SandboxPolicy policy) => new()
    {
        Workspace = policy.Workspace,
        Home = policy.Home,
        Temp = policy.Temp ?? Path.GetTempPath(),
        Reports = policy.Reports,
        EndpointAddress = policy.Network == NetworkAccess.Endpoint ? $"http://127.0.0.1:{policy.EndpointPort}" : null,
        Network = "host (unconfined)",
    };

    public SandboxedProcess Prepare(ProcessSpec spec, SandboxPolicy policy)
    {
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.Add("--");
        arguments.AddRange(Rlimits.PrlimitArguments(policy.Limits));
        arguments.Add(spec.FileName);
        arguments.AddRange(spec.Arguments);
        return new SandboxedProcess(spec with
        {
            FileName = "setsid",
            Arguments = arguments.ToImmutable(),
            LeadsProcessGroup = true,
        }, policy);
    }
}

internal static class Rlimits
{
    /// <summary>`prlimit` arguments that apply the per-process limits and then run the command.</summary>
    public static IEnumerable<string> PrlimitArguments(ResourceLimits limits) =>
    [
        "prlimit",
        $"--fsize={limits.MaxFileBytes}",
        $"--nofile={limits.MaxOpenFiles}",
        "--core=0",
        "--",
    ];
}
