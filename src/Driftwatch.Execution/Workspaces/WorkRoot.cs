using System.Diagnostics;
using System.Globalization;

namespace Driftwatch.Execution.Workspaces;

/// <summary>
/// Trial folders live under a folder of this process (`p{pid}-{start}`), so that folders left by a
/// killed process are recognised and removed by the next one, and never those of a live process.
/// </summary>
public static class WorkRoot
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Swept = new(StringComparer.Ordinal);

    /// <summary>This process's folder under <paramref name="root"/>, after removing dead processes' folders.</summary>
    public static string ForThisProcess(string root)
    {
        var own = Path.Combine(root, Name(Environment.ProcessId, StartTicks(Environment.ProcessId)));
        lock (Gate)
        {
            if (Swept.Add(root))
                Sweep(root, own);
        }
        Directory.CreateDirectory(own);
        return own;
    }

    private static string Name(int pid, long start) => $"p{pid}-{start.ToString(CultureInfo.InvariantCulture)}";

    private static void Sweep(string root, string own)
    {
        if (!Directory.Exists(root))
            return;
        foreach (var directory in Directory.EnumerateDirectories(root, "p*-*"))
        {
            if (directory == own)
                continue;
            var parts = Path.GetFileName(directory)[1..].Split('-', 2);
            if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid) || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var start))
                continue;
            if (StartTicks(pid) == start)
                continue;
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or in use: leave it.
            }
        }
    }

    /// <summary>The start time of a live process (0 when there is none), to tell a reused pid apart.</summary>
    private static long StartTicks(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return 0;
        }
    }
}
