using System.Globalization;

namespace Driftwatch.Execution.Sandbox;

/// <summary>
/// Memory and process-count ceilings for a process tree through a cgroup made for it, under this
/// process's own cgroup: v1 (memory and pids hierarchies) or v2 (unified, when the memory and pids
/// controllers are delegated). Where neither is writable (no root, no delegation) limits are
/// unavailable and <see cref="TryCreate"/> returns null; rlimits still apply.
/// </summary>
internal sealed class CgroupLimits
{
    private static int s_counter;
    private readonly List<string> _procsFiles;
    private readonly List<string> _directories;

    private readonly string? _oomCounter;

    private CgroupLimits(List<string> directories, List<string> procsFiles, string? oomCounter = null)
    {
        _directories = directories;
        _procsFiles = procsFiles;
        _oomCounter = oomCounter;
    }

    /// <summary>How many processes of the tree the kernel killed for memory (0 when unknown).</summary>
    public long OomKills()
    {
        try
        {
            if (_oomCounter is null || !File.Exists(_oomCounter))
                return 0;
            // v1 memory.oom_control and v2 memory.events both have a line "oom_kill N".
            var line = File.ReadAllLines(_oomCounter).FirstOrDefault(l => l.StartsWith("oom_kill ", StringComparison.Ordinal));
            return line is not null && long.TryParse(line["oom_kill ".Length..], CultureInfo.InvariantCulture, out var kills) ? kills : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The cgroup.procs files a process writes its pid into to join (before it execs the command).</summary>
    public IReadOnlyList<string> ProcsFiles => _procsFiles;

    public static CgroupLimits? TryCreate(ResourceLimits limits)
    {
        try
        {
            return TryCreateV1(limits) ?? TryCreateV2(limits);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether this machine lets Driftwatch set memory and process limits.</summary>
    public static bool Available()
    {
        var probe = TryCreate(ResourceLimits.Default);
        probe?.Release();
        return probe is not null;
    }

    private static string NewName() =>
        $"driftwatch-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";

    private static CgroupLimits? TryCreateV1(ResourceLimits limits)
    {
        var memoryRoot = "/sys/fs/cgroup/memory";
        var pidsRoot = "/sys/fs/cgroup/pids";
        if (!File.Exists(Path.Combine(memoryRoot, "cgroup.procs")) || !File.Exists(Path.Combine(pidsRoot, "cgroup.procs")))
            return null;
        var own = OwnCgroups();
        var name = NewName();
        var memory = Path.Combine(memoryRoot + own.GetValueOrDefault("memory", "/"), name);
        var pids = Path.Combine(pidsRoot + own.GetValueOrDefault("pids", "/"), name);
        var created = new List<string>();
        try
        {
            Directory.CreateDirectory(memory);
            created.Add(memory);
            Directory.CreateDirectory(pids);
            created.Add(pids);
            File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), limits.MemoryBytes.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(pids, "pids.max"), limits.MaxProcesses.ToString(CultureInfo.InvariantCulture));
            return new CgroupLimits(created, [Path.Combine(memory, "cgroup.procs"), Path.Combine(pids, "cgroup.procs")], Path.Combine(memory, "memory.oom_control"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            new CgroupLimits(created, []).Release();
            return null;
        }
    }

    private static CgroupLimits? TryCreateV2(ResourceLimits limits)
    {
        const string root = "/sys/fs/cgroup";
        if (!File.Exists(Path.Combine(root, "cgroup.controllers")))
            return null;
        var own = OwnCgroups().GetValueOrDefault("", "/");
        var parent = root + own;
        var subtree = Path.Combine(parent, "cgroup.subtree_control");
        if (!File.Exists(subtree))
            return null;
        var enabled = File.ReadAllText(subtree).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!enabled.Contains("memory") || !enabled.Contains("pids"))
            return null;
        var directory = Path.Combine(parent, NewName());
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "memory.max"), limits.MemoryBytes.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(directory, "pids.max"), limits.MaxProcesses.ToString(CultureInfo.InvariantCulture));
            return new CgroupLimits([directory], [Path.Combine(directory, "cgroup.procs")], Path.Combine(directory, "memory.events"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            new CgroupLimits([directory], []).Release();
            return null;
        }
    }

    /// <summary>Controller name → this process's cgroup path, from /proc/self/cgroup ("" is v2).</summary>
    private static Dictionary<string, string> OwnCgroups()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
                continue;
            foreach (var controller in parts[1].Split(','))
                result[controller] = parts[2];
        }
        return result;
    }

    /// <summary>Kills whatever is left in the cgroups and removes them.</summary>
    public void Release()
    {
        foreach (var directory in _directories)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    var procs = Path.Combine(directory, "cgroup.procs");
                    if (File.Exists(procs))
                    {
                        foreach (var pid in File.ReadAllLines(procs).Where(l => l.Length > 0))
                        {
                            try
                            {
                                System.Diagnostics.Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture)).Kill();
                            }
                            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                            {
                                // Gone already.
                            }
                        }
                    }
                    Directory.Delete(directory);
                    break;
                }
                catch (DirectoryNotFoundException)
                {
                    break;
                }
                catch (IOException)
                {
                    Thread.Sleep(20);
                }
                catch (UnauthorizedAccessException)
                {
                    break;
                }
            }
        }
    }
}
