namespace Driftwatch.Core.Runs;

/// <summary>Runs as a whole: their plans, who holds them (by lease), and how they were closed.</summary>
public interface IRunStore
{
    /// <summary>Creates a run with all its planned trials pending, held by <paramref name="owner"/> for a first lease.</summary>
    Task<long> CreateRunAsync(RunPlan plan, RunFingerprint fingerprint, DateTimeOffset startedAt, RunOwner owner, CancellationToken cancellationToken = default);

    Task<RunHeader?> GetRunAsync(long runId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RunHeader>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    Task<RunPlan> GetPlanAsync(long runId, CancellationToken cancellationToken = default);

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

    /// <summary>Who holds (or last held) the run, or null when it is not found or never had an owner.</summary>
    Task<RunOwner?> GetOwnerAsync(long runId, CancellationToken cancellationToken = default);

    Task UpdateFingerprintAsync(long runId, RunFingerprint fingerprint, CancellationToken cancellationToken = default);

    Task FinishRunAsync(long runId, RunStatus status, DateTimeOffset finishedAt, CancellationToken cancellationToken = default);

    /// <summary>The newest run that is incomplete (interrupted, never closed, or with errors left), if any.</summary>
    Task<long?> FindLatestResumableRunAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// A stamp that changes whenever a run or any of its trials is written, a run is added or a run
    /// is removed: equal stamps, the same runs and trials (#20: the dashboard keeps what it rendered
    /// while the stamp holds). One row per run at most, never a trial.
    /// </summary>
    Task<string> GetChangeStampAsync(CancellationToken cancellationToken = default);
}
