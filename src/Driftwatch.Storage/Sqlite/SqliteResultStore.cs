using Driftwatch.Core;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Microsoft.Data.Sqlite;

namespace Driftwatch.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, schema migrations applied on open,
/// short transactions so that a run and the dashboard can share the file. A file that is not a
/// SQLite database, or is corrupt, is reported as bad input and never written to; so is a file
/// that cannot be written when a command must write, while commands that only read get a
/// read-only view of it. Each port is a class of its own on the one <see cref="SqliteDatabase"/>;
/// this class opens the file and answers for all of them.
/// </summary>
public sealed class SqliteResultStore : PortedStore
{
    private readonly SqliteDatabase _database;

    private SqliteResultStore(SqliteDatabase database)
        : base(new SqliteRunStore(database), new SqliteTrialStore(database), new SqliteHarnessStore(database), new SqliteHistoryReader(database),
            new SqliteScheduleStore(database), new SqliteAlertStore(database), new SqliteIngestStore(database))
    {
        _database = database;
    }


    public string Path => _database.Path;

    internal SqliteDatabase Database => _database;

    /// <summary>Whether this store only reads its file (its folder or the file itself could not be written).</summary>
    public bool IsReadOnly => _database.IsReadOnly;

    /// <summary>
    /// Opens (creating if needed) the database at <paramref name="path"/> for writing and migrates
    /// it. Bad input when the file is not SQLite, is corrupt (checked before anything is
    /// written), or cannot be written: its folder or the file read-only, or the disk full.
    /// <paramref name="isOwnerAlive"/> tells a live owner from a dead one (default: a process on this
    /// machine, <see cref="RunOwners.IsAlive"/>); <paramref name="time"/> is the clock of run leases.
    /// </summary>
    public static SqliteResultStore Open(string path, Func<RunOwner, bool>? isOwnerAlive = null, TimeProvider? time = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        DatabaseFile.EnsureLooksLikeSqlite(full);
        DatabaseFile.EnsureIntact(full);
        if (System.IO.Path.GetDirectoryName(full) is { Length: > 0 } directory && !Directory.Exists(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidInputException($"{full}: cannot create its folder {directory} ({DatabaseFile.Reason(ex)})", ex);
            }
        }
        var store = new SqliteDatabase(full, isOwnerAlive ?? RunOwners.IsAlive, time ?? TimeProvider.System, FileAccessMode.ReadWrite);
        store.Guard(() =>
        {
            store.Migrate(probeWrite: true);
            store.EnsureRecordsDecode();
        });
        store.Artifacts.EnsureFolder();
        return new SqliteResultStore(store);
    }

    /// <summary>
    /// The largest file that a reader checks whole (quick_check) before it reads (#20): beyond it the
    /// check would cost more than the reading, every time (seconds at a million trials); SQLite still
    /// reports a damaged page that a read meets, as bad input naming the file. Writers check every file.
    /// </summary>
    public const long ReaderCheckLimit = 256L << 20;

