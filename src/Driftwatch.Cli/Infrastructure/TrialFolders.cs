using Driftwatch.Core;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Workspaces;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>
/// Trial folders live under $TMPDIR/driftwatch. A TMPDIR that cannot hold them (read-only, not
/// the user's, full, not a folder) would end every trial in an infrastructure error and the run
/// incomplete with exit 0: it is bad input, named, before anything is stored or started.
/// </summary>
internal static class TrialFolders
{
    /// <summary>Room a trial needs at the least (its workspace copy, the agent's and the tests' output, reports), written once to find a full disk.</summary>
    private const int ProbeBytes = 1 << 20;

    /// <summary>Where the trial runner makes trial folders (TrialOptions' default).</summary>
    public static string Root => new TrialOptions().WorkRoot;

    /// <summary>Makes this process's folder under <see cref="Root"/> and writes a probe in it, or throws bad input naming TMPDIR.</summary>
    public static void EnsureUsable() => EnsureUsable(Root);

    public static void EnsureUsable(string root)
    {
        try
        {
            var own = WorkRoot.ForThisProcess(root);
            var bytes = new byte[ProbeBytes];
            // Not zeros: a compressing file system would store them in no room at all.
            Random.Shared.NextBytes(bytes);
            using var probe = new FileStream(Path.Combine(own, $".probe-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.DeleteOnClose);
            probe.Write(bytes);
            probe.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"TMPDIR: trial folders cannot be made under {root} ({IoReason.Of(ex)}); set TMPDIR to a writable folder with free space", ex);
        }
    }
}
