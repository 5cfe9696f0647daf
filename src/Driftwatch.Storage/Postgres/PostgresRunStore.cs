using System.Globalization;
using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Npgsql;
using static Driftwatch.Storage.Postgres.PostgresDatabase;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Postgres;

/// <summary>Runs in PostgreSQL: their plans, their owners' leases, how they were closed.</summary>
internal sealed class PostgresRunStore(PostgresDatabase db) : IRunStore
{
    public Task<long> CreateRunAsync(RunPlan plan, RunFingerprint fingerprint, DateTimeOffset startedAt, RunOwner owner, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var runId = await InsertRunAsync(connection, transaction, plan, fingerprint, startedAt, owner, db.Clock.GetUtcNow() + RunLease.Length, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return runId;
        });

    /// <summary>
    /// Inserts a run and its planned trials within <paramref name="transaction"/>: running, held by
    /// <paramref name="owner"/> until <paramref name="leaseExpires"/>; with no owner (an ingested
    /// run) it has no lease and its caller closes it in the same transaction.
    /// </summary>
    internal static async Task<long> InsertRunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RunPlan plan, RunFingerprint fingerprint,
        DateTimeOffset startedAt, RunOwner? owner, DateTimeOffset? leaseExpires, CancellationToken cancellationToken)
    {
        await using var insert = Command(connection, transaction, """
            INSERT INTO runs (agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision,
                              trials_per_task, seed, task_filter, sandbox, status, started_at, fingerprint,
                              owner_host, owner_pid, owner_started_at, allocation, owner_id, lease_expires_at)
            VALUES (@agent, @kind, @config, @synthetic, @suite, @suitePath, @revision, @k, @seed, @filter,
                    @sandbox, 'running', @started, @fingerprint, @host, @pid, @ownerStarted, @allocation, @ownerId, @lease)
            RETURNING id;
            """,
            ("agent", plan.AgentName), ("kind", plan.AgentKind), ("config", plan.AgentConfigJson),
            ("synthetic", plan.Synthetic ? 1L : 0L), ("suite", plan.SuiteName), ("suitePath", plan.SuitePath),
            ("revision", plan.SuiteRevision), ("k", (long)plan.TrialsPerTask), ("seed", (long)plan.Seed),
            ("filter", plan.TaskFilter), ("sandbox", plan.SandboxMode), ("started", Time(startedAt)),
            ("fingerprint", JsonSerializer.Serialize(fingerprint, Json)), ("host", owner?.Host),
            ("pid", (long?)owner?.ProcessId), ("ownerStarted", owner is null ? null : Time(owner.ProcessStartedAt)), ("allocation", plan.Allocation),
            ("ownerId", owner?.Id), ("lease", leaseExpires is { } lease ? Time(lease) : null));
        var runId = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;

        await ExecuteAsync(connection, transaction, """
            INSERT INTO trials (run_id, task_id, trial_index, sequence, category, language)
            SELECT @run, p.task, p.index, p.sequence, p.category, p.language
            FROM unnest(@tasks::text[], @indexes::bigint[], @sequences::bigint[], @categories::text[], @languages::text[])
                 AS p (task, index, sequence, category, language);
            """, cancellationToken, ("run", runId),
            ("tasks", plan.Trials.Select(t => t.TaskId).ToArray()),
            ("indexes", plan.Trials.Select(t => (long)t.TrialIndex).ToArray()),
            ("sequences", plan.Trials.Select(t => (long)t.Sequence).ToArray()),
            ("categories", plan.Trials.Select(t => t.Category.Name()).ToArray()),
            ("languages", plan.Trials.Select(t => t.Language).ToArray()));
        return runId;
    }

    public Task<RunHeader?> GetRunAsync(long runId, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            return (await db.ReadHeadersAsync(connection, null, "WHERE r.id = @id", cancellationToken, ("id", runId))).FirstOrDefault();
        });

    public Task<IReadOnlyList<RunHeader>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var conditions = new List<Func<string, string>>();
            var parameters = new List<(string, object?)>();
            if (query.Agent is not null)
            {
                conditions.Add(alias => alias + "agent = @agent");
                parameters.Add(("agent", query.Agent));
            }
            if (query.Suite is not null)
            {
                conditions.Add(alias => alias + "suite = @suite");
                parameters.Add(("suite", query.Suite));
            }
            // Before a run (a page's cursor): a range on runs_by_start (or runs_by_agent_suite) from that run's start and id.
            if (query.BeforeId is { } before)
            {
                conditions.Add(alias => $"({alias}started_at COLLATE \"C\", {alias}id) < (SELECT b.started_at COLLATE \"C\", b.id FROM runs b WHERE b.id = @before)");
                parameters.Add(("before", before));
            }
            if (query.Limit is { } limit)
                parameters.Add(("limit", (long)limit));
            string Filter(string alias) => conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions.Select(term => term(alias)));
            // The latest N: read newest first through runs_by_start (or runs_by_agent_suite) and stopped there.
            var where = query.Limit is null
                ? Filter("r.")
                : $"WHERE r.id IN (SELECT id FROM runs {Filter("")} ORDER BY started_at COLLATE \"C\" DESC, id DESC LIMIT @limit)";
            IReadOnlyList<RunHeader> list = await db.ReadHeadersAsync(connection, null, where, cancellationToken, [.. parameters]);
            return list;
        });

    public Task<string> GetChangeStampAsync(CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var command = Command(connection, null, "SELECT COUNT(*), COALESCE(MAX(run_id), 0), COALESCE(SUM(writes), 0)::bigint FROM run_tallies;");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return string.Create(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)}.{reader.GetInt64(1)}.{reader.GetInt64(2)}");
        });

    public Task<RunPlan> GetPlanAsync(long runId, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            RunPlan plan;
            await using (var command = Command(connection, null, """
                SELECT agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision,
                       trials_per_task, seed, task_filter, sandbox, allocation
                FROM runs WHERE id = @id;
                """, ("id", runId)))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                    throw new InvalidInputException($"run {runId} not found");
                plan = new RunPlan
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
                    Trials = [],
                };
            }
            return plan with { Trials = [.. await ReadPlannedTrialsAsync(connection, null, runId, pendingOnly: false, cancellationToken)] };
        });

    internal static async Task<List<PlannedTrial>> ReadPlannedTrialsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long runId, bool pendingOnly, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"""
            SELECT task_id, trial_index, sequence, category, language FROM trials
            WHERE run_id = @run {(pendingOnly ? $"AND ({Retryable})" : "")}
            ORDER BY sequence;
            """, ("run", runId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var trials = new List<PlannedTrial>();
        while (await reader.ReadAsync(cancellationToken))
            trials.Add(ReadPlannedTrial(reader));
        return trials;
    }

    public Task ClaimRunAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // The run's row is locked until commit: two resumers cannot both find it free.
            await ExecuteAsync(connection, transaction, "SELECT id FROM runs WHERE id = @id FOR UPDATE;", cancellationToken, ("id", runId));
            var header = (await db.ReadHeadersAsync(connection, transaction, "WHERE r.id = @id", cancellationToken, ("id", runId))).FirstOrDefault()
                ?? throw new InvalidInputException($"run {runId} not found");
            if (header.Status == RunStatus.Running)
                throw new InvalidInputException($"run {runId} is still running in another process (its lease is current); it cannot be resumed twice");
            // A run whose trials are all in may still be unclosed (its process died in between):
            // closing it is what is left to resume. Only a run closed complete has nothing left.
            if (header.Status == RunStatus.Complete && (await ReadPlannedTrialsAsync(connection, transaction, runId, pendingOnly: true, cancellationToken)).Count == 0)
                throw new InvalidInputException($"run {runId} is complete: nothing to resume");
            await ExecuteAsync(connection, transaction, """
                UPDATE runs SET status = 'running', finished_at = NULL,
                    owner_host = @host, owner_pid = @pid, owner_started_at = @started,
                    owner_id = @ownerId, lease_expires_at = @lease
                WHERE id = @id;
                """, cancellationToken, ("host", owner.Host), ("pid", (long)owner.ProcessId),
                ("started", Time(owner.ProcessStartedAt)), ("ownerId", owner.Id),
                ("lease", Time(db.Clock.GetUtcNow() + RunLease.Length)), ("id", runId));
            await transaction.CommitAsync(cancellationToken);
        });

    public Task<bool> RenewLeaseAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            return await ExecuteAsync(connection, null, """
                UPDATE runs SET lease_expires_at = @lease
                WHERE id = @id AND status = 'running' AND owner_id = @ownerId;
                """, cancellationToken, ("lease", Time(db.Clock.GetUtcNow() + RunLease.Length)), ("id", runId), ("ownerId", owner.Id)) == 1;
        });

    public Task<RunOwner?> GetOwnerAsync(long runId, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var read = Command(connection, null, """
                SELECT owner_host, owner_pid, owner_started_at FROM runs WHERE id = @id AND owner_pid IS NOT NULL;
                """, ("id", runId));
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? new RunOwner(reader.GetString(0), reader.GetInt32(1), ParseTime(reader.GetString(2))) : null;
        });

    public Task UpdateFingerprintAsync(long runId, RunFingerprint fingerprint, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "UPDATE runs SET fingerprint = @fingerprint WHERE id = @id;", cancellationToken,
                ("fingerprint", JsonSerializer.Serialize(fingerprint, Json)), ("id", runId));
        });

    public Task FinishRunAsync(long runId, RunStatus status, DateTimeOffset finishedAt, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, """
                UPDATE runs SET status = @status, finished_at = @finished, owner_pid = NULL, lease_expires_at = NULL WHERE id = @id;
                """, cancellationToken, ("status", status.Name()), ("finished", Time(finishedAt)), ("id", runId));
        });

    public Task<long?> FindLatestResumableRunAsync(CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var candidates = await db.ReadHeadersAsync(connection, null, "WHERE r.status <> 'complete'", cancellationToken);
            return candidates.LastOrDefault(h => h.Status == RunStatus.Incomplete)?.Id;
        });
}
