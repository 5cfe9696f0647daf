namespace Driftwatch.Core.Runs;

/// <summary>The process that works on a run, so that an interrupted run can be told from a live one.</summary>
public sealed record RunOwner(string Host, int ProcessId, DateTimeOffset ProcessStartedAt)
{
    /// <summary>The owner as one string (host, pid, start), stored with the run's lease.</summary>
    public string Id => FormattableString.Invariant($"{Host}/{ProcessId}/{ProcessStartedAt.UtcTicks}");
}

/// <summary>
/// A run is held by its owner for a lease that the owner renews while it works (a heartbeat); a
/// run whose lease ran out is taken to be abandoned, whichever machine its owner was on. An owner
/// on this machine that is provably dead (its pid gone, or reused by a later process) gives the
/// run up at once, without waiting for the lease.
/// </summary>
public static class RunLease
{
    /// <summary>
    /// How long a run stays held without a heartbeat: four missed heartbeats, so a busy machine or
    /// a slow disk does not lose its run, while an owner that vanished frees it within minutes.
    /// </summary>
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(2);

    /// <summary>How often the owner of a running run renews its lease.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);
}

/// <summary>What recording a trial did.</summary>
public enum RecordResult
{
    /// <summary>The trial was pending (never finished, or its last attempt an infrastructure error) and is now stored.</summary>
    Recorded,

    /// <summary>
    /// The trial already had a final outcome: nothing was written, the first recording stands. A job
    /// delivered twice (at-least-once delivery) records its trial once.
    /// </summary>
    AlreadyRecorded,
}

/// <summary>Filters for listing runs.</summary>
public sealed record RunQuery(string? Agent = null, string? Suite = null, int? Limit = null);

/// <summary>
/// Where runs and trials live. Every finished trial is committed at once; a planned trial is
/// pending until then, so an interrupted run can be resumed with nothing lost or duplicated.
/// </summary>
public interface IResultStore : IDisposable
{
    /// <summary>Creates a run with all its planned trials pending, held by <paramref name="owner"/> for a first lease.</summary>
    Task<long> CreateRunAsync(RunPlan plan, RunFingerprint fingerprint, DateTimeOffset startedAt, RunOwner owner, CancellationToken cancellationToken = default);

    Task<RunHeader?> GetRunAsync(long runId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RunHeader>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    Task<RunPlan> GetPlanAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Trials with no outcome yet, or whose last attempt ended in an infrastructure error.</summary>
    Task<IReadOnlyList<PlannedTrial>> GetPendingTrialsAsync(long runId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Trial>> GetTrialsAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits one finished trial and its artifacts in one transaction, exactly once: a trial that
    /// already has a final outcome is left as it is (<see cref="RecordResult.AlreadyRecorded"/>); one
    /// whose last attempt ended in an infrastructure error is recorded again (a resume). A trial
    /// the run never planned is a failure of the caller (<see cref="InvalidOperationException"/>).
    /// </summary>
    Task<RecordResult> RecordTrialAsync(Trial trial, IReadOnlyList<TrialArtifact> artifacts, Fingerprints.HarnessCapture? harness = null, CancellationToken cancellationToken = default);

    /// <summary>Every request the recording proxy saw in a run, by trial and order.</summary>
    Task<IReadOnlyList<(TrialKey Trial, Fingerprints.HarnessRequest Request)>> GetHarnessRequestsAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Stored harness texts (system prompts, contexts, tool sets) by hash; unknown hashes are left out.</summary>
    Task<IReadOnlyDictionary<string, string>> GetHarnessTextsAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes over an interrupted run for resuming: one with trials pending or in error, or one whose
    /// trials are all in but that was never closed. Fails when its owner still holds it (its lease
    /// is current and it is not provably dead), and when the run was closed complete with nothing
    /// left to run. The claim starts a fresh lease for <paramref name="owner"/>.
    /// </summary>
    Task ClaimRunAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// The heartbeat: extends the lease of a running run held by <paramref name="owner"/> by
    /// <see cref="RunLease.Length"/> from now. False when the run is no longer this owner's (it was
    /// closed, or taken over after the lease ran out).
    /// </summary>
    Task<bool> RenewLeaseAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default);

    Task UpdateFingerprintAsync(long runId, RunFingerprint fingerprint, CancellationToken cancellationToken = default);

    Task FinishRunAsync(long runId, RunStatus status, DateTimeOffset finishedAt, CancellationToken cancellationToken = default);

    /// <summary>The newest run that is incomplete (interrupted, never closed, or with errors left), if any.</summary>
    Task<long?> FindLatestResumableRunAsync(CancellationToken cancellationToken = default);

    Task<string?> GetArtifactAsync(long runId, TrialKey trial, ArtifactKind kind, CancellationToken cancellationToken = default);

    /// <summary>Every run of an agent on a suite with its trials' outcomes, oldest first (for detection).</summary>
    Task<Detection.History> GetHistoryAsync(string agent, string suite, CancellationToken cancellationToken = default);
}
