using System.Globalization;
using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Microsoft.Data.Sqlite;
using static Driftwatch.Storage.Sqlite.Sql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Sqlite;

/// <summary>
/// One SQLite file as every port of the store uses it: its connections, schema migrations, the
/// translation of what is wrong with the file into bad input, and the run headers (whose status
/// depends on owners and leases).
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;

    private readonly Func<RunOwner, bool> _isOwnerAlive;

    private readonly TimeProvider _time;

    private readonly FileAccessMode _access;

    internal SqliteDatabase(string path, Func<RunOwner, bool> isOwnerAlive, TimeProvider time, FileAccessMode access)
    {
        Path = path;
        _isOwnerAlive = isOwnerAlive;
        _time = time;
        _access = access;
        _connectionString = DatabaseFile.ConnectionString(path, access, pooling: true);
        Artifacts = new ArtifactFiles(path);
    }

    public string Path { get; }

    /// <summary>The artifacts' blob files beside the database.</summary>
    internal ArtifactFiles Artifacts { get; }

    /// <summary>Whether this store only reads its file (its folder or the file itself could not be written).</summary>
    public bool IsReadOnly => _access != FileAccessMode.ReadWrite;

    /// <summary>The clock of run leases.</summary>
    internal TimeProvider Clock => _time;

    /// <summary>Whether an owner is a live process (not provably dead).</summary>
    internal bool IsOwnerAlive(RunOwner owner) => _isOwnerAlive(owner);

    internal void Migrate(bool probeWrite)
    {
        using var connection = OpenConnection();
        if (!IsReadOnly)
        {
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > Migrations.Steps.Count)
            throw new InvalidInputException($"{Path}: database schema version {version} is newer than this Driftwatch knows ({Migrations.Steps.Count}); upgrade Driftwatch");
        if (version < Migrations.Steps.Count && IsReadOnly)
        {
            throw new InvalidInputException(
                $"{Path}: database schema version {version} is older than this Driftwatch's ({Migrations.Steps.Count}) and the file cannot be written to upgrade it " +
                $"({DatabaseFile.WriteProblem(Path) ?? "opened read-only"}); open it once where it can be written");
        }
        while (version < Migrations.Steps.Count)
        {
            // Another process may be opening the same new file (a scheduler and a `run` started
            // together): the version is read again under the write lock, so each step runs once.
            using var transaction = connection.BeginTransaction(deferred: false);
            version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;", transaction), CultureInfo.InvariantCulture);
            if (version < Migrations.Steps.Count)
            {
                Execute(connection, Migrations.Steps[version], transaction);
                if (Migrations.Code.TryGetValue(version, out var code))
                    code(connection, transaction);
                Execute(connection, $"PRAGMA user_version = {version + 1};", transaction);
            }
            transaction.Commit();
            version++;
        }
        if (probeWrite)
        {
            // Take the write lock and let it go, writing nothing: a file SQLite opened read-only
            // (the file itself not writable) fails here, before a run has started anything.
            using var transaction = connection.BeginTransaction(deferred: false);
            transaction.Rollback();
        }
    }

    /// <summary>How many of the latest runs have their trials read back when a writer opens the file.</summary>
    internal const int DecodedRunsOnOpen = 50;

    /// <summary>
    /// Every run and the latest runs' finished trials read back: a value damaged inside a record on
    /// a sound page (which quick_check cannot see) stops a writer before it adds to the file, rather
    /// than every reader after it. Every run's header is read (one row per run), but only the trials
    /// of the latest <see cref="DecodedRunsOnOpen"/> runs, so that opening costs the same at any
    /// length of history (#20); a damaged value in an older trial is reported, naming the file, by
    /// the reader that meets it.
    /// </summary>
    internal void EnsureRecordsDecode()
    {
        using var connection = OpenConnection();
        var headers = ReadHeaders(connection, "");
        foreach (var header in headers.TakeLast(DecodedRunsOnOpen))
            _ = ReadTrials(connection, header.Id);
    }

    internal SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // FULL: a committed trial survives power loss, not just a killed process.
        command.CommandText = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
        return connection;
    }

    public void Dispose()
    {
        // Connections are pooled per connection string; release this file's so it can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    internal List<RunHeader> ReadHeaders(SqliteConnection connection, string where, params (string Name, object? Value)[] parameters) =>
        ReadHeaders(connection, where, null, parameters);

    internal List<RunHeader> ReadHeaders(SqliteConnection connection, string where, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, HeadersSql(where), parameters);
        using var reader = command.ExecuteReader();
        var headers = new List<RunHeader>();
        while (reader.Read())
            headers.Add(ReadHeader(reader, IsHeld));
        return headers;
    }

    /// <summary>
    /// The run headers that <paramref name="where"/> selects (a WHERE clause on runs r, or empty),
    /// oldest first: each run's counts, its flagged trials' too, from run_tallies (kept by triggers,
    /// one row per run), so that listing runs reads no trial (a test checks the plan).
    /// </summary>
    internal static string HeadersSql(string where) => $"""
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
        ORDER BY r.started_at, r.id;
        """;

    /// <summary>
    /// The WHERE clause of <see cref="HeadersSql"/> for a run query: by agent and suite when given
    /// (through runs_by_agent_suite), before a run when <see cref="RunQuery.BeforeId"/> is set (a
    /// range on the same indexes, from that run's start and id), only the latest
    /// <see cref="RunQuery.Limit"/> runs when set (through runs_by_start or runs_by_agent_suite, read
    /// newest first and stopped there).
    /// </summary>
    internal static (string Where, (string Name, object? Value)[] Parameters) RunQueryWhere(RunQuery query)
    {
        var terms = new List<Func<string, string>>();
        var parameters = new List<(string, object?)>();
        if (query.Agent is not null)
        {
            terms.Add(alias => alias + "agent = $agent");
            parameters.Add(("$agent", query.Agent));
        }
        if (query.Suite is not null)
        {
            terms.Add(alias => alias + "suite = $suite");
            parameters.Add(("$suite", query.Suite));
        }
        if (query.BeforeId is { } before)
        {
            terms.Add(alias => $"({alias}started_at, {alias}id) < (SELECT b.started_at, b.id FROM runs b WHERE b.id = $before)");
            parameters.Add(("$before", before));
        }
        string Filter(string alias) => terms.Count == 0 ? "" : "WHERE " + string.Join(" AND ", terms.Select(term => term(alias)));
        if (query.Limit is not { } limit)
            return (Filter("r."), [.. parameters]);
        parameters.Add(("$limit", limit));
        return ($"WHERE r.id IN (SELECT id FROM runs {Filter("")} ORDER BY started_at DESC, id DESC LIMIT $limit)", [.. parameters]);
    }

    /// <summary>
    /// Whether a running run's owner still holds it: not provably dead (a process of this machine
    /// that is gone), and its lease current. A run from before leases has none: its owner's pid decides.
    /// </summary>
    internal bool IsHeld(RunOwner owner, DateTimeOffset? leaseExpiresAt) =>
        _isOwnerAlive(owner) && (leaseExpiresAt is not { } expires || expires > _time.GetUtcNow());

    /// <summary>
    /// Runs database work, turning what is wrong with the file — not a database, corrupt, a value
    /// that no longer decodes, not writable, a full disk — into bad-input errors naming it.
    /// </summary>
    internal T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The bad-input error <paramref name="ex"/> stands for, or null when it is a failure of Driftwatch itself.</summary>
    internal InvalidInputException? Translate(Exception ex)
    {
        switch (ex)
        {
            case InvalidInputException:
                return null;
            case SqliteException { SqliteErrorCode: DatabaseFile.Corrupt or DatabaseFile.NotADatabase } sqlite:
                return new InvalidInputException($"{Path}: the database is corrupt or not a SQLite database ({sqlite.SqliteErrorCode}: {DatabaseFile.OneLine(sqlite.Message).TrimEnd('.')}); it was left untouched", ex);
            case SqliteException sqlite when DatabaseFile.IsUnwritable(sqlite):
                var why = sqlite.SqliteErrorCode == DatabaseFile.Full
                    ? DatabaseFile.DiskFull(System.IO.Path.GetDirectoryName(Path) ?? ".") ?? "the disk is full"
                    : DatabaseFile.WriteProblem(Path);
                var code = $"SQLite {sqlite.SqliteErrorCode}: {DatabaseFile.OneLine(sqlite.Message).TrimEnd('.')}";
                if (IsReadOnly)
                    return new InvalidInputException($"{Path}: cannot read the database ({code})", ex);
                return new InvalidInputException(
                    $"{Path}: cannot write to the database: {why ?? code}{(why is null ? "" : $" ({code})")}; commands that only read it (runs, show, check, compare, export, report, serve, fingerprint) still work", ex);
            case FormatException or JsonException or InvalidDataException or InvalidCastException or OverflowException:
            case InvalidOperationException when ex.Source == typeof(SqliteConnection).Assembly.GetName().Name:
                // A value the schema promises but the file no longer holds (a NULL, a broken JSON
                // document or compressed artifact): the pages are sound, their content is not.
                return new InvalidInputException($"{Path}: the database is corrupt: a stored value cannot be read ({DatabaseFile.OneLine(ex.Message)}); it was left untouched", ex);
            default:
                return null;
        }
    }

    internal void Guard(Action work) => Guard(() =>
    {
        work();
        return 0;
    });
}
