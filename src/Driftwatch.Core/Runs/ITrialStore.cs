namespace Driftwatch.Core.Runs;

/// <summary>The trials of runs: which are pending, recording each exactly once, and their artifacts.</summary>
public interface ITrialStore
{
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

    Task<string?> GetArtifactAsync(long runId, TrialKey trial, ArtifactKind kind, CancellationToken cancellationToken = default);
}
