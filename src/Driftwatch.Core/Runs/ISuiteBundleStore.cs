namespace Driftwatch.Core.Runs;

/// <summary>
/// Suites by content: a suite's files packed as one archive under its revision (the hash of those
/// files), so that a worker on another machine runs a run's trials on exactly the suite the run
/// was planned with, whatever folder it came from on the machine that planned it.
/// </summary>
public interface ISuiteBundleStore
{
    /// <summary>Stores the archive of a suite revision, once: a revision already stored is left as it is (its content is the same by construction).</summary>
    Task PutSuiteBundleAsync(string revision, byte[] archive, CancellationToken cancellationToken = default);

    /// <summary>The archive stored for the revision, or null.</summary>
    Task<byte[]?> GetSuiteBundleAsync(string revision, CancellationToken cancellationToken = default);
}
