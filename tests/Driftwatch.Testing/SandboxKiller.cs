using System.Diagnostics;
using System.Globalization;

namespace Driftwatch.Testing;

/// <summary>
/// Plays "something outside killed the sandbox": finds the bubblewrap processes of a test's own
/// trials (named by a marker in their folders, such as a task id unique to the test) whose
/// command has started, and kills them, as the OOM killer or an operator would.
/// </summary>
public static class SandboxKiller
{
    /// <summary>
    /// Kills the outermost bubblewrap above every process whose command line starts with
    /// <paramref name="command"/> and whose bubblewrap names <paramref name="marker"/>; returns how many.
    /// </summary>
    public static int KillAround(string command, string marker)
    {
        var killed = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
                continue;
            if (CommandOf(pid) is not { } line || !line.StartsWith(command, StringComparison.Ordinal))
                continue;
            var sandbox = 0;
            for (var parent = ParentOf(pid); parent > 1; parent = ParentOf(parent))
            {
                if (CommandOf(parent) is { } above && above.Contains("bwrap", StringComparison.Ordinal) && above.Contains(marker, StringComparison.Ordinal))
                    sandbox = parent;
            }
            if (sandbox == 0)
                continue;
            try
            {
                using var process = Process.GetProcessById(sandbox);
                process.Kill();
                killed++;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // It ended on its own meanwhile.
            }
        }
        return killed;
    }

    /// <summary>Kills the sandboxes around <paramref name="command"/> (see <see cref="KillAround"/>) until <paramref name="work"/> ends; returns how many.</summary>
    public static async Task<int> KeepKillingAroundAsync(Task work, string command, string marker)
    {
        var kills = 0;
        while (!work.IsCompleted)
        {
            kills += KillAround(command, marker);
            await Task.WhenAny(work, Task.Delay(50));
        }
        return kills;
    }

    private static string? CommandOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat.Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
