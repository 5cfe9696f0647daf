using System.Collections.Immutable;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Execution.Sandbox;

/// <summary>
/// Confinement with bubblewrap (bwrap): the host file system read-only, the workspace and the
/// policy's folders the only writable places, a private /tmp, /dev and /proc, its own pid
/// namespace (so every descendant dies with it), no network unless the policy allows it, folders
/// of the policy's Hidden list replaced by empty ones. Memory and process counts are capped by a
/// cgroup when the machine allows one; file size and open files by rlimits.
/// </summary>
public sealed class BubblewrapSandbox(string bwrapPath) : ISandbox
{
    public string Name => "bubblewrap";

    public bool Confines => true;

    public string BwrapPath { get; } = bwrapPath;

    public SandboxedProcess Prepare(ProcessSpec spec, SandboxPolicy policy)
    {
        var bwrap = new List<string>
        {
            "--die-with-parent", "--new-session",
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--tmpfs", "/tmp",
            "--tmpfs", "/dev/shm",
        };
        if (!policy.AllowNetwork)
            bwrap.Add("--unshare-net");
        foreach (var hidden in policy.Hidden.Where(Directory.Exists))
            bwrap.AddRange(["--tmpfs", Path.GetFullPath(hidden)]);
        foreach (var visible in policy.ReadOnly.Where(Directory.Exists).Select(Path.GetFullPath).Distinct())
            bwrap.AddRange(["--ro-bind", visible, visible]);
        foreach (var writable in policy.Writable.Prepend(policy.Workspace).Select(Path.GetFullPath).Distinct())
            bwrap.AddRange(["--bind", writable, writable]);
        bwrap.AddRange(["--chdir", Path.GetFullPath(spec.WorkingDirectory), "--"]);
        bwrap.AddRange(Rlimits.PrlimitArguments(policy.Limits));
        bwrap.Add(spec.FileName);
        bwrap.AddRange(spec.Arguments);

        var cgroup = CgroupLimits.TryCreate(policy.Limits);
        if (cgroup is null)
            return new SandboxedProcess(spec with { FileName = BwrapPath, Arguments = [.. bwrap] });

        // A shell joins the cgroups first and then becomes bwrap, so nothing escapes the limits.
        var join = string.Join("; ", cgroup.ProcsFiles.Select((_, i) => $"echo $$ > \"${i + 1}\""));
        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.AddRange("-c", $"{join}; shift {cgroup.ProcsFiles.Count}; exec \"$@\"", "driftwatch-sandbox");
        arguments.AddRange(cgroup.ProcsFiles);
        arguments.Add(BwrapPath);
        arguments.AddRange(bwrap);
        return new SandboxedProcess(spec with { FileName = "/bin/sh", Arguments = arguments.ToImmutable() }, cgroup.Release);
    }
}
