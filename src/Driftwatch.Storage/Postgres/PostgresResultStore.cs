using Driftwatch.Core;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Npgsql;

namespace Driftwatch.Storage.Postgres;

/// <summary>
/// The server store: one PostgreSQL database with the same tables as the SQLite file, reached
/// through a pooled <see cref="NpgsqlDataSource"/>, schema migrations applied on open under an
/// advisory lock. Each port is a class of its own on the one <see cref="PostgresDatabase"/>; this
/// class opens the database and answers for all of them. The connection string is never written
/// anywhere: messages name where it came from and the server's host and port only.
/// </summary>
public sealed class PostgresResultStore : PortedStore
{
    private readonly PostgresDatabase _database;

    private PostgresResultStore(PostgresDatabase database)
        : base(new PostgresRunStore(database), new PostgresTrialStore(database), new PostgresHarnessStore(database), new PostgresHistoryReader(database),
            new PostgresScheduleStore(database), new PostgresAlertStore(database), new PostgresIngestStore(database))
    {
        _database = database;
    }


    /// <summary>The database in messages: where its connection string came from, the database's name, host and port.</summary>
    public string Description => _database.Description;

    internal PostgresDatabase Database => _database;

    /// <summary>The newest schema step this build knows.</summary>
    public static int SchemaVersion => PostgresMigrations.Steps.Count;

    /// <summary>
    /// Opens the database <paramref name="connectionString"/> names and migrates it. Bad input when
    /// the string does not parse, the server cannot be reached or refuses, or the schema is newer
    /// than this build's. <paramref name="source"/> says where the string came from in messages
    /// ("storage.connection_env ($NAME)"); the string itself never appears in one.
    /// <paramref name="isOwnerAlive"/> tells a live owner from a dead one (default:
    /// <see cref="RunOwners.IsAlive"/>); <paramref name="time"/> is the clock of run leases.
    /// </summary>
    public static PostgresResultStore Open(string connectionString, Func<RunOwner, bool>? isOwnerAlive = null, TimeProvider? time = null, string? source = null)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // The parser's message may quote the string, which may hold a password: it is not repeated.
            throw new InvalidInputException($"{source ?? "the PostgreSQL connection string"}: not a PostgreSQL connection string that Npgsql can parse (e.g. Host=db.example;Port=5432;Database=driftwatch;Username=driftwatch;Password=…)");
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new InvalidInputException($"{source ?? "the PostgreSQL connection string"}: the connection string names no Host");
        var where = $"PostgreSQL database '{builder.Database ?? builder.Username ?? "(default)"}' at {builder.Host}:{builder.Port}";
        var description = source is null ? where : $"{source}: {where}";
        builder.ApplicationName ??= "driftwatch";
        NpgsqlDataSource dataSource;
        try
        {
            dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        }
        catch (ArgumentException)
        {
            throw new InvalidInputException($"{description}: the connection string's settings are not valid together");
        }
        var database = new PostgresDatabase(dataSource, description, isOwnerAlive ?? RunOwners.IsAlive, time ?? TimeProvider.System);
        try
        {
            // Off the caller's synchronization context: a blocking open must not wait on its own thread.
            Task.Run(() => database.GuardAsync(() => database.MigrateAsync(CancellationToken.None))).GetAwaiter().GetResult();
        }
        catch
        {
            database.Dispose();
            throw;
        }
        return new PostgresResultStore(database);
    }

    public override Task PutSuiteBundleAsync(string revision, byte[] archive, CancellationToken cancellationToken = default) =>
        _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await PostgresDatabase.ExecuteAsync(connection, null,
                "INSERT INTO suite_bundles (revision, archive, created_at) VALUES (@revision, @archive, @at) ON CONFLICT (revision) DO NOTHING;",
                cancellationToken, ("revision", revision), ("archive", archive), ("at", StoredRows.Time(_database.Clock.GetUtcNow())));
        });

    public override Task<byte[]?> GetSuiteBundleAsync(string revision, CancellationToken cancellationToken = default) =>
        _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var command = PostgresDatabase.Command(connection, null, "SELECT archive FROM suite_bundles WHERE revision = @revision;", ("revision", revision));
            return await command.ExecuteScalarAsync(cancellationToken) as byte[];
        });

    public override Task<StoredVerdict?> GetStoredVerdictAsync(string agent, string suite, CancellationToken cancellationToken = default) =>
        _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var command = PostgresDatabase.Command(connection, null, "SELECT key, verdict, computed_at FROM stored_verdicts WHERE agent = @agent AND suite = @suite;",
                ("agent", agent), ("suite", suite));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? new StoredVerdict(agent, suite, reader.GetString(0), reader.GetString(1), StoredRows.ParseTime(reader.GetString(2))) : null;
        });

    public override Task PutStoredVerdictAsync(StoredVerdict verdict, CancellationToken cancellationToken = default) =>
        _database.GuardAsync(async () =>
        {
            ArgumentNullException.ThrowIfNull(verdict);
            await using var connection = await _database.OpenAsync(cancellationToken);
            await PostgresDatabase.ExecuteAsync(connection, null, """
                INSERT INTO stored_verdicts (agent, suite, key, verdict, computed_at) VALUES (@agent, @suite, @key, @verdict, @at)
                ON CONFLICT (agent, suite) DO UPDATE SET key = excluded.key, verdict = excluded.verdict, computed_at = excluded.computed_at;
                """, cancellationToken, ("agent", verdict.Agent), ("suite", verdict.Suite), ("key", verdict.Key), ("verdict", verdict.Json), ("at", StoredRows.Time(verdict.ComputedAt)));
        });

    public override Task<StoredCalibration?> GetCalibrationAsync(string key, CancellationToken cancellationToken = default) =>
        _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var command = PostgresDatabase.Command(connection, null, "SELECT limits, computed_at FROM calibrations WHERE key = @key;", ("key", key));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? new StoredCalibration(key, reader.GetString(0), StoredRows.ParseTime(reader.GetString(1))) : null;
        });

    public override Task PutCalibrationAsync(StoredCalibration calibration, CancellationToken cancellationToken = default) =>
        _database.GuardAsync(async () =>
        {
            ArgumentNullException.ThrowIfNull(calibration);
            await using var connection = await _database.OpenAsync(cancellationToken);
            await PostgresDatabase.ExecuteAsync(connection, null, "DELETE FROM calibrations WHERE computed_at < @before;", cancellationToken,
                ("before", StoredRows.Time(calibration.ComputedAt - StoredCalibration.Retention)));
            await PostgresDatabase.ExecuteAsync(connection, null, """
                INSERT INTO calibrations (key, limits, computed_at) VALUES (@key, @limits, @at)
                ON CONFLICT (key) DO UPDATE SET limits = excluded.limits, computed_at = excluded.computed_at;
                """, cancellationToken, ("key", calibration.Key), ("limits", calibration.Limits), ("at", StoredRows.Time(calibration.ComputedAt)));
        });

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _database.Dispose();
    }
}
