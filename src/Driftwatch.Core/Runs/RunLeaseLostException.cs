namespace Driftwatch.Core.Runs;

/// <summary>
/// The process working on a run no longer holds it: a heartbeat found the run taken over by
/// another owner after its lease ran out, or the lease could not be renewed before it ran out (so
/// another process may take it over). The process stops at once, records nothing more and leaves
/// the run open for whoever holds it now; the command line reports it as an interruption.
/// </summary>
public sealed class RunLeaseLostException : Exception
{
    public RunLeaseLostException(long runId, string message)
        : base(message) => RunId = runId;

    public RunLeaseLostException()
    {
    }

    public RunLeaseLostException(string message)
        : base(message)
    {
    }

    public RunLeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public long RunId { get; }

    /// <summary>The run was taken over by <paramref name="newOwner"/> (null when the store no longer names one).</summary>
    public static RunLeaseLostException TakenOver(long runId, RunOwner? newOwner) => new(runId,
        FormattableString.Invariant($"run {runId} was taken over by {(newOwner is null ? "another process" : newOwner.Id)} after its lease expired; nothing more is recorded by this process"));

    /// <summary>Every renewal failed until the lease ran out: another process may take the run over now.</summary>
    public static RunLeaseLostException Expired(long runId, string lastError) => new(runId,
        FormattableString.Invariant($"run {runId} lost its lease: it could not be renewed before it expired ({lastError}); another process may take the run over, so nothing more is recorded by this process"));
}
