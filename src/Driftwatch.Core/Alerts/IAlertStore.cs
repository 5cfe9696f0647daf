namespace Driftwatch.Core.Alerts;

/// <summary>An alert as stored: waiting for delivery until <see cref="DeliveredAt"/> is set.</summary>
public sealed record StoredAlert(long Id, DateTimeOffset CreatedAt, string Event, string Agent, string Suite, long? RunId, string Payload, DateTimeOffset? DeliveredAt, string? Deliveries);

/// <summary>
/// The last verdict per agent × suite and an outbox of alerts. A verdict change and its alert are
/// written in one transaction and delivered afterwards, so an alert fires once per change even
/// across restarts, and one left undelivered by a crash is sent on the next start.
/// </summary>
public interface IAlertStore
{
    /// <summary>The verdict last recorded for this agent × suite (its status and behaviour alarms), if any.</summary>
    Task<VerdictState?> GetVerdictStateAsync(string agent, string suite, CancellationToken cancellationToken = default);

    /// <summary>Records the verdict and the alerts it raises (pending delivery), in one transaction; returns the alerts' ids.</summary>
    Task<IReadOnlyList<long>> RecordVerdictAsync(string agent, string suite, VerdictState state, DateTimeOffset at, IReadOnlyList<Alert> alerts, CancellationToken cancellationToken = default);

    /// <summary>Stores an alert that is not a verdict change (a run that ended incomplete or could not start).</summary>
    Task<long> AddAlertAsync(Alert alert, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores an alert about a run unless an alert of the same event about the same run is stored
    /// already; returns its id, or null when there was one. A run closed again after a crash (its
    /// alerts stored, its slot not yet closed) so raises each of them once.
    /// </summary>
    Task<long?> AddRunAlertOnceAsync(Alert alert, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredAlert>> GetUndeliveredAlertsAsync(CancellationToken cancellationToken = default);

    /// <summary>Closes an alert with what each sink said (sink names and outcomes, never URLs).</summary>
    Task MarkAlertDeliveredAsync(long id, string deliveries, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredAlert>> ListAlertsAsync(CancellationToken cancellationToken = default);
}
