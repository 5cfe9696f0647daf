using System.Collections.Concurrent;
using System.Diagnostics;

namespace Driftwatch.Execution.Processes;

/// <summary>
/// Starts every child process from one thread that lives as long as this process. Linux ties a
/// child's parent-death signal (PR_SET_PDEATHSIG, which bubblewrap's --die-with-parent sets) to
/// the thread that forked it, not to the process; the runtime retires idle thread-pool threads
/// after about 20 s, so a child forked from one would be killed mid-run by a signal nobody sent.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = [];

    static ProcessLauncher()
    {
        var thread = new Thread(Serve) { IsBackground = true, Name = "driftwatch-process-launcher" };
        thread.Start();
    }

    /// <summary>Starts <paramref name="process"/> on the launcher thread; faults as <see cref="Process.Start()"/> would throw.</summary>
    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    private static void Serve()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
