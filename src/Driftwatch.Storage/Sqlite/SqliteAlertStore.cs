using Driftwatch.Core.Alerts;
using Microsoft.Data.Sqlite;
using static Driftwatch.Storage.Sqlite.Sql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Sqlite;

/// <summary>The last verdicts and the alert outbox in SQLite, in the same file as the runs.</summary>
internal sealed class SqliteAlertStore(SqliteDatabase db) : IAlertStore
{
    public Task<VerdictState?> GetVerdictStateAsync(string agent, string suite, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var command = Command(connection, null, "SELECT verdict, behaviour_alarms FROM verdict_states WHERE agent = $agent AND suite = $suite;",
                ("$agent", agent), ("$suite", suite));
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadVerdictState(reader) : null;
        }));

    public Task<IReadOnlyList<long>> RecordVerdictAsync(string agent, string suite, VerdictState state, DateTimeOffset at, IReadOnlyList<Alert> alerts, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            // No behaviour alarm is NULL, as in the rows recorded before the column existed.
            var alarms = BehaviourAlarmsJson(state);
            Execute(connection, """
                INSERT INTO verdict_states (agent, suite, verdict, behaviour_alarms, updated_at) VALUES ($agent, $suite, $verdict, $alarms, $at)
                ON CONFLICT (agent, suite) DO UPDATE SET verdict = excluded.verdict, behaviour_alarms = excluded.behaviour_alarms, updated_at = excluded.updated_at;
                """, transaction, ("$agent", agent), ("$suite", suite), ("$verdict", Alert.Name(state.Status)), ("$alarms", alarms), ("$at", Time(at)));
            IReadOnlyList<long> ids = [.. alerts.Select(alert => InsertAlert(connection, transaction, alert))];
            transaction.Commit();
            return ids;
        }));

    public Task<long> AddAlertAsync(Alert alert, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            return InsertAlert(connection, null, alert);
        }));

    public Task<long?> AddRunAlertOnceAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        if (alert.RunId is not { } runId)
            throw new ArgumentException("an alert stored once per run needs its run", nameof(alert));
        return Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            using (var existing = Command(connection, transaction, "SELECT 1 FROM alerts WHERE event = $event AND run_id = $run LIMIT 1;", ("$event", alert.Event), ("$run", runId)))
            {
                if (existing.ExecuteScalar() is not null)
                    return (long?)null;
            }
            var id = InsertAlert(connection, transaction, alert);
            transaction.Commit();
            return id;
        }));
    }

    public Task<IReadOnlyList<StoredAlert>> GetUndeliveredAlertsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            IReadOnlyList<StoredAlert> alerts = ReadAlerts(connection, "WHERE delivered_at IS NULL");
            return alerts;
        }));

    public Task MarkAlertDeliveredAsync(long id, string deliveries, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            Execute(connection, "UPDATE alerts SET delivered_at = $at, deliveries = $deliveries WHERE id = $id;", null,
                ("$at", Time(at)), ("$deliveries", deliveries), ("$id", id));
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredAlert>> ListAlertsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            IReadOnlyList<StoredAlert> alerts = ReadAlerts(connection, "");
            return alerts;
        }));

    private static long InsertAlert(SqliteConnection connection, SqliteTransaction? transaction, Alert alert)
    {
        using var insert = Command(connection, transaction, """
            INSERT INTO alerts (created_at, event, agent, suite, run_id, payload) VALUES ($at, $event, $agent, $suite, $run, $payload)
            RETURNING id;
            """, ("$at", Time(alert.At)), ("$event", alert.Event), ("$agent", alert.Agent), ("$suite", alert.Suite),
            ("$run", alert.RunId), ("$payload", alert.ToJson()));
        return (long)insert.ExecuteScalar()!;
    }

    private static List<StoredAlert> ReadAlerts(SqliteConnection connection, string where)
    {
        using var command = Command(connection, null, $"SELECT {AlertColumns} FROM alerts {where} ORDER BY id;");
        using var reader = command.ExecuteReader();
        var alerts = new List<StoredAlert>();
        while (reader.Read())
            alerts.Add(ReadAlert(reader));
        return alerts;
    }
}
