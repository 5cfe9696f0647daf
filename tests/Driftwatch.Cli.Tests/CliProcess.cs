using System.Diagnostics;
using Driftwatch.Testing;

namespace Driftwatch.Cli.Tests;

/// <summary>The real driftwatch executable in a child process, for tests that kill it.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private CliProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static CliProcess Start(string workingDirectory, params string[] args) => Start(workingDirectory, [], null, args);

    /// <summary>Starts the CLI with <paramref name="environment"/> set on top of this process's (a null value removes the variable).</summary>
    public static CliProcess Start(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Start(workingDirectory, [], environment, args);

    /// <summary>
    /// Starts the CLI through <paramref name="launcher"/> (a command that ends by executing its
    /// arguments: unshare, setpriv), with <paramref name="environment"/> set on top of this
    /// process's (a null value removes the variable).
    /// </summary>
    public static CliProcess Start(string workingDirectory, IReadOnlyList<string> launcher, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var word in launcher.Skip(1))
            info.ArgumentList.Add(word);
        if (launcher.Count > 0)
            info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(RepositoryPaths.CliAssembly);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment.Remove("DRIFTWATCH_DB");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }
        return new CliProcess(Process.Start(info)!);
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed or closed.</summary>
    public void KillHard() => _process.Kill();

    /// <summary>Sends a POSIX signal (SIGINT = 2, SIGTERM = 15), as Ctrl-C or a service manager would.</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<(int ExitCode, string Output, string Error)> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return (_process.ExitCode, await _stdout, await _stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
