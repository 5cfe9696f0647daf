using System.Collections.Immutable;
using Driftwatch.Core;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Execution.Sandbox;

public enum SandboxMode
{
    /// <summary>Bubblewrap when it works on this machine, else plain processes with a warning.</summary>
    Auto,
    Bubblewrap,
    None,
}

/// <summary>Chooses the sandbox for a run and says why.</summary>
public static class SandboxFactory
{
    public static SandboxMode ParseMode(string text) => text.ToLowerInvariant() switch
    {
        "auto" => SandboxMode.Auto,
        "bwrap" or "bubblewrap" => SandboxMode.Bubblewrap,
        "none" => SandboxMode.None,
        _ => throw new InvalidInputException($"--sandbox: unknown mode '{text}' (expected auto, bwrap or none)"),
    };

    /// <summary>Creates the sandbox, with a warning when it falls back to no confinement or lacks limits.</summary>
    public static async Task<(ISandbox Sandbox, string? Warning)> CreateAsync(SandboxMode mode, CancellationToken cancellationToken)
    {
        if (mode == SandboxMode.None)
            return (new NoSandbox(), "sandbox disabled (--sandbox none): agents and tests run as plain processes, with network access and the whole file system writable");

        var problem = await ProbeBubblewrapAsync(cancellationToken).ConfigureAwait(false);
        if (problem is null)
        {
            var sandbox = new BubblewrapSandbox(FindOnPath("bwrap")!);
            var limits = CgroupLimits.Available() ? null
                : "memory and process-count limits are unavailable here (no writable cgroup); file-size and open-file limits still apply";
            return (sandbox, limits);
        }
        if (mode == SandboxMode.Bubblewrap)
            throw new InvalidInputException($"--sandbox bwrap: bubblewrap cannot be used here: {problem}");
        return (new NoSandbox(), $"bubblewrap is not usable ({problem}); running without a sandbox. Install it (apt-get install bubblewrap) or pass --sandbox none to silence this");
    }

    /// <summary>Null when bwrap runs a confined command here; otherwise what went wrong.</summary>
    public static async Task<string?> ProbeBubblewrapAsync(CancellationToken cancellationToken)
    {
        var bwrap = FindOnPath("bwrap");
        if (bwrap is null)
            return "bwrap not found on PATH";
        var probe = new ProcessSpec
        {
            FileName = bwrap,
            Arguments = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-net", "--", "true"],
            WorkingDirectory = "/",
            Environment = ImmutableDictionary<string, string>.Empty.Add("PATH", "/usr/bin:/bin"),
        };
        var result = await ProcessRunner.RunAsync(probe, TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? null : $"bwrap failed: {(result.StartFailure ?? result.StandardError).Trim()}";
    }

    public static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }
}
