using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;

namespace Driftwatch.Storage;

/// <summary>
/// A store made of one class per port on one database: it answers for every port by handing each
/// call to the port's class, so that SQLite and PostgreSQL differ only in those classes.
/// </summary>
public abstract class PortedStore(IRunStore runs, ITrialStore trials, IHarnessStore harness, IHistoryReader history,
    IScheduleStore schedule, IAlertStore alerts, IIngestStore ingest) : IResultStore, IScheduleStore, IAlertStore
{
    public IRunStore Runs { get; } = runs;
    public ITrialStore Trials { get; } = trials;
    public IHarnessStore Harness { get; } = harness;
    public IHistoryReader History { get; } = history;
    public IScheduleStore Schedule { get; } = schedule;
    public IAlertStore Alerts { get; } = alerts;
    public IIngestStore Ingest { get; } = ingest;

    public abstract Task PutSuiteBundleAsync(string revision, byte[] archive, CancellationToken cancellationToken = default);

    public abstract Task<byte[]?> GetSuiteBundleAsync(string revision, CancellationToken cancellationToken = default);

    public abstract Task<StoredVerdict?> GetStoredVerdictAsync(string agent, string suite, CancellationToken cancellationToken = default);

    public abstract Task PutStoredVerdictAsync(StoredVerdict verdict, CancellationToken cancellationToken = default);

    public abstract Task<StoredCalibration?> GetCalibrationAsync(string key, CancellationToken cancellationToken = default);

    public abstract Task PutCalibrationAsync(StoredCalibration calibration, CancellationToken cancellationToken = default);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);

    public Task<long> CreateRunAsync(RunPlan plan, RunFingerprint fingerprint, DateTimeOffset startedAt, RunOwner owner, CancellationToken cancellationToken = default) =>
        Runs.CreateRunAsync(plan, fingerprint, startedAt, owner, cancellationToken);

    public Task<RunHeader?> GetRunAsync(long runId, CancellationToken cancellationToken = default) => Runs.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunHeader>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default) => Runs.ListRunsAsync(query, cancellationToken);

    public Task<RunPlan> GetPlanAsync(long runId, CancellationToken cancellationToken = default) => Runs.GetPlanAsync(runId, cancellationToken);

    public Task ClaimRunAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default) => Runs.ClaimRunAsync(runId, owner, cancellationToken);

    public Task<bool> RenewLeaseAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default) => Runs.RenewLeaseAsync(runId, owner, cancellationToken);

    public Task<RunOwner?> GetOwnerAsync(long runId, CancellationToken cancellationToken = default) => Runs.GetOwnerAsync(runId, cancellationToken);

    public Task UpdateFingerprintAsync(long runId, RunFingerprint fingerprint, CancellationToken cancellationToken = default) =>
        Runs.UpdateFingerprintAsync(runId, fingerprint, cancellationToken);

    public Task FinishRunAsync(long runId, RunStatus status, DateTimeOffset finishedAt, CancellationToken cancellationToken = default) =>
        Runs.FinishRunAsync(runId, status, finishedAt, cancellationToken);

    public Task<string> GetChangeStampAsync(CancellationToken cancellationToken = default) => Runs.GetChangeStampAsync(cancellationToken);

    public Task<long?> FindLatestResumableRunAsync(CancellationToken cancellationToken = default) => Runs.FindLatestResumableRunAsync(cancellationToken);

    public Task<IReadOnlyList<PlannedTrial>> GetPendingTrialsAsync(long runId, CancellationToken cancellationToken = default) => Trials.GetPendingTrialsAsync(runId, cancellationToken);

    public Task<IReadOnlyList<Trial>> GetTrialsAsync(long runId, CancellationToken cancellationToken = default) => Trials.GetTrialsAsync(runId, cancellationToken);

    public Task<RecordResult> RecordTrialAsync(Trial trial, IReadOnlyList<TrialArtifact> artifacts, HarnessCapture? harness = null, CancellationToken cancellationToken = default) =>
        Trials.RecordTrialAsync(trial, artifacts, harness, cancellationToken);

    public Task<string?> GetArtifactAsync(long runId, TrialKey trial, ArtifactKind kind, CancellationToken cancellationToken = default) =>
        Trials.GetArtifactAsync(runId, trial, kind, cancellationToken);

    public Task<IReadOnlyList<(TrialKey Trial, HarnessRequest Request)>> GetHarnessRequestsAsync(long runId, CancellationToken cancellationToken = default) =>
        Harness.GetHarnessRequestsAsync(runId, cancellationToken);

    public Task<IReadOnlyDictionary<string, string>> GetHarnessTextsAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default) =>
        Harness.GetHarnessTextsAsync(hashes, cancellationToken);

    public Task<History> GetHistoryAsync(string agent, string suite, CancellationToken cancellationToken = default) => History.GetHistoryAsync(agent, suite, cancellationToken);

    public Task<History> GetHistoryAsync(string agent, string suite, bool withMetrics, CancellationToken cancellationToken = default) =>
        History.GetHistoryAsync(agent, suite, withMetrics, cancellationToken);

    public Task<IReadOnlyList<Trial>> GetTaskTrialsAsync(string agent, string suite, string taskId, CancellationToken cancellationToken = default) =>
        History.GetTaskTrialsAsync(agent, suite, taskId, cancellationToken);

    public Task<SlotClaim> ClaimSlotAsync(string entry, DateTimeOffset slot, RunOwner owner, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Schedule.ClaimSlotAsync(entry, slot, owner, now, cancellationToken);

    public Task SetSlotRunAsync(string entry, DateTimeOffset slot, long runId, CancellationToken cancellationToken = default) =>
        Schedule.SetSlotRunAsync(entry, slot, runId, cancellationToken);

    public Task FinishSlotAsync(string entry, DateTimeOffset slot, SlotStatus status, string? note, DateTimeOffset finishedAt, CancellationToken cancellationToken = default) =>
        Schedule.FinishSlotAsync(entry, slot, status, note, finishedAt, cancellationToken);

    public Task<IReadOnlyList<SlotRecord>> ListSlotsAsync(string? entry = null, CancellationToken cancellationToken = default) => Schedule.ListSlotsAsync(entry, cancellationToken);

    public Task<VerdictState?> GetVerdictStateAsync(string agent, string suite, CancellationToken cancellationToken = default) => Alerts.GetVerdictStateAsync(agent, suite, cancellationToken);

    public Task<IReadOnlyList<long>> RecordVerdictAsync(string agent, string suite, VerdictState state, DateTimeOffset at, IReadOnlyList<Alert> alerts, CancellationToken cancellationToken = default) =>
        Alerts.RecordVerdictAsync(agent, suite, state, at, alerts, cancellationToken);

    public Task<long> AddAlertAsync(Alert alert, CancellationToken cancellationToken = default) => Alerts.AddAlertAsync(alert, cancellationToken);

    public Task<long?> AddRunAlertOnceAsync(Alert alert, CancellationToken cancellationToken = default) => Alerts.AddRunAlertOnceAsync(alert, cancellationToken);

    public Task<IReadOnlyList<StoredAlert>> GetUndeliveredAlertsAsync(CancellationToken cancellationToken = default) => Alerts.GetUndeliveredAlertsAsync(cancellationToken);

    public Task MarkAlertDeliveredAsync(long id, string deliveries, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        Alerts.MarkAlertDeliveredAsync(id, deliveries, at, cancellationToken);

    public Task<IReadOnlyList<StoredAlert>> ListAlertsAsync(CancellationToken cancellationToken = default) => Alerts.ListAlertsAsync(cancellationToken);

    public Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<IngestedRun> runs, CancellationToken cancellationToken = default) =>
        Ingest.IngestAsync(runs, cancellationToken);
}
