using System.Diagnostics;
using Driftwatch.Testing;

namespace Driftwatch.Cli.Tests;

/// <summary>
/// How a test keeps the CLI from writing a folder, in a way that binds even root (CI runs the
/// tests as root, and root ignores permissions).
/// </summary>
public enum Confinement
{
    /// <summary>The folder bind-mounted read-only in a mount namespace of the CLI's own: nothing leaks to the machine.</summary>
    ReadOnlyMount,

    /// <summary>
    /// The folder not writable by the CLI's user: as root, the CLI runs as nobody (setpriv) on a
    /// folder root owns; as anyone else, the folder and its files lose their write bits.
    /// </summary>
    NoWritePermission,

    /// <summary>
    /// The folder (its files copied in) on a 4 MiB tmpfs filled to the last block, mounted in a
    /// mount namespace of the CLI's own: gone when the CLI ends.
    /// </summary>
    FullDisk,
}

/// <summary>Runs the real CLI in a child process that cannot write a given folder (see <see cref="Confinement"/>).</summary>
public static class ConfinedCli
{
    private const int Nobody = 65534;

    private static readonly Lazy<string?> MountProblem = new(ProbeMount);
    private static readonly Lazy<string?> PermissionProblem = new(ProbePermission);
    private static readonly Lazy<string?> TmpfsProblem = new(ProbeTmpfs);
    private static readonly Lazy<string> NobodysTemp = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "driftwatch-tests", "nobody-tmp");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)0b1_111_111_111);
        return folder;
    });

    private const string FillWithTmpfs = """
        set -e
        seed=$(TMPDIR=/tmp mktemp -d)
        cp -a "$0"/. "$seed"/
        mount -t tmpfs -o size=4m tmpfs "$0"
        cp -a "$seed"/. "$0"/
        rm -rf "$seed"
        dd if=/dev/urandom of="$0/.filler" bs=4k 2>/dev/null || true
        exec "$@"
        """;

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Why <paramref name="confinement"/> cannot be used on this machine, or null when it can.</summary>
    public static string? Unavailable(Confinement confinement) => confinement switch
    {
        Confinement.ReadOnlyMount => MountProblem.Value,
        Confinement.FullDisk => TmpfsProblem.Value,
        _ => PermissionProblem.Value,
    };

    /// <summary>Starts the CLI so that it cannot write <paramref name="folder"/> (see <see cref="Confinement"/>).</summary>
    public static CliProcess Start(Confinement confinement, string folder, string workingDirectory, params string[] args) =>
        Start(confinement, folder, workingDirectory, null, args);

    /// <summary>As <see cref="Start(Confinement, string, string, string[])"/>, with variables set for the CLI (TMPDIR).</summary>
    public static CliProcess Start(Confinement confinement, string folder, string workingDirectory, IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        var environment = (variables ?? new Dictionary<string, string>()).ToDictionary(p => p.Key, p => (string?)p.Value);
        IReadOnlyList<string> launcher = [];
        if (confinement == Confinement.ReadOnlyMount)
        {
            launcher = ["unshare", "--mount", "--propagation", "private", "sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && exec \"$@\"", folder];
        }
        else if (confinement == Confinement.FullDisk)
        {
            launcher = ["unshare", "--mount", "--propagation", "private", "sh", "-c", FillWithTmpfs, folder];
        }
        else if (IsRoot)
        {
            launcher = ["setpriv", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups"];
            // nobody may not enter root's home; nothing the CLI does needs one.
            environment["HOME"] = "/nonexistent";
            // $TMPDIR/driftwatch may be root's already (made by a run as root): nobody gets a TMPDIR of its own.
            environment.TryAdd("TMPDIR", NobodysTemp.Value);
        }
        return CliProcess.Start(workingDirectory, launcher, environment, args);
    }

    /// <summary>Runs the CLI confined to the end and returns what it printed.</summary>
    public static Task<CliResult> RunAsync(Confinement confinement, string folder, string workingDirectory, params string[] args) =>
        RunAsync(confinement, folder, workingDirectory, null, args);

    /// <summary>Runs the CLI confined, with variables set for it, to the end.</summary>
    public static async Task<CliResult> RunAsync(Confinement confinement, string folder, string workingDirectory, IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        using var process = Start(confinement, folder, workingDirectory, variables, args);
        var (exitCode, output, error) = await process.WaitAsync(TimeSpan.FromMinutes(5));
        return new CliResult(exitCode, output, error);
    }

    /// <summary>
    /// Prepares <paramref name="folder"/> for <paramref name="confinement"/> and returns what
    /// undoes it; <paramref name="writableByTheCli"/> are folders the confined CLI must be able to
    /// write (a report's output).
    /// </summary>
    public static IDisposable Prepare(Confinement confinement, string folder, params string[] writableByTheCli)
    {
        if (confinement == Confinement.NoWritePermission && IsRoot)
        {
            foreach (var writable in writableByTheCli)
            {
                Directory.CreateDirectory(writable);
                File.SetUnixFileMode(writable, (UnixFileMode)0b111_111_111);
            }
            return new Undo(() => { });
        }
        if (confinement == Confinement.NoWritePermission)
        {
            var files = Directory.GetFiles(folder);
            foreach (var file in files)
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            return new Undo(() =>
            {
                File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
                foreach (var file in files)
                    File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
            });
        }
        return new Undo(() => { });
    }

    private static string? ProbeMount()
    {
        using var temp = new TempDirectory("probe-mount");
        var (exit, error) = Run("unshare", "--mount", "--propagation", "private", "sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && ! touch \"$0/probe\" 2>/dev/null", temp.Path);
        return exit == 0 ? null : $"a read-only bind mount in a private mount namespace is not permitted here (unshare --mount, mount --bind -o ro: exit {exit}: {error.Trim()})";
    }

    private static string? ProbeTmpfs()
    {
        using var temp = new TempDirectory("probe-tmpfs");
        var (exit, error) = Run("unshare", "--mount", "--propagation", "private", "sh", "-c", FillWithTmpfs, temp.Path, "sh", "-c", "! echo x > \"$0/probe\" 2>/dev/null", temp.Path);
        return exit == 0 ? null : $"a full tmpfs in a private mount namespace cannot be made here (unshare --mount, mount -t tmpfs: exit {exit}: {error.Trim()})";
    }

    private static string? ProbePermission()
    {
        if (!IsRoot)
            return null;
        var (exit, error) = Run("setpriv", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "dotnet", RepositoryPaths.CliAssembly, "--version");
        return exit == 0 ? null : $"the CLI cannot be run as an unprivileged user here (setpriv --reuid={Nobody} dotnet {RepositoryPaths.CliAssembly}: exit {exit}: {error.Trim()})";
    }

    private static (int ExitCode, string Error) Run(string program, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in args)
                info.ArgumentList.Add(arg);
            info.Environment["HOME"] = "/nonexistent";
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"{program}: {ex.Message}");
        }
    }

    private sealed class Undo(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
