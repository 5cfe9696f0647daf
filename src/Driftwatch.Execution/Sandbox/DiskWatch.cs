using Driftwatch.Core.Files;

namespace Driftwatch.Execution.Sandbox;

/// <summary>
/// Keeps a process tree's writable folders under the disk limit: their use (blocks really taken,
/// so a sparse file costs what it stores) and their number of entries are measured every half
/// second while the tree runs, and the tree is stopped the moment either passes its ceiling. A
/// file is capped on its own by RLIMIT_FSIZE; what a writer adds between two looks is bounded by
/// the disk's speed over half a second.
/// </summary>
internal sealed class DiskWatch(IReadOnlyList<string> folders, ResourceLimits limits)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>Why the tree was stopped; null while it was not.</summary>
    public string? Exceeded { get; private set; }

    /// <summary>Watches until <paramref name="done"/> is cancelled; cancels <paramref name="stop"/> when the limit is passed.</summary>
    public async Task WatchAsync(CancellationTokenSource stop, CancellationToken done)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(done).ConfigureAwait(false))
            {
                if (Measure() is { } reason)
                {
                    Exceeded = reason;
                    await stop.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The process ended.
        }
    }

    /// <summary>Null when the folders are within the limits; otherwise what was passed.</summary>
    public string? Measure()
    {
        long bytes = 0;
        var entries = 0;
        foreach (var folder in folders)
        {
            foreach (var entry in FileTree.Walk(folder))
            {
                bytes += entry.DiskBytes;
                entries++;
                if (bytes > limits.MaxDiskBytes)
                    return $"the trial's folders took more than {Describe(limits.MaxDiskBytes)} of disk";
                if (entries > limits.MaxDiskEntries)
                    return $"the trial's folders held more than {limits.MaxDiskEntries} files and folders";
            }
        }
        return null;
    }

    public static string Describe(long bytes) => bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB" : $"{bytes >> 20} MiB";
}
