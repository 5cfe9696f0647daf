using System.Globalization;
using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Microsoft.Data.Sqlite;
using static Driftwatch.Storage.Sqlite.Sql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Sqlite;

/// <summary>Runs in SQLite: their plans, their owners' leases, how they were closed.</summary>
internal sealed class SqliteRunStore(SqliteDatabase db) : IRunStore
{
    public Task<long> CreateRunAsync(RunPlan plan, RunFingerprint fingerprint, DateTimeOffset startedAt, RunOwner owner, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var transaction = connection.BeginTransaction();
            var runId = InsertRun(connection, transaction, plan, fingerprint, startedAt, owner, db.Clock.GetUtcNow() + RunLease.Length);
            transaction.Commit();
            return runId;
        }));

    /// <summary>
    /// Inserts a run and its planned trials within <paramref name="transaction"/>: running, held by
    /// <paramref name="owner"/> until <paramref name="leaseExpires"/>; with no owner (an ingested
    /// run) it has no lease and its caller closes it in the same transaction.
    /// </summary>
    internal static long InsertRun(SqliteConnection connection, SqliteTransaction transaction, RunPlan plan, RunFingerprint fingerprint,
        DateTimeOffset startedAt, RunOwner? owner, DateTimeOffset? leaseExpires)
    {
        using var insert = Command(connection, transaction, """
            INSERT INTO runs (agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision,
                              trials_per_task, seed, task_filter, sandbox, status, started_at, fingerprint,
                              owner_host, owner_pid, owner_started_at, allocation, owner_id, lease_expires_at)
            VALUES ($agent, $kind, $config, $synthetic, $suite, $suitePath, $revision, $k, $seed, $filter,
                    $sandbox, 'running', $started, $fingerprint, $host, $pid, $ownerStarted, $allocation, $ownerId, $lease)
            RETURNING id;
            """,
            ("$agent", plan.AgentName), ("$kind", plan.AgentKind), ("$config", plan.AgentConfigJson),
            ("$synthetic", plan.Synthetic), ("$suite", plan.SuiteName), ("$suitePath", plan.SuitePath),
            ("$revision", plan.SuiteRevision), ("$k", plan.TrialsPerTask), ("$seed", plan.Seed),
            ("$filter", plan.TaskFilter), ("$sandbox", plan.SandboxMode), ("$started", Time(startedAt)),
            ("$fingerprint", JsonSerializer.Serialize(fingerprint, Json)), ("$host", owner?.Host),
            ("$pid", owner?.ProcessId), ("$ownerStarted", owner is null ? null : Time(owner.ProcessStartedAt)), ("$allocation", plan.Allocation),
            ("$ownerId", owner?.Id), ("$lease", leaseExpires is { } lease ? Time(lease) : null));
        var runId = (long)insert.ExecuteScalar()!;

        using var trial = Command(connection, transaction, """
            INSERT INTO trials (run_id, task_id, trial_index, sequence, category, language)
            VALUES ($run, $task, $index, $sequence, $category, $language);
            """, ("$run", runId), ("$task", ""), ("$index", 0), ("$sequence", 0), ("$category", ""), ("$language", ""));
        foreach (var planned in plan.Trials)
        {
            trial.Parameters["$task"].Value = planned.TaskId;
            trial.Parameters["$index"].Value = planned.TrialIndex;
            trial.Parameters["$sequence"].Value = planned.Sequence;
            trial.Parameters["$category"].Value = planned.Category.Name();
            trial.Parameters["$language"].Value = planned.Language;
            trial.ExecuteNonQuery();
        }
        return runId;
    }

    public Task<RunHeader?> GetRunAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            return db.ReadHeaders(connection, "WHERE r.id = $id", ("$id", runId)).FirstOrDefault();
        }));

    public Task<IReadOnlyList<RunHeader>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            var (where, parameters) = SqliteDatabase.RunQueryWhere(query);
            IReadOnlyList<RunHeader> headers = db.ReadHeaders(connection, where, parameters);
            return headers;
        }));

    public Task<string> GetChangeStampAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var command = Command(connection, null, ChangeStampSql);
            using var reader = command.ExecuteReader();
            reader.Read();
            return string.Create(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)}.{reader.GetInt64(1)}.{reader.GetInt64(2)}");
        }));

    /// <summary>The runs, their highest id and their writes (run_tallies, kept by triggers): a write anywhere changes one of them.</summary>
    internal const string ChangeStampSql = "SELECT COUNT(*), COALESCE(MAX(run_id), 0), COALESCE(SUM(writes), 0) FROM run_tallies;";

    public Task<RunPlan> GetPlanAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var command = Command(connection, null, """
                SELECT agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision,
                       trials_per_task, seed, task_filter, sandbox, allocation
                FROM runs WHERE id = $id;
                """, ("$id", runId));
            using var reader = command.ExecuteReader();
            if (!reader.Read())
                throw new InvalidInputException($"run {runId} not found");
            var plan = new RunPlan
            {
                AgentName = reader.GetString(0),
                AgentKind = reader.GetString(1),
                AgentConfigJson = reader.GetString(2),
                Synthetic = reader.GetInt64(3) != 0,
                SuiteName = reader.GetString(4),
                SuitePath = reader.GetString(5),
                SuiteRevision = reader.GetString(6),
                TrialsPerTask = reader.GetInt32(7),
                Seed = reader.GetInt32(8),
                TaskFilter = reader.IsDBNull(9) ? null : reader.GetString(9),
                SandboxMode = reader.GetString(10),
                Allocation = reader.GetString(11),
                Trials = [.. ReadPlannedTrials(connection, runId, pendingOnly: false)],
            };
            return plan;
        }));

    public Task ClaimRunAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default)
    {
        db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var transaction = connection.BeginTransaction();
            var header = db.ReadHeaders(connection, "WHERE r.id = $id", transaction, ("$id", runId)).FirstOrDefault()
                ?? throw new InvalidInputException($"run {runId} not found");
            if (header.Status == RunStatus.Running)
                throw new InvalidInputException($"run {runId} is still running in another process (its lease is current); it cannot be resumed twice");
            // A run whose trials are all in may still be unclosed (its process died in between):
            // closing it is what is left to resume. Only a run closed complete has nothing left.
            if (header.Status == RunStatus.Complete && ReadPlannedTrials(connection, runId, pendingOnly: true, transaction).Count == 0)
                throw new InvalidInputException($"run {runId} is complete: nothing to resume");
            Execute(connection, """
                UPDATE runs SET status = 'running', finished_at = NULL,
                    owner_host = $host, owner_pid = $pid, owner_started_at = $started,
                    owner_id = $ownerId, lease_expires_at = $lease
                WHERE id = $id;
                """, transaction, ("$host", owner.Host), ("$pid", owner.ProcessId),
                ("$started", Time(owner.ProcessStartedAt)), ("$ownerId", owner.Id),
                ("$lease", Time(db.Clock.GetUtcNow() + RunLease.Length)), ("$id", runId));
            transaction.Commit();
        });
        return Task.CompletedTask;
    }

    public Task<bool> RenewLeaseAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var renew = Command(connection, null, """
                UPDATE runs SET lease_expires_at = $lease
                WHERE id = $id AND status = 'running' AND owner_id = $ownerId;
                """, ("$lease", Time(db.Clock.GetUtcNow() + RunLease.Length)), ("$id", runId), ("$ownerId", owner.Id));
            return renew.ExecuteNonQuery() == 1;
        }));

    public Task<RunOwner?> GetOwnerAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var read = Command(connection, null, """
                SELECT owner_host, owner_pid, owner_started_at FROM runs WHERE id = $id AND owner_pid IS NOT NULL;
                """, ("$id", runId));
            using var reader = read.ExecuteReader();
            return reader.Read() ? new RunOwner(reader.GetString(0), reader.GetInt32(1), ParseTime(reader.GetString(2))) : null;
        }));

    public Task UpdateFingerprintAsync(long runId, RunFingerprint fingerprint, CancellationToken cancellationToken = default)
    {
        db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            Execute(connection, "UPDATE runs SET fingerprint = $fingerprint WHERE id = $id;", null,
                ("$fingerprint", JsonSerializer.Serialize(fingerprint, Json)), ("$id", runId));
        });
        return Task.CompletedTask;
    }

    public Task FinishRunAsync(long runId, RunStatus status, DateTimeOffset finishedAt, CancellationToken cancellationToken = default)
    {
        db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            Execute(connection, """
                UPDATE runs SET status = $status, finished_at = $finished, owner_pid = NULL, lease_expires_at = NULL WHERE id = $id;
                """, null, ("$status", status.Name()), ("$finished", Time(finishedAt)), ("$id", runId));
        });
        return Task.CompletedTask;
    }

    public Task<long?> FindLatestResumableRunAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            var candidates = db.ReadHeaders(connection, "WHERE r.status <> 'complete'");
            return candidates.LastOrDefault(h => h.Status == RunStatus.Incomplete)?.Id;
        }));
}
