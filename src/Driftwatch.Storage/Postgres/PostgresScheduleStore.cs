using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Npgsql;
using static Driftwatch.Storage.Postgres.PostgresDatabase;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Postgres;

/// <summary>The scheduler's slots in PostgreSQL, in the same database as the runs.</summary>
internal sealed class PostgresScheduleStore(PostgresDatabase db) : IScheduleStore
{
    public Task<SlotClaim> ClaimSlotAsync(string entry, DateTimeOffset slot, RunOwner owner, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // Two schedulers claiming one slot: the primary key lets one insert; the other waits
            // for it, inserts nothing and reads the slot under a row lock.
            var inserted = await ExecuteAsync(connection, transaction, """
                INSERT INTO schedule_slots (entry, slot_at, status, claimed_at, owner_host, owner_pid, owner_started_at)
                VALUES (@entry, @slot, 'running', @now, @host, @pid, @started)
                ON CONFLICT (entry, slot_at) DO NOTHING;
                """, cancellationToken, ("entry", entry), ("slot", Time(slot)), ("now", Time(now)),
                ("host", owner.Host), ("pid", (long)owner.ProcessId), ("started", Time(owner.ProcessStartedAt)));
            if (inserted == 1)
            {
                await transaction.CommitAsync(cancellationToken);
                return new SlotClaim(ClaimResult.New, new SlotRecord(entry, slot, null, SlotStatus.Running, now, null, null));
            }
            var (record, slotOwner) = (await ReadSlotsAsync(connection, transaction, "WHERE entry = @entry AND slot_at = @slot FOR UPDATE", cancellationToken,
                ("entry", entry), ("slot", Time(slot))))[0];
            var takeOver = record.Status == SlotStatus.Interrupted
                || (record.Status == SlotStatus.Running && slotOwner is not null && !db.IsOwnerAlive(slotOwner));
            if (!takeOver)
            {
                await transaction.CommitAsync(cancellationToken);
                return new SlotClaim(record.Status == SlotStatus.Running ? ClaimResult.Busy : ClaimResult.Done, record);
            }
            await ExecuteAsync(connection, transaction, """
                UPDATE schedule_slots SET status = 'running', owner_host = @host, owner_pid = @pid, owner_started_at = @started
                WHERE entry = @entry AND slot_at = @slot;
                """, cancellationToken, ("entry", entry), ("slot", Time(slot)),
                ("host", owner.Host), ("pid", (long)owner.ProcessId), ("started", Time(owner.ProcessStartedAt)));
            await transaction.CommitAsync(cancellationToken);
            return new SlotClaim(ClaimResult.TakenOver, record with { Status = SlotStatus.Running });
        });

    public Task SetSlotRunAsync(string entry, DateTimeOffset slot, long runId, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "UPDATE schedule_slots SET run_id = @run WHERE entry = @entry AND slot_at = @slot;", cancellationToken,
                ("run", runId), ("entry", entry), ("slot", Time(slot)));
        });

    public Task FinishSlotAsync(string entry, DateTimeOffset slot, SlotStatus status, string? note, DateTimeOffset finishedAt, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, """
                UPDATE schedule_slots SET status = @status, note = @note, finished_at = @finished, owner_pid = NULL
                WHERE entry = @entry AND slot_at = @slot;
                """, cancellationToken, ("status", SlotName(status)), ("note", note), ("finished", Time(finishedAt)),
                ("entry", entry), ("slot", Time(slot)));
        });

    public Task<IReadOnlyList<SlotRecord>> ListSlotsAsync(string? entry = null, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var slots = entry is null
                ? await ReadSlotsAsync(connection, null, "ORDER BY slot_at COLLATE \"C\", entry COLLATE \"C\"", cancellationToken)
                : await ReadSlotsAsync(connection, null, "WHERE entry = @entry ORDER BY slot_at COLLATE \"C\", entry COLLATE \"C\"", cancellationToken, ("entry", entry));
            IReadOnlyList<SlotRecord> records = [.. slots.Select(s => s.Record)];
            return records;
        });

    private static async Task<List<(SlotRecord Record, RunOwner? Owner)>> ReadSlotsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string tail,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, $"SELECT {SlotColumns} FROM schedule_slots {tail};", parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var slots = new List<(SlotRecord, RunOwner?)>();
        while (await reader.ReadAsync(cancellationToken))
            slots.Add(ReadSlot(reader));
        return slots;
    }
}
