using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Driftwatch.Jobs.Distributed;

/// <summary>
/// PostgreSQL session advisory locks, each held on a connection of its own: the server releases it
/// the moment that connection ends, so a process that dies (or whose machine does) never keeps one.
/// Keys are (a hash of a name, a number), apart from any key another program would choose.
/// </summary>
public static class AdvisoryLocks
{
    /// <summary>A stable 32-bit key for a name (the first four bytes of its SHA-256).</summary>
    public static int Key(string name) => BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes("driftwatch:" + name)), 0);

    /// <summary>Takes the lock (key, slot) on a new connection if it is free: the held lock, or null.</summary>
    public static async Task<HeldLock?> TryTakeAsync(NpgsqlDataSource dataSource, int key, int slot, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2);", connection);
            command.Parameters.AddWithValue(key);
            command.Parameters.AddWithValue(slot);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                return new HeldLock(connection, key, slot);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }
}

/// <summary>A held advisory lock: released when disposed, or when its connection is lost.</summary>
public sealed class HeldLock(NpgsqlConnection connection, int key, int slot) : IAsyncDisposable
{
    public int Slot => slot;

    /// <summary>True while the lock's connection still answers and the server still lists the lock as this session's.</summary>
    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND classid = $1::int::oid AND objid = $2::int::oid;", connection);
            command.Parameters.AddWithValue(key);
            command.Parameters.AddWithValue(slot);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long and > 0;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2);", connection);
            command.Parameters.AddWithValue(key);
            command.Parameters.AddWithValue(slot);
            await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            // The connection is gone, and the lock with it.
        }
        await connection.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// Per-agent concurrency across every worker (`workers.agents` in driftwatch.yaml): an agent with
/// limit N has N slots, each an advisory lock; a trial of it starts only once it holds one. A
/// worker that dies frees its slots with its connections.
/// </summary>
public sealed class AgentSlots(NpgsqlDataSource dataSource)
{
    /// <summary>How often a trial waiting for a slot looks again.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Waits for one of the agent's <paramref name="limit"/> slots (no wait when the agent has no limit).</summary>
    public async Task<IAsyncDisposable?> AcquireAsync(string agent, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
            return null;
        var key = AdvisoryLocks.Key("agent:" + agent);
        var start = Random.Shared.Next(limit);
        while (true)
        {
            for (var i = 0; i < limit; i++)
            {
                if (await AdvisoryLocks.TryTakeAsync(dataSource, key, (start + i) % limit, cancellationToken).ConfigureAwait(false) is { } held)
                    return held;
            }
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// One scheduler at a time over a shared store: the one that holds an advisory lock leads and runs
/// the cron slots; any other stands by and takes over when the leader's connection ends.
/// </summary>
public sealed class SchedulerLeadership(NpgsqlDataSource dataSource)
{
    private static readonly int LeaderKey = AdvisoryLocks.Key("scheduler");

    /// <summary>How often a standing-by scheduler tries to lead, and a leader checks that it still does.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Waits until this process leads; <paramref name="standingBy"/> is told once when another one does.</summary>
    public async Task<HeldLock> AcquireAsync(Action standingBy, CancellationToken cancellationToken)
    {
        var told = false;
        while (true)
        {
            if (await AdvisoryLocks.TryTakeAsync(dataSource, LeaderKey, 0, cancellationToken).ConfigureAwait(false) is { } held)
                return held;
            if (!told)
            {
                standingBy();
                told = true;
            }
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Returns when <paramref name="held"/> is no longer held (its connection was lost), or when cancelled.</summary>
    public async Task WatchAsync(HeldLock held, CancellationToken cancellationToken)
    {
        while (await held.IsHeldAsync(cancellationToken).ConfigureAwait(false))
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
    }
}
