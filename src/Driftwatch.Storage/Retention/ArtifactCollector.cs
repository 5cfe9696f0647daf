using Driftwatch.Core.Configuration;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Retention;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Stores;
using Driftwatch.Storage.Postgres;
using Driftwatch.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Retention;

/// <summary>What one `db gc` removed (or, dry, would remove).</summary>
public sealed record CollectionReport
{
    public required bool DryRun { get; init; }

    /// <summary>Whether a retention policy chose artifacts to remove (without one only unreferenced blobs go).</summary>
    public required bool PolicySet { get; init; }

    /// <summary>Artifacts the policy removed, and the trials' tasks (task × run) they belonged to.</summary>
    public long ArtifactsRemoved { get; init; }

    public long TasksPruned { get; init; }

    /// <summary>Bytes of artifacts stored inline (before migration 12) cleared from their rows.</summary>
    public long InlineBytesFreed { get; init; }

    /// <summary>Blobs (SQLite: files; PostgreSQL: artifact_blobs rows) that no artifact named any more.</summary>
    public long BlobsRemoved { get; init; }

    public long BlobBytesFreed { get; init; }

    /// <summary>Temporary files left by a writer that died between writing a blob and renaming it (SQLite).</summary>
    public long TemporaryFilesRemoved { get; init; }

    public long TemporaryBytesFreed { get; init; }

    public long BytesFreed => InlineBytesFreed + BlobBytesFreed + TemporaryBytesFreed;
}

/// <summary>
/// `db gc` (docs/storage.md): in one transaction, marks the artifacts the retention policy removes
/// (their rows stay, with pruned_at, so readers say "removed by retention"); then deletes the blobs
/// no artifact row names. Rows first, blobs after: a crash between or during the two leaves blobs
/// nobody names, which the next run removes, never a row naming a missing blob. A writer stores a
/// blob before its row commits, so the second phase decides while no writer can be in between:
/// SQLite under the database's write lock (blob files are only written inside a write
/// transaction), PostgreSQL under the blob advisory lock every artifact writer holds shared.
/// </summary>
public static class ArtifactCollector
{
    /// <summary>A temporary blob file older than this belongs to no live writer.</summary>
    public static readonly TimeSpan TemporaryFileAge = TimeSpan.FromHours(1);

    public static Task<CollectionReport> CollectAsync(DriftwatchStore store, RetentionConfig? policy, TimeProvider time, bool dryRun, CancellationToken cancellationToken = default) =>
        CollectAsync(store, policy, time, dryRun, afterPrune: null, cancellationToken);

    /// <summary><paramref name="afterPrune"/>: runs between the two phases (tests stop a gc there).</summary>
    internal static async Task<CollectionReport> CollectAsync(DriftwatchStore store, RetentionConfig? policy, TimeProvider time, bool dryRun, Action? afterPrune,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        var prune = policy is null ? [] : await PrunableAsync(store, policy, now, cancellationToken);
        var report = new CollectionReport { DryRun = dryRun, PolicySet = policy is not null, TasksPruned = 0 };
        return store.Results switch
        {
            SqliteResultStore sqlite => sqlite.Database.Guard(() => CollectSqlite(sqlite.Database, prune, now, report, afterPrune)),
            PostgresResultStore postgres => await postgres.Database.GuardAsync(() => CollectPostgresAsync(postgres.Database, prune, now, report, afterPrune, cancellationToken)),
            var other => throw new ArgumentException($"a {other.GetType().Name} has no artifacts to collect", nameof(store)),
        };
    }

    private static async Task<IReadOnlyList<TaskOfRun>> PrunableAsync(DriftwatchStore store, RetentionConfig policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var runs = await store.Runs.ListRunsAsync(new RunQuery(), cancellationToken);
        var trials = new Dictionary<long, IReadOnlyList<Trial>>();
        foreach (var run in runs)
            trials[run.Id] = await store.Trials.GetTrialsAsync(run.Id, cancellationToken);
        var degraded = new HashSet<(string, string)>();
        foreach (var (agent, suite) in runs.Select(r => (r.Agent, r.Suite)).Distinct())
        {
            // DEGRADED as the scheduler last recorded it, or as `check` or the dashboard last judged
            // it (the verdict they keep in the store): a team without a scheduler is covered too.
            var alarm = (await store.Alerts.GetVerdictStateAsync(agent, suite, cancellationToken))?.Status == VerdictStatus.Degraded;
            var kept = await store.Results.GetStoredVerdictAsync(agent, suite, cancellationToken) is { } stored
                && KeptVerdictJson.Deserialize(stored.Json)?.Status == VerdictStatus.Degraded;
            if (alarm || kept)
                degraded.Add((agent, suite));
        }
        return ArtifactRetention.Prunable(policy, runs, trials, (agent, suite) => degraded.Contains((agent, suite)), now);
    }

    /// <summary>The artifacts of one task of a run not pruned yet, and the bytes of those stored inline; <paramref name="p"/>: the engine's parameter prefix.</summary>
    private static string CountPrunable(char p) => $"""
        SELECT COUNT(*), COALESCE(SUM(CASE WHEN hash IS NULL THEN length(content) ELSE 0 END), 0) FROM artifacts
        WHERE run_id = {p}run AND task_id = {p}task AND pruned_at IS NULL;
        """;

    /// <summary>Marks them removed by retention: the row stays, naming no blob and holding no bytes.</summary>
    private static string Prune(char p, string empty) => $"""
        UPDATE artifacts SET hash = NULL, content = {empty}, pruned_at = {p}at
        WHERE run_id = {p}run AND task_id = {p}task AND pruned_at IS NULL;
        """;

