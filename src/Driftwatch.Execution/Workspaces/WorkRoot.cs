using System.Diagnostics;
using System.Globalization;
using Driftwatch.Core;
using Driftwatch.Core.Files;

namespace Driftwatch.Execution.Workspaces;

/// <summary>
/// Trial folders live under a folder of this process (`p{pid}-{start}`), so that folders left by a
/// killed process are recognised and removed by the next one, and never those of a live process.
/// </summary>
public static class WorkRoot
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Swept = new(StringComparer.Ordinal);

    /// <summary>This process's folder name, asked of the system once.</summary>
    private static readonly Lazy<string> OwnName = new(() => Name(Environment.ProcessId, StartTicks(Environment.ProcessId)));

    /// <summary>This process's folder under <paramref name="root"/>, after removing dead processes' folders.</summary>
    /// <remarks>The root is checked and swept once per process (every trial asks for its folder).</remarks>
    public static string ForThisProcess(string root)
    {
        var own = Path.Combine(root, OwnName.Value);
        lock (Gate)
        {
            if (!Swept.Contains(root))
            {
                EnsurePrivate(root);
                Sweep(root, own);
                Swept.Add(root);
            }
        }
        Directory.CreateDirectory(own);
        return own;
    }


    /// <summary>
    /// The root of trial folders must be a folder of this user that no one else can write: on a
    /// shared machine another user could otherwise have made it first (or made it a link) and so
    /// read or plant trial workspaces, or turn the sweep of dead processes' folders against the
    /// host. A new root is made private (0700), one of this user's that others could write is closed to
    /// them; a link, a file or another user's folder is bad input, named.
    /// </summary>
    public static void EnsurePrivate(string root)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(root);
            return;
        }
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (FileTree.Ownership(root) is not { } found)
            return;
        var problem =
            found.Kind != EntryKind.Directory ? "not a folder (a link or a file)"
            : found.Owner != FileTree.EffectiveUser() ? $"owned by user {found.Owner}, not by this user ({FileTree.EffectiveUser()})"
            : null;
        if (problem is not null)
            throw new InvalidInputException($"{root}: the folder for trial workspaces is {problem}; it must be this user's and private (remove it, or set TMPDIR to a folder of your own)");
        // This user's folder, made under a looser umask: closed to others from now on.
        if ((found.Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            File.SetUnixFileMode(root, found.Mode & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
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
