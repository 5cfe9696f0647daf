using System.Net.Sockets;
using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Npgsql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Postgres;

/// <summary>
/// One PostgreSQL database as every port of the store uses it: its pooled connections
/// (<see cref="NpgsqlDataSource"/>), schema migrations, the translation of what is wrong with the
/// server or the data into bad input, and the run headers (whose status depends on owners and leases).
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    /// <summary>The advisory lock two processes migrating one database at once take in turn ("Driftwa").</summary>
    private const long MigrationLock = 0x44726966747761;

    /// <summary>The advisory lock an ingest batch holds, so that two batches with the same run do not race on it.</summary>
    internal const long IngestLock = 0x44726966747762;

    /// <summary>
    /// The advisory lock of artifact blobs: a transaction that adds artifact rows holds it shared,
    /// `db gc` exclusively while it deletes unreferenced blobs, so it never deletes a blob that a
    /// row not yet committed names (READ COMMITTED would not show that row to its NOT EXISTS).
    /// </summary>
    internal const long BlobLock = 0x44726966747763;

    private readonly NpgsqlDataSource _source;

    private readonly Func<RunOwner, bool> _isOwnerAlive;

    internal PostgresDatabase(NpgsqlDataSource source, string description, Func<RunOwner, bool> isOwnerAlive, TimeProvider time)
    {
        _source = source;
        Description = description;
        _isOwnerAlive = isOwnerAlive;
        Clock = time;
    }

    /// <summary>What the database is in messages: where its connection string came from and the server (never a password).</summary>
    public string Description { get; }

    /// <summary>The clock of run leases.</summary>
    internal TimeProvider Clock { get; }

    /// <summary>Whether an owner is a live process (not provably dead).</summary>
    internal bool IsOwnerAlive(RunOwner owner) => _isOwnerAlive(owner);

    internal ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _source.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Applies the missing schema steps, all in one transaction under an advisory lock: a second
    /// process migrating at the same moment waits, then finds the steps applied.
    /// </summary>
    internal async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key);", cancellationToken, ("key", MigrationLock));
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, applied_at text NOT NULL);", cancellationToken);
        await using (var read = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;"))
        {
            var version = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (version > PostgresMigrations.Steps.Count)
                throw new InvalidInputException($"{Description}: database schema version {version} is newer than this Driftwatch knows ({PostgresMigrations.Steps.Count}); upgrade Driftwatch");
            for (; version < PostgresMigrations.Steps.Count; version++)
            {
                await ExecuteAsync(connection, transaction, PostgresMigrations.Steps[version], cancellationToken);
                await ExecuteAsync(connection, transaction, "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at);", cancellationToken,
                    ("version", (long)version + 1), ("at", Time(Clock.GetUtcNow())));
            }
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The run headers the condition <paramref name="where"/> selects, oldest first: the same
    /// columns as SQLite's query (<see cref="StoredRows.ReadHeader"/>), in PostgreSQL's words.
    /// </summary>
    internal async Task<List<RunHeader>> ReadHeadersAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string where,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, $"""
            SELECT r.id, r.agent, r.agent_kind, r.synthetic, r.suite, r.suite_revision, r.status, r.started_at,
                   r.finished_at, r.seed, r.trials_per_task, r.task_filter, r.sandbox, r.fingerprint,
                   r.owner_host, r.owner_pid, r.owner_started_at, r.allocation,
                   k.trials, k.pass, k.fail, k.timeout, k.error, k.pending,
                   k.suspect,
                   r.lease_expires_at,
                   r.source_format, r.source_key, r.source_path,
                   rt.pass, rt.fail, rt.timeout, rt.error,
                   rt.input_tokens, rt.output_tokens, rt.cache_read_tokens, rt.cache_write_tokens, rt.cost_usd, rt.duration_ms,
                   k.writes, k.fallback, k.refusal
            FROM runs r LEFT JOIN run_tallies k ON k.run_id = r.id LEFT JOIN run_totals rt ON rt.run_id = r.id
            {where}
            ORDER BY r.started_at COLLATE "C", r.id;
            """, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var headers = new List<RunHeader>();
        while (await reader.ReadAsync(cancellationToken))
            headers.Add(ReadHeader(reader, IsHeld));
        return headers;
    }

    /// <summary>
    /// Whether a running run's owner still holds it: not provably dead, and its lease current. A
    /// run from before leases has none: its owner's pid decides.
    /// </summary>
    internal bool IsHeld(RunOwner owner, DateTimeOffset? leaseExpiresAt) =>
        _isOwnerAlive(owner) && (leaseExpiresAt is not { } expires || expires > Clock.GetUtcNow());

    /// <summary>
    /// Runs database work, turning what is wrong with the server or the data — unreachable, refused
    /// credentials, no such database, a value that no longer decodes — into bad-input errors naming it.
    /// </summary>
    internal async Task<T> GuardAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    internal Task GuardAsync(Func<Task> work) => GuardAsync(async () =>
    {
        await work();
        return 0;
    });

    /// <summary>The bad-input error <paramref name="ex"/> stands for, or null when it is a failure of Driftwatch itself.</summary>
    internal InvalidInputException? Translate(Exception ex) => Translate(ex, Description);

    internal static InvalidInputException? Translate(Exception ex, string description)
    {
        switch (ex)
        {
            case InvalidInputException:
                return null;
            case PostgresException { SqlState: "28P01" or "28000" or "3D000" or "42501" } postgres:
                // Wrong password, no such role or database, no right to it: the configuration's, not ours.
                return new InvalidInputException($"{description}: the server refused the connection ({postgres.SqlState}: {postgres.MessageText})", ex);
            case NpgsqlException { InnerException: SocketException or TimeoutException or IOException } npgsql:
                return new InvalidInputException($"{description}: cannot reach the PostgreSQL server ({OneLine(npgsql.InnerException!.Message)})", ex);
            case NpgsqlException npgsql when npgsql is not PostgresException && npgsql.IsTransient:
                return new InvalidInputException($"{description}: cannot reach the PostgreSQL server ({OneLine(npgsql.Message)})", ex);
            case FormatException or JsonException or InvalidDataException or InvalidCastException or OverflowException:
                return new InvalidInputException($"{description}: the database is corrupt: a stored value cannot be read ({OneLine(ex.Message)}); it was left untouched", ex);
            default:
                return null;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim().TrimEnd('.');

    internal static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
            command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        return command;
    }

    internal static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public void Dispose() => _source.Dispose();
}
