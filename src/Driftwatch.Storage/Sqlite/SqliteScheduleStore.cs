using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Microsoft.Data.Sqlite;
using static Driftwatch.Storage.Sqlite.Sql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Sqlite;

/// <summary>The scheduler's slots in SQLite, in the same file as the runs.</summary>
internal sealed class SqliteScheduleStore(SqliteDatabase db) : IScheduleStore
{
    public Task<SlotClaim> ClaimSlotAsync(string entry, DateTimeOffset slot, RunOwner owner, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
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
                || (record.Status == SlotStatus.Running && slotOwner is not null && !db.IsOwnerAlive(slotOwner));
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
        db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            Execute(connection, "UPDATE schedule_slots SET run_id = $run WHERE entry = $entry AND slot_at = $slot;", null,
                ("$run", runId), ("$entry", entry), ("$slot", Time(slot)));
        });
        return Task.CompletedTask;
    }

    public Task FinishSlotAsync(string entry, DateTimeOffset slot, SlotStatus status, string? note, DateTimeOffset finishedAt, CancellationToken cancellationToken = default)
    {
        db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            Execute(connection, """
                UPDATE schedule_slots SET status = $status, note = $note, finished_at = $finished, owner_pid = NULL
                WHERE entry = $entry AND slot_at = $slot;
                """, null, ("$status", SlotName(status)), ("$note", note), ("$finished", Time(finishedAt)),
                ("$entry", entry), ("$slot", Time(slot)));
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SlotRecord>> ListSlotsAsync(string? entry = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            IReadOnlyList<SlotRecord> slots = ReadSlots(connection, null, "WHERE ($entry IS NULL OR entry = $entry)", ("$entry", entry))
                .Select(s => s.Record).ToList();
            return slots;
        }));

    private static List<(SlotRecord Record, RunOwner? Owner)> ReadSlots(SqliteConnection connection, SqliteTransaction? transaction, string where, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, $"SELECT {SlotColumns} FROM schedule_slots {where} ORDER BY slot_at, entry;", parameters);
        using var reader = command.ExecuteReader();
        var slots = new List<(SlotRecord, RunOwner?)>();
        while (reader.Read())
            slots.Add(ReadSlot(reader));
        return slots;
    }
}
