using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Driftwatch.Execution.Processes;

/// <summary>
/// Runs a process to its end or its timeout. On timeout, cancellation or a stop request the whole
/// process tree is killed. Standard output and error are each capped (default 1 MiB).
/// </summary>
public static partial class ProcessRunner
{
    private const int SigKill = 9;

    public const int DefaultOutputCapBytes = 1024 * 1024;

    /// <summary>Runs <paramref name="spec"/> to its end or its timeout; <paramref name="cancellationToken"/> kills it and throws.</summary>
    public static Task<ProcessResult> RunAsync(ProcessSpec spec, TimeSpan timeout, CancellationToken cancellationToken, int outputCapBytes = DefaultOutputCapBytes) =>
        RunAsync(spec, timeout, new ProcessWatch { OutputCapBytes = outputCapBytes }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="spec"/> under <paramref name="watch"/>: its <see cref="ProcessWatch.Started"/>
    /// is called as soon as the process runs, and its <see cref="ProcessWatch.Stop"/> kills the tree
    /// and returns (ending <see cref="ProcessEnding.Killed"/> until the caller says why), where
    /// <paramref name="cancellationToken"/> kills it and throws.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(ProcessSpec spec, TimeSpan timeout, ProcessWatch watch, CancellationToken cancellationToken)
    {
        var outputCapBytes = watch.OutputCapBytes;
        var started = watch.Started;
        var stop = watch.Stop;
        var info = new ProcessStartInfo(spec.FileName)
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in spec.Arguments)
            info.ArgumentList.Add(argument);
        info.Environment.Clear();
        foreach (var (key, value) in spec.Environment)
            info.Environment[key] = value;

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        try
        {
            await ProcessLauncher.StartAsync(process).ConfigureAwait(false);
        }
        catch (Win32Exception ex)
        {
            return new ProcessResult
            {
                ExitCode = -1,
                TimedOut = false,
                StandardOutput = "",
                StandardError = "",
                Duration = clock.Elapsed,
                StartFailure = $"cannot start '{spec.FileName}': {ex.Message}",
                Ending = ProcessEnding.StartFailed,
            };
        }

        var stdout = new CappedText(outputCapBytes);
        var stderr = new CappedText(outputCapBytes);
        var reading = Task.WhenAll(
            stdout.DrainAsync(process.StandardOutput.BaseStream),
            stderr.DrainAsync(process.StandardError.BaseStream));
        try
        {
            if (spec.StandardInput is { } input)
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited without reading its input: not our failure.
        }

        var timedOut = false;
        var stopped = false;
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop))
        {
            limit.CancelAfter(timeout);
            try
            {
                var exited = process.WaitForExitAsync(limit.Token);
                if (started is not null)
                    await started(process.Id, exited).WaitAsync(limit.Token).ConfigureAwait(false);
                await exited.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stopped = stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
                timedOut = !stopped && !cancellationToken.IsCancellationRequested;
                if (spec.LeadsProcessGroup)
                    KillGroup(process.Id);
                KillTree(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        // What the process left behind in its group dies with it; a descendant that escaped the
        // group and keeps the pipes open must not hang the read.
        if (spec.LeadsProcessGroup)
            KillGroup(process.Id);
        var drained = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false) == reading;
        if (drained)
            await reading.ConfigureAwait(false);

        cancellationToken.ThrowIfCancellationRequested();
        return new ProcessResult
        {
            ExitCode = process.ExitCode,
            TimedOut = timedOut,
            StandardOutput = drained ? stdout.ToString() : stdout + "\n[driftwatch: a left-over process kept the output open]\n",
            StandardError = stderr.ToString(),
            Duration = clock.Elapsed,
            Ending = timedOut ? ProcessEnding.TimedOut : stopped ? ProcessEnding.Killed : ProcessEnding.Exited,
            OutputTruncated = stdout.Truncated || stderr.Truncated,
        };
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Already exited, or a child vanished while the tree was walked.
        }
    }

    /// <summary>Kills every process of the group led by <paramref name="leader"/> (no error if none is left).</summary>
    private static void KillGroup(int leader)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            _ = Kill(-leader, SigKill);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>What to do around a process while it runs.</summary>
public sealed record ProcessWatch
{
    public int OutputCapBytes { get; init; } = ProcessRunner.DefaultOutputCapBytes;

    /// <summary>Called with the process id and a task that ends with the process, as soon as it runs (while its output is read).</summary>
    public Func<int, Task, Task>? Started { get; init; }

    /// <summary>Kills the process tree without throwing.</summary>
    public CancellationToken Stop { get; init; }
}
