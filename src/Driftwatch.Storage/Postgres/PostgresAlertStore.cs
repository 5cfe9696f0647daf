using Driftwatch.Core.Alerts;
using Npgsql;
using static Driftwatch.Storage.Postgres.PostgresDatabase;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Postgres;

/// <summary>The last verdicts and the alert outbox in PostgreSQL, in the same database as the runs.</summary>
internal sealed class PostgresAlertStore(PostgresDatabase db) : IAlertStore
{
    public Task<VerdictState?> GetVerdictStateAsync(string agent, string suite, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var command = Command(connection, null, "SELECT verdict, behaviour_alarms FROM verdict_states WHERE agent = @agent AND suite = @suite;",
                ("agent", agent), ("suite", suite));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ReadVerdictState(reader) : null;
        });

    public Task<IReadOnlyList<long>> RecordVerdictAsync(string agent, string suite, VerdictState state, DateTimeOffset at, IReadOnlyList<Alert> alerts, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, """
                INSERT INTO verdict_states (agent, suite, verdict, behaviour_alarms, updated_at) VALUES (@agent, @suite, @verdict, @alarms, @at)
                ON CONFLICT (agent, suite) DO UPDATE SET verdict = excluded.verdict, behaviour_alarms = excluded.behaviour_alarms, updated_at = excluded.updated_at;
                """, cancellationToken, ("agent", agent), ("suite", suite), ("verdict", Alert.Name(state.Status)), ("alarms", BehaviourAlarmsJson(state)), ("at", Time(at)));
            var ids = new List<long>();
            foreach (var alert in alerts)
                ids.Add(await InsertAlertAsync(connection, transaction, alert, cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            IReadOnlyList<long> list = ids;
            return list;
        });

    public Task<long> AddAlertAsync(Alert alert, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            return await InsertAlertAsync(connection, null, alert, cancellationToken);
        });

    public Task<long?> AddRunAlertOnceAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        if (alert.RunId is not { } runId)
            throw new ArgumentException("an alert stored once per run needs its run", nameof(alert));
        return db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // One writer at a time per run and event (no unique key says "once"): the check and the insert cannot interleave.
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0));", cancellationToken,
                ("key", $"alert:{alert.Event}:{runId}"));
            await using (var existing = Command(connection, transaction, "SELECT 1 FROM alerts WHERE event = @event AND run_id = @run LIMIT 1;", ("event", alert.Event), ("run", runId)))
            {
                if (await existing.ExecuteScalarAsync(cancellationToken) is not null)
                    return (long?)null;
            }
            var id = await InsertAlertAsync(connection, transaction, alert, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return id;
        });
    }

    public Task<IReadOnlyList<StoredAlert>> GetUndeliveredAlertsAsync(CancellationToken cancellationToken = default) => ReadAlertsAsync("WHERE delivered_at IS NULL", cancellationToken);

    public Task MarkAlertDeliveredAsync(long id, string deliveries, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "UPDATE alerts SET delivered_at = @at, deliveries = @deliveries WHERE id = @id;", cancellationToken,
                ("at", Time(at)), ("deliveries", deliveries), ("id", id));
        });

    public Task<IReadOnlyList<StoredAlert>> ListAlertsAsync(CancellationToken cancellationToken = default) => ReadAlertsAsync("", cancellationToken);

    private static async Task<long> InsertAlertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Alert alert, CancellationToken cancellationToken)
    {
        await using var insert = Command(connection, transaction, """
            INSERT INTO alerts (created_at, event, agent, suite, run_id, payload) VALUES (@at, @event, @agent, @suite, @run, @payload)
            RETURNING id;
            """, ("at", Time(alert.At)), ("event", alert.Event), ("agent", alert.Agent), ("suite", alert.Suite),
            ("run", alert.RunId), ("payload", alert.ToJson()));
        return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }

    private Task<IReadOnlyList<StoredAlert>> ReadAlertsAsync(string where, CancellationToken cancellationToken) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var command = Command(connection, null, $"SELECT {AlertColumns} FROM alerts {where} ORDER BY id;");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var alerts = new List<StoredAlert>();
            while (await reader.ReadAsync(cancellationToken))
                alerts.Add(ReadAlert(reader));
            IReadOnlyList<StoredAlert> list = alerts;
            return list;
        });
}