    private static CollectionReport CollectSqlite(SqliteDatabase db, IReadOnlyList<TaskOfRun> prune, DateTimeOffset now, CollectionReport report, Action? afterPrune)
    {
        using var connection = db.OpenConnection();
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            report = PruneSqlite(connection, transaction, prune, now, report);
            if (report.DryRun)
            {
                // What the second phase would remove once these rows are pruned; then nothing is kept.
                report = CollectFiles(connection, transaction, db.Artifacts, now, report);
                transaction.Rollback();
                return report;
            }
            transaction.Commit();
        }
        afterPrune?.Invoke();
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            report = CollectFiles(connection, transaction, db.Artifacts, now, report);
            transaction.Commit();
        }
        return report;
    }

    private static CollectionReport PruneSqlite(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<TaskOfRun> prune, DateTimeOffset now, CollectionReport report)
    {
        using var count = Sql.Command(connection, transaction, CountPrunable('$'), ("$run", 0L), ("$task", ""));
        using var update = Sql.Command(connection, transaction, Prune('$', "X''"),
            ("$run", 0L), ("$task", ""), ("$at", Time(now)));
        foreach (var task in prune)
        {
            count.Parameters["$run"].Value = task.RunId;
            count.Parameters["$task"].Value = task.TaskId;
            long artifacts, inline;
            using (var reader = count.ExecuteReader())
            {
                reader.Read();
                (artifacts, inline) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            if (artifacts == 0)
                continue;
            update.Parameters["$run"].Value = task.RunId;
            update.Parameters["$task"].Value = task.TaskId;
            update.ExecuteNonQuery();
            report = report with
            {
                ArtifactsRemoved = report.ArtifactsRemoved + artifacts,
                TasksPruned = report.TasksPruned + 1,
                InlineBytesFreed = report.InlineBytesFreed + inline,
            };
        }
        return report;
    }

    /// <summary>Deletes (unless dry) the blob files no row names and temporary files old enough, under the write lock <paramref name="transaction"/> holds.</summary>
    private static CollectionReport CollectFiles(SqliteConnection connection, SqliteTransaction transaction, ArtifactFiles files, DateTimeOffset now, CollectionReport report)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        using (var command = Sql.Command(connection, transaction, "SELECT DISTINCT hash FROM artifacts WHERE hash IS NOT NULL;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                referenced.Add(ArtifactFiles.StoredHash(reader.GetValue(0)));
        }
        foreach (var file in files.List())
        {
            if (file.Hash is null ? now - file.WrittenAt < TemporaryFileAge : referenced.Contains(file.Hash))
                continue;
            if (!report.DryRun)
                File.Delete(file.Path);
            report = file.Hash is null
                ? report with { TemporaryFilesRemoved = report.TemporaryFilesRemoved + 1, TemporaryBytesFreed = report.TemporaryBytesFreed + file.Length }
                : report with { BlobsRemoved = report.BlobsRemoved + 1, BlobBytesFreed = report.BlobBytesFreed + file.Length };
        }
        return report;
    }

    private static async Task<CollectionReport> CollectPostgresAsync(PostgresDatabase db, IReadOnlyList<TaskOfRun> prune, DateTimeOffset now, CollectionReport report, Action? afterPrune,
        CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            report = await PrunePostgresAsync(connection, transaction, prune, now, report, cancellationToken);
            if (report.DryRun)
            {
                report = await CollectBlobsAsync(connection, transaction, report, cancellationToken);
                await transaction.RollbackAsync(cancellationToken);
                return report;
            }
            await transaction.CommitAsync(cancellationToken);
        }
        afterPrune?.Invoke();
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            report = await CollectBlobsAsync(connection, transaction, report, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return report;
    }

    private static async Task<CollectionReport> PrunePostgresAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<TaskOfRun> prune, DateTimeOffset now,
        CollectionReport report, CancellationToken cancellationToken)
    {
        foreach (var task in prune)
        {
            long artifacts, inline;
            await using (var count = PostgresDatabase.Command(connection, transaction, CountPrunable('@'),
                ("run", task.RunId), ("task", task.TaskId)))
            await using (var reader = await count.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                (artifacts, inline) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            if (artifacts == 0)
                continue;
            await PostgresDatabase.ExecuteAsync(connection, transaction, Prune('@', "'\\x'::bytea"), cancellationToken,
                ("run", task.RunId), ("task", task.TaskId), ("at", Time(now)));
            report = report with
            {
                ArtifactsRemoved = report.ArtifactsRemoved + artifacts,
                TasksPruned = report.TasksPruned + 1,
                InlineBytesFreed = report.InlineBytesFreed + inline,
            };
        }
        return report;
    }

    /// <summary>Deletes (dry: within a transaction rolled back) the blobs no row names, holding the blob lock so that no writer is between its blob and its row.</summary>
    private static async Task<CollectionReport> CollectBlobsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CollectionReport report, CancellationToken cancellationToken)
    {
        await PostgresDatabase.ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key);", cancellationToken, ("key", PostgresDatabase.BlobLock));
        // A statement of its own after the lock: its snapshot sees every row committed by the writers the lock waited for.
        await using var delete = PostgresDatabase.Command(connection, transaction, """
            WITH removed AS (
                DELETE FROM artifact_blobs b WHERE NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.hash = b.hash)
                RETURNING length(b.content) AS bytes)
            SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM removed;
            """);
        await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return report with { BlobsRemoved = report.BlobsRemoved + reader.GetInt64(0), BlobBytesFreed = report.BlobBytesFreed + reader.GetInt64(1) };
    }
}