    /// <summary>
    /// Opens the database at <paramref name="path"/> for commands that only read it. A file that
    /// can be written is opened (and migrated) as by <see cref="Open"/>; one whose folder or file
    /// cannot be written (a read-only mount, another user's folder, a full disk) is read without
    /// writing anything beside it. A missing file is created as by <see cref="Open"/>. A file of up
    /// to <paramref name="checkUpTo"/> bytes (default <see cref="ReaderCheckLimit"/>) is checked whole first.
    /// </summary>
    public static SqliteResultStore OpenForReading(string path, Func<RunOwner, bool>? isOwnerAlive = null, TimeProvider? time = null, long checkUpTo = ReaderCheckLimit)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full) || new FileInfo(full).Length == 0)
            return Open(full, isOwnerAlive, time);
        var clock = time ?? TimeProvider.System;
        DatabaseFile.EnsureLooksLikeSqlite(full);
        if (new FileInfo(full).Length <= checkUpTo)
            DatabaseFile.EnsureIntact(full);
        var owners = isOwnerAlive ?? RunOwners.IsAlive;
        var writable = new SqliteDatabase(full, owners, clock, FileAccessMode.ReadWrite);
        try
        {
            writable.Migrate(probeWrite: false);
            return new SqliteResultStore(writable);
        }
        catch (SqliteException ex) when (DatabaseFile.IsUnwritable(ex))
        {
            writable.Dispose();
        }
        catch (Exception ex) when (writable.Translate(ex) is { } translated)
        {
            writable.Dispose();
            throw translated;
        }
        catch
        {
            writable.Dispose();
            throw;
        }

        // SQLite could not open the file for writing, or not make its -wal and -shm. With locks
        // first (it reads a -wal through an existing -shm); else, when no -wal holds changes,
        // immutable: nothing beside the file is read or made.
        var locked = new SqliteDatabase(full, owners, clock, FileAccessMode.ReadOnly);
        try
        {
            locked.Migrate(probeWrite: false);
            return new SqliteResultStore(locked);
        }
        catch (SqliteException ex) when (DatabaseFile.IsUnwritable(ex))
        {
            locked.Dispose();
        }
        catch (Exception ex) when (locked.Translate(ex) is { } translated)
        {
            locked.Dispose();
            throw translated;
        }
        catch
        {
            locked.Dispose();
            throw;
        }
        if (DatabaseFile.WalHasChanges(full))
        {
            throw new InvalidInputException(
                $"{full}: {System.IO.Path.GetFileName(DatabaseFile.Wal(full))} beside it holds changes not yet in the database, and SQLite cannot read them " +
                $"without creating {System.IO.Path.GetFileName(DatabaseFile.Shm(full))} ({DatabaseFile.WriteProblem(full) ?? "the folder is not writable"}): " +
                "open it once where it can be written, or copy the database with its -wal file to a writable folder");
        }
        var immutable = new SqliteDatabase(full, owners, clock, FileAccessMode.Immutable);
        immutable.Guard(() => immutable.Migrate(probeWrite: false));
        return new SqliteResultStore(immutable);
    }

    /// <summary>The newest schema step this build knows.</summary>
    public static int SchemaVersion => Migrations.Steps.Count;

    public override Task PutSuiteBundleAsync(string revision, byte[] archive, CancellationToken cancellationToken = default) =>
        _database.Guard(() =>
        {
            using var connection = _database.OpenConnection();
            Sql.Execute(connection, "INSERT INTO suite_bundles (revision, archive, created_at) VALUES ($revision, $archive, $at) ON CONFLICT (revision) DO NOTHING;", null,
                ("$revision", revision), ("$archive", archive), ("$at", StoredRows.Time(_database.Clock.GetUtcNow())));
            return Task.CompletedTask;
        });

    public override Task<byte[]?> GetSuiteBundleAsync(string revision, CancellationToken cancellationToken = default) =>
        Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.OpenConnection();
            using var command = Sql.Command(connection, null, "SELECT archive FROM suite_bundles WHERE revision = $revision;", ("$revision", revision));
            return command.ExecuteScalar() as byte[];
        }));

    public override Task<StoredVerdict?> GetStoredVerdictAsync(string agent, string suite, CancellationToken cancellationToken = default) =>
        Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.OpenConnection();
            using var command = Sql.Command(connection, null, "SELECT key, verdict, computed_at FROM stored_verdicts WHERE agent = $agent AND suite = $suite;",
                ("$agent", agent), ("$suite", suite));
            using var reader = command.ExecuteReader();
            return reader.Read() ? new StoredVerdict(agent, suite, reader.GetString(0), reader.GetString(1), StoredRows.ParseTime(reader.GetString(2))) : null;
        }));

    public override Task PutStoredVerdictAsync(StoredVerdict verdict, CancellationToken cancellationToken = default) =>
        _database.Guard(() =>
        {
            ArgumentNullException.ThrowIfNull(verdict);
            using var connection = _database.OpenConnection();
            Sql.Execute(connection, """
                INSERT INTO stored_verdicts (agent, suite, key, verdict, computed_at) VALUES ($agent, $suite, $key, $verdict, $at)
                ON CONFLICT (agent, suite) DO UPDATE SET key = excluded.key, verdict = excluded.verdict, computed_at = excluded.computed_at;
                """, null, ("$agent", verdict.Agent), ("$suite", verdict.Suite), ("$key", verdict.Key), ("$verdict", verdict.Json), ("$at", StoredRows.Time(verdict.ComputedAt)));
            return Task.CompletedTask;
        });

    public override Task<StoredCalibration?> GetCalibrationAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_database.Guard(() =>
        {
            using var connection = _database.OpenConnection();
            using var command = Sql.Command(connection, null, "SELECT limits, computed_at FROM calibrations WHERE key = $key;", ("$key", key));
            using var reader = command.ExecuteReader();
            return reader.Read() ? new StoredCalibration(key, reader.GetString(0), StoredRows.ParseTime(reader.GetString(1))) : null;
        }));

    public override Task PutCalibrationAsync(StoredCalibration calibration, CancellationToken cancellationToken = default) =>
        _database.Guard(() =>
        {
            ArgumentNullException.ThrowIfNull(calibration);
            using var connection = _database.OpenConnection();
            Sql.Execute(connection, """
                DELETE FROM calibrations WHERE computed_at < $before;
                INSERT INTO calibrations (key, limits, computed_at) VALUES ($key, $limits, $at)
                ON CONFLICT (key) DO UPDATE SET limits = excluded.limits, computed_at = excluded.computed_at;
                """, null, ("$key", calibration.Key), ("$limits", calibration.Limits), ("$at", StoredRows.Time(calibration.ComputedAt)),
                ("$before", StoredRows.Time(calibration.ComputedAt - StoredCalibration.Retention)));
            return Task.CompletedTask;
        });

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _database.Dispose();
    }
}
