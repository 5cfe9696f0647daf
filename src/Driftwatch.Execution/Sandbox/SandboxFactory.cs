using System.Collections.Immutable;
using Driftwatch.Core;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Execution.Sandbox;

public enum SandboxMode
{
    /// <summary>Bubblewrap; an agent is never run unconfined without <see cref="None"/> said explicitly.</summary>
    Auto,
    Bubblewrap,
    None,
}

/// <summary>Chooses the sandbox for a run and says why.</summary>
public static class SandboxFactory
{
    /// <summary>How to make bubblewrap usable, for the message that refuses to go on without it.</summary>
    public const string HowToEnable =
        "install it (apt-get install bubblewrap); in a container, allow user namespaces or run it privileged " +
        "(e.g. docker run --security-opt seccomp=unconfined --security-opt apparmor=unconfined, or --privileged)";

    public static SandboxMode ParseMode(string text) => text.ToLowerInvariant() switch
    {
        "auto" => SandboxMode.Auto,
        "bwrap" or "bubblewrap" => SandboxMode.Bubblewrap,
        "none" => SandboxMode.None,
        _ => throw new InvalidInputException($"--sandbox: unknown mode '{text}' (expected auto, bwrap or none)"),
    };

    /// <summary>
    /// Creates the sandbox, with a warning when it lacks limits or runs unconfined. Without a usable
    /// bubblewrap, <see cref="SandboxMode.Auto"/> refuses (bad input, exit 2) unless
    /// <paramref name="unconfinedFallback"/> allows plain processes (no agent of its own runs:
    /// a synthetic agent, or the reference solutions of `suite validate`).
    /// </summary>
    public static async Task<(ISandbox Sandbox, string? Warning)> CreateAsync(SandboxMode mode, CancellationToken cancellationToken, bool unconfinedFallback = false)
    {
        if (mode == SandboxMode.None)
            return (new NoSandbox(), Unconfined("--sandbox none"));

        var probe = await ProbeAsync(cancellationToken).ConfigureAwait(false);
        if (probe.Problem is null)
        {
            var sandbox = new BubblewrapSandbox(FindOnPath("bwrap")!, probe.UserNamespaces);
            var limits = CgroupLimits.Available() ? null
                : "memory and process-count limits are unavailable here (no writable cgroup); file-size, open-file and disk limits still apply";
            return (sandbox, limits);
        }
        if (mode == SandboxMode.Bubblewrap)
            throw new InvalidInputException($"--sandbox bwrap: bubblewrap cannot be used here ({probe.Problem}); {HowToEnable}");
        if (!unconfinedFallback)
        {
            throw new InvalidInputException(
                $"--sandbox: bubblewrap cannot be used here ({probe.Problem}), and an agent is never run unconfined unless you say so: " +
                $"{HowToEnable}; or pass --sandbox none to run agents and tests as plain processes");
        }
        return (new NoSandbox(), Unconfined($"bubblewrap is not usable ({probe.Problem})"));
    }

    private static string Unconfined(string why) =>
        $"UNCONFINED: {why}: agents and tests run as plain processes, with the host's network, files and processes in reach";

    /// <summary>Null when bwrap runs a confined command here; otherwise what went wrong.</summary>
    public static async Task<string?> ProbeBubblewrapAsync(CancellationToken cancellationToken) =>
        (await ProbeAsync(cancellationToken).ConfigureAwait(false)).Problem;

    /// <summary>Whether bwrap confines a command here, and whether it can give it a user namespace of its own.</summary>
    public static async Task<(string? Problem, bool UserNamespaces)> ProbeAsync(CancellationToken cancellationToken)
    {
        var bwrap = FindOnPath("bwrap");
        if (bwrap is null)
            return ("bwrap not found on PATH", false);
        string[] confined = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-net", "--cap-drop", "ALL"];
        var withUserNamespace = await TryAsync(bwrap, ["--unshare-user", "--disable-userns", .. confined], cancellationToken).ConfigureAwait(false);
        if (withUserNamespace.Succeeded)
            return (null, true);
        var plain = await TryAsync(bwrap, confined, cancellationToken).ConfigureAwait(false);
        return plain.Succeeded ? (null, false) : ($"bwrap failed: {(plain.StartFailure ?? plain.StandardError).Trim()}", false);
    }

    private static Task<ProcessResult> TryAsync(string bwrap, string[] arguments, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(new ProcessSpec
        {
            FileName = bwrap,
            Arguments = [.. arguments, "--", "true"],
            WorkingDirectory = "/",
            Environment = ImmutableDictionary<string, string>.Empty.Add("PATH", "/usr/bin:/bin"),
        }, TimeSpan.FromSeconds(20), cancellationToken);

    public static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }
}
