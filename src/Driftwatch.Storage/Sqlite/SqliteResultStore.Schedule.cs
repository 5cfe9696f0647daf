using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Microsoft.Data.Sqlite;

namespace Driftwatch.Storage.Sqlite;

/// <summary>The scheduler's slots, the last verdicts and the alert outbox, in the same file as the runs.</summary>
public sealed partial class SqliteResultStore : IScheduleStore, IAlertStore
{
    public Task<SlotClaim> ClaimSlotAsync(string entry, DateTimeOffset slot, RunOwner owner, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            // IMMEDIATE: two schedulers on one file cannot both see the slot free.
            using var transaction = connection.BeginTransaction(deferred: false);
            var existing = ReadSlots(connection, transaction, "WHERE entry = $entry AND slot_at = $slot", ("$entry", entry), ("$slot", Time(slot)));
            if (existing.Count == 0)
            {
                Execute(connection, """
                    INSERT INTO schedule_slots (entry, slot_at, status, claimed_at, owner_host, owner_pid, owner_started_at)
                    VALUES ($entry, $slot, 'running', $now, $host, $pid, $started);
                    """, transaction, ("$entry", entry), ("$slot", Time(slot)), ("$now", Time(now)),
                    ("$host", owner.Host), ("$pid", owner.ProcessId), ("$started", Time(owner.ProcessStartedAt)));
                transaction.Commit();
                return new SlotClaim(ClaimResult.New, new SlotRecord(entry, slot, null, SlotStatus.Running, now, null, null));
            }
            var (record, slotOwner) = existing[0];
            var takeOver = record.Status == SlotStatus.Interrupted
                || (record.Status == SlotStatus.Running && slotOwner is not null && !_isOwnerAlive(slotOwner));
            if (!takeOver)
            {
                transaction.Commit();
                return new SlotClaim(record.Status == SlotStatus.Running ? ClaimResult.Busy : ClaimResult.Done, record);
            }
            Execute(connection, """
                UPDATE schedule_slots SET status = 'running', owner_host = $host, owner_pid = $pid, owner_started_at = $started
                WHERE entry = $entry AND slot_at = $slot;
                """, transaction, ("$entry", entry), ("$slot", Time(slot)),
                ("$host", owner.Host), ("$pid", owner.ProcessId), ("$started", Time(owner.ProcessStartedAt)));
            transaction.Commit();
            return new SlotClaim(ClaimResult.TakenOver, record with { Status = SlotStatus.Running });
        }));

    public Task SetSlotRunAsync(string entry, DateTimeOffset slot, long runId, CancellationToken cancellationToken = default)
    {
        Guard(() =>
        {
            using var connection = OpenConnection();
            Execute(connection, "UPDATE schedule_slots SET run_id = $run WHERE entry = $entry AND slot_at = $slot;", null,
                ("$run", runId), ("$entry", entry), ("$slot", Time(slot)));
        });
        return Task.CompletedTask;
    }

    public Task FinishSlotAsync(string entry, DateTimeOffset slot, SlotStatus status, string? note, DateTimeOffset finishedAt, CancellationToken cancellationToken = default)
    {
        Guard(() =>
        {
            using var connection = OpenConnection();
            Execute(connection, """
                UPDATE schedule_slots SET status = $status, note = $note, finished_at = $finished, owner_pid = NULL
                WHERE entry = $entry AND slot_at = $slot;
                """, null, ("$status", SlotName(status)), ("$note", note), ("$finished", Time(finishedAt)),
                ("$entry", entry), ("$slot", Time(slot)));
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SlotRecord>> ListSlotsAsync(string? entry = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            IReadOnlyList<SlotRecord> slots = ReadSlots(connection, null, "WHERE ($entry IS NULL OR entry = $entry)", ("$entry", entry))
                .Select(s => s.Record).ToList();
            return slots;
        }));

    public Task<VerdictStatus?> GetVerdictStateAsync(string agent, string suite, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            using var command = Command(connection, null, "SELECT verdict FROM verdict_states WHERE agent = $agent AND suite = $suite;",
                ("$agent", agent), ("$suite", suite));
            return command.ExecuteScalar() is string name ? ParseVerdict(name) : (VerdictStatus?)null;
        }));

    public Task<long?> RecordVerdictAsync(string agent, string suite, VerdictStatus status, DateTimeOffset at, Alert? alert, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            Execute(connection, """
                INSERT INTO verdict_states (agent, suite, verdict, updated_at) VALUES ($agent, $suite, $verdict, $at)
                ON CONFLICT (agent, suite) DO UPDATE SET verdict = excluded.verdict, updated_at = excluded.updated_at;
                """, transaction, ("$agent", agent), ("$suite", suite), ("$verdict", Alert.Name(status)), ("$at", Time(at)));
            long? id = alert is null ? null : InsertAlert(connection, transaction, alert);
            transaction.Commit();
            return id;
        }));

    public Task<long> AddAlertAsync(Alert alert, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            return InsertAlert(connection, null, alert);
        }));

    public Task<long?> AddRunAlertOnceAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        if (alert.RunId is not { } runId)
            throw new ArgumentException("an alert stored once per run needs its run", nameof(alert));
        return Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
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
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            IReadOnlyList<StoredAlert> alerts = ReadAlerts(connection, "WHERE delivered_at IS NULL");
            return alerts;
        }));

    public Task MarkAlertDeliveredAsync(long id, string deliveries, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        Guard(() =>
        {
            using var connection = OpenConnection();
            Execute(connection, "UPDATE alerts SET delivered_at = $at, deliveries = $deliveries WHERE id = $id;", null,
                ("$at", Time(at)), ("$deliveries", deliveries), ("$id", id));
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredAlert>> ListAlertsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
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
        using var command = Command(connection, null, $"""
            SELECT id, created_at, event, agent, suite, run_id, payload, delivered_at, deliveries FROM alerts {where} ORDER BY id;
            """);
        using var reader = command.ExecuteReader();
        var alerts = new List<StoredAlert>();
        while (reader.Read())
        {
            alerts.Add(new StoredAlert(reader.GetInt64(0), ParseTime(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), NullableLong(reader, 5), reader.GetString(6),
                reader.IsDBNull(7) ? null : ParseTime(reader.GetString(7)), NullableString(reader, 8)));
        }
        return alerts;
    }

    private static List<(SlotRecord Record, RunOwner? Owner)> ReadSlots(SqliteConnection connection, SqliteTransaction? transaction, string where, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, $"""
            SELECT entry, slot_at, run_id, status, claimed_at, finished_at, note, owner_host, owner_pid, owner_started_at
            FROM schedule_slots {where} ORDER BY slot_at, entry;
            """, parameters);
        using var reader = command.ExecuteReader();
        var slots = new List<(SlotRecord, RunOwner?)>();
        while (reader.Read())
        {
            var record = new SlotRecord(reader.GetString(0), ParseTime(reader.GetString(1)), NullableLong(reader, 2),
                ParseSlot(reader.GetString(3)), ParseTime(reader.GetString(4)),
                reader.IsDBNull(5) ? null : ParseTime(reader.GetString(5)), NullableString(reader, 6));
            var owner = reader.IsDBNull(8) ? null : new RunOwner(reader.GetString(7), reader.GetInt32(8), ParseTime(reader.GetString(9)));
            slots.Add((record, owner));
        }
        return slots;
    }

    private static string SlotName(SlotStatus status) => status.ToString().ToLowerInvariant();

    private static SlotStatus ParseSlot(string name) =>
        Enum.TryParse<SlotStatus>(name, ignoreCase: true, out var status) ? status : throw new InvalidOperationException($"unknown slot status '{name}'");

    private static VerdictStatus ParseVerdict(string name) =>
        Enum.TryParse<VerdictStatus>(name, ignoreCase: true, out var status) ? status : throw new InvalidOperationException($"unknown verdict '{name}'");
}
