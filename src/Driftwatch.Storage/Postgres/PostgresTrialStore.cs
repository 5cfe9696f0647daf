using System.Text.Json;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Npgsql;
using static Driftwatch.Storage.Postgres.PostgresDatabase;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Postgres;

/// <summary>Trials in PostgreSQL: pending ones, each recorded exactly once with its artifacts and harness requests.</summary>
internal sealed class PostgresTrialStore(PostgresDatabase db) : ITrialStore
{
    public Task<IReadOnlyList<PlannedTrial>> GetPendingTrialsAsync(long runId, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            IReadOnlyList<PlannedTrial> pending = await PostgresRunStore.ReadPlannedTrialsAsync(connection, null, runId, pendingOnly: true, cancellationToken);
            return pending;
        });

    public Task<IReadOnlyList<Trial>> GetTrialsAsync(long runId, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            IReadOnlyList<Trial> trials = await ReadTrialsAsync(connection, runId, cancellationToken);
            return trials;
        });

    /// <summary>The finished trials of one run, or of every run (<paramref name="runId"/> null), in order, with their metrics.</summary>
    internal static async Task<List<Trial>> ReadTrialsAsync(NpgsqlConnection connection, long? runId, CancellationToken cancellationToken)
    {
        var trials = new List<Trial>();
        (string Name, object? Value)[] run = runId is null ? [] : [("run", runId)];
        await using (var command = Command(connection, null, $"""
            SELECT {TrialColumns}
            FROM trials WHERE {(runId is null ? "" : "run_id = @run AND ")}outcome IS NOT NULL ORDER BY run_id, sequence;
            """, run))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                trials.Add(ReadTrial(reader));
        }
        await using var metrics = Command(connection, null, $"""
            SELECT run_id, task_id, trial_index, metrics FROM trial_metric_sets {(runId is null ? "" : "WHERE run_id = @run")};
            """, run);
        return WithMetrics(trials, await MetricsByTrialAsync(connection, metrics, cancellationToken));
    }

    /// <summary>The metric names by id (a handful of rows: read whole by each reader of metrics).</summary>
    internal static async Task<Dictionary<int, string>> MetricNamesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, null, "SELECT id, name FROM metric_names;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var names = new Dictionary<int, string>();
        while (await reader.ReadAsync(cancellationToken))
            MetricSets.AddName(reader, names);
        return names;
    }

    /// <summary>The metrics of the trials <paramref name="command"/> selects as (run_id, task_id, trial_index, metrics), by trial.</summary>
    internal static async Task<Dictionary<(long Run, string Task, int Index), List<KeyValuePair<string, double>>>> MetricsByTrialAsync(
        NpgsqlConnection connection, NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var names = await MetricNamesAsync(connection, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var metrics = new Dictionary<(long Run, string Task, int Index), List<KeyValuePair<string, double>>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var (trial, values) = MetricSets.Row(reader, names, "trial_metric_sets");
            metrics[trial] = values;
        }
        return metrics;
    }

    public Task<RecordResult> RecordTrialAsync(Trial trial, IReadOnlyList<TrialArtifact> artifacts, HarnessCapture? harness = null, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (!await RecordAsync(connection, transaction, trial, artifacts, harness ?? HarnessCapture.Empty, cancellationToken))
            {
                await using var planned = Command(connection, transaction, "SELECT 1 FROM trials WHERE run_id = @run AND task_id = @task AND trial_index = @index;",
                    ("run", trial.RunId), ("task", trial.TaskId), ("index", (long)trial.TrialIndex));
                if (await planned.ExecuteScalarAsync(cancellationToken) is null)
                    throw new InvalidOperationException($"trial {trial.Key} of run {trial.RunId} was never planned");
                await transaction.RollbackAsync(cancellationToken);
                return RecordResult.AlreadyRecorded;
            }
            await transaction.CommitAsync(cancellationToken);
            return RecordResult.Recorded;
        });

    /// <summary>
    /// Writes a finished trial over its planned row with its artifacts, harness requests and
    /// metrics, within <paramref name="transaction"/>; false (nothing written) when the row is not
    /// pending or retryable. Exactly once under concurrency: the conditional UPDATE locks the row,
    /// and a second recorder waiting on that lock re-reads the row once the first commits, finds it
    /// no longer pending and updates nothing.
    /// </summary>
    internal static async Task<bool> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Trial trial, IReadOnlyList<TrialArtifact> artifacts,
        HarnessCapture harness, CancellationToken cancellationToken)
    {
        var updated = await ExecuteAsync(connection, transaction, $"""
            UPDATE trials SET outcome = @outcome, tests_passed = @passed, tests_total = @total,
                started_at = @started, finished_at = @finished, duration_ms = @duration,
                agent_duration_ms = @agentDuration, test_duration_ms = @testDuration,
                input_tokens = @input, output_tokens = @output, cache_read_tokens = @cacheRead,
                cache_write_tokens = @cacheWrite, cost_usd = @cost, turns = @turns, tool_calls = @tools,
                agent_version = @version, model = @model, stop_reason = @stop, error_kind = @errorKind,
                error_message = @errorMessage, attempts = @attempts, first_outcome = @first,
                flags = @flags, served_models = @served, source = @source
            WHERE run_id = @run AND task_id = @task AND trial_index = @index
              AND ({Retryable});
            """, cancellationToken,
            ("outcome", trial.Outcome.Name()), ("passed", (long)trial.TestsPassed), ("total", (long)trial.TestsTotal),
            ("started", Time(trial.StartedAt)), ("finished", Time(trial.FinishedAt)),
            ("duration", trial.DurationMs), ("agentDuration", trial.AgentDurationMs), ("testDuration", trial.TestDurationMs),
            ("input", trial.Usage.InputTokens), ("output", trial.Usage.OutputTokens),
            ("cacheRead", trial.Usage.CacheReadTokens), ("cacheWrite", trial.Usage.CacheWriteTokens),
            ("cost", Cost(trial.Usage.CostUsd)),
            ("turns", (long?)trial.Usage.Turns), ("tools", (long?)trial.Usage.ToolCalls),
            ("version", trial.AgentVersion), ("model", trial.Model), ("stop", trial.StopReason),
            ("errorKind", trial.ErrorKind), ("errorMessage", trial.ErrorMessage), ("attempts", (long)trial.Attempts),
            ("first", trial.FirstOutcome?.Name()), ("flags", FlagsJson(trial)), ("served", ServedModelsJson(trial)),
            ("source", trial.Source),
            ("run", trial.RunId), ("task", trial.TaskId), ("index", (long)trial.TrialIndex));
        if (updated != 1)
            return false;

        if (artifacts.Count > 0)
            await PutArtifactsAsync(connection, transaction, trial, artifacts, cancellationToken);
        await RecordHarnessAsync(connection, transaction, trial, harness, cancellationToken);
        await RecordMetricsAsync(connection, transaction, trial, cancellationToken);
        return true;
    }

    /// <summary>
    /// The trial's artifact rows, each naming its text by hash in artifact_blobs, the deployment's
    /// object store: each distinct text stored once (ON CONFLICT DO NOTHING), under the shared blob
    /// lock so that `db gc` cannot delete a blob these rows name before they commit.
    /// </summary>
    private static async Task PutArtifactsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Trial trial, IReadOnlyList<TrialArtifact> artifacts, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock_shared(@key);", cancellationToken, ("key", PostgresDatabase.BlobLock));
        var items = artifacts.Select(a => (Artifact: a, Hash: ArtifactCodec.Hash(a.Content))).ToList();
        // In hash order: two trials sharing texts insert them in the same order, so neither waits on the other's.
        foreach (var (artifact, hash) in items.DistinctBy(i => i.Hash).OrderBy(i => i.Hash, StringComparer.Ordinal))
        {
            await using var exists = Command(connection, transaction, "SELECT 1 FROM artifact_blobs WHERE hash = @hash;", ("hash", hash));
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
                continue;
            await ExecuteAsync(connection, transaction, """
                INSERT INTO artifact_blobs (hash, encoding, size, content) VALUES (@hash, @encoding, @size, @content)
                ON CONFLICT (hash) DO NOTHING;
                """, cancellationToken, ("hash", hash), ("encoding", ArtifactCodec.Encoding),
                ("size", (long)ArtifactCodec.ByteCount(artifact.Content)), ("content", ArtifactCodec.Compress(artifact.Content)));
        }
        await using var row = Command(connection, transaction, """
            INSERT INTO artifacts (run_id, task_id, trial_index, kind, encoding, size, content, hash, pruned_at)
            VALUES (@run, @task, @index, @kind, @encoding, @size, '\x'::bytea, @hash, NULL)
            ON CONFLICT (run_id, task_id, trial_index, kind)
            DO UPDATE SET encoding = excluded.encoding, size = excluded.size, content = excluded.content, hash = excluded.hash, pruned_at = NULL;
            """, ("run", trial.RunId), ("task", trial.TaskId), ("index", (long)trial.TrialIndex),
            ("kind", ""), ("encoding", ArtifactCodec.Encoding), ("size", 0L), ("hash", ""));
        foreach (var (artifact, hash) in items)
        {
            row.Parameters["kind"].Value = ArtifactName(artifact.Kind);
            row.Parameters["size"].Value = (long)ArtifactCodec.ByteCount(artifact.Content);
            row.Parameters["hash"].Value = hash;
            await row.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Replaces the trial's metrics (one packed row, <see cref="MetricSets"/>): a retried attempt keeps only its own.</summary>
    private static async Task RecordMetricsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Trial trial, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "DELETE FROM trial_metric_sets WHERE run_id = @run AND task_id = @task AND trial_index = @index;", cancellationToken,
            ("run", trial.RunId), ("task", trial.TaskId), ("index", (long)trial.TrialIndex));
        if (trial.Metrics.Count == 0)
            return;
        // Only new names are inserted, so that the identity is not spent on every trial (ids must fit
        // 16 bits). A name another writer adds at the same moment: ON CONFLICT waits for its
        // transaction, then the SELECT sees its id.
        await ExecuteAsync(connection, transaction, """
            INSERT INTO metric_names (name) SELECT n FROM unnest(@names::text[]) AS n
            WHERE NOT EXISTS (SELECT 1 FROM metric_names m WHERE m.name = n) ON CONFLICT (name) DO NOTHING;
            """, cancellationToken,
            ("names", trial.Metrics.Keys.ToArray()));
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var known = Command(connection, transaction, "SELECT id, name FROM metric_names WHERE name = ANY(@names::text[]);", ("names", trial.Metrics.Keys.ToArray())))
        await using (var reader = await known.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                ids[reader.GetString(1)] = checked((int)reader.GetInt64(0));
        }
        await ExecuteAsync(connection, transaction, "INSERT INTO trial_metric_sets (run_id, task_id, trial_index, metrics) VALUES (@run, @task, @index, @metrics);", cancellationToken,
            ("run", trial.RunId), ("task", trial.TaskId), ("index", (long)trial.TrialIndex),
            ("metrics", MetricSets.Pack(trial.Metrics.Select(m => (ids[m.Key], m.Value)))));
    }

    /// <summary>Replaces the trial's recorded requests (a retried attempt keeps only its own) and adds unseen texts.</summary>
    private static async Task RecordHarnessAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Trial trial, HarnessCapture harness, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "DELETE FROM harness_requests WHERE run_id = @run AND task_id = @task AND trial_index = @index;", cancellationToken,
            ("run", trial.RunId), ("task", trial.TaskId), ("index", (long)trial.TrialIndex));
        if (harness.Requests.IsDefaultOrEmpty)
            return;
        // In hash order: two trials sharing texts insert them in the same order, so neither waits on the other's.
        foreach (var item in harness.Texts.DistinctBy(t => t.Hash).OrderBy(t => t.Hash, StringComparer.Ordinal))
        {
            await ExecuteAsync(connection, transaction, """
                INSERT INTO harness_texts (hash, kind, encoding, size, content) VALUES (@hash, @kind, @encoding, @size, @content)
                ON CONFLICT (hash) DO NOTHING;
                """, cancellationToken, ("hash", item.Hash), ("kind", item.Kind.ToString()), ("encoding", ArtifactCodec.Encoding),
                ("size", (long)ArtifactCodec.ByteCount(item.Text)), ("content", ArtifactCodec.Compress(item.Text)));
        }
        foreach (var request in harness.Requests)
        {
            await ExecuteAsync(connection, transaction, """
                INSERT INTO harness_requests (run_id, task_id, trial_index, seq, api, method, path, model, system_hash, context_hash,
                    tools_hash, tool_names, parameters, betas, user_agent, api_version, fingerprint, streamed, status, response_model,
                    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, stop_reason, started_at, first_byte_ms, duration_ms)
                VALUES (@run, @task, @index, @seq, @api, @method, @path, @model, @system, @context, @tools, @toolNames, @parameters,
                    @betas, @userAgent, @apiVersion, @fingerprint, @streamed, @status, @responseModel, @input, @output, @cacheRead,
                    @cacheWrite, @stop, @started, @firstByte, @duration);
                """, cancellationToken,
                ("run", trial.RunId), ("task", trial.TaskId), ("index", (long)trial.TrialIndex), ("seq", (long)request.Sequence),
                ("api", request.Api), ("method", request.Method), ("path", request.Path), ("model", request.Model),
                ("system", request.SystemHash), ("context", request.ContextHash), ("tools", request.ToolsHash),
                ("toolNames", JsonSerializer.Serialize(request.ToolNames, Json)), ("parameters", JsonSerializer.Serialize(request.Parameters, Json)),
                ("betas", JsonSerializer.Serialize(request.Betas, Json)), ("userAgent", request.UserAgent), ("apiVersion", request.ApiVersion),
                ("fingerprint", request.Fingerprint), ("streamed", request.Streamed ? 1L : 0L), ("status", (long)request.Status),
                ("responseModel", request.ResponseModel), ("input", request.InputTokens), ("output", request.OutputTokens),
                ("cacheRead", request.CacheReadTokens), ("cacheWrite", request.CacheWriteTokens), ("stop", request.StopReason),
                ("started", Time(request.StartedAt)), ("firstByte", request.FirstByteMs), ("duration", request.DurationMs));
        }
    }

    public Task<string?> GetArtifactAsync(long runId, TrialKey trial, ArtifactKind kind, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            // Rows from before migration 12 hold their text inline (hash NULL); newer ones name a blob.
            await using var command = Command(connection, null, """
                SELECT a.encoding, a.content, a.size, a.hash, a.pruned_at, b.encoding, b.content, b.size
                FROM artifacts a LEFT JOIN artifact_blobs b ON b.hash = a.hash
                WHERE a.run_id = @run AND a.task_id = @task AND a.trial_index = @index AND a.kind = @kind;
                """, ("run", runId), ("task", trial.TaskId), ("index", (long)trial.TrialIndex), ("kind", ArtifactName(kind)));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
                return null;
            if (!reader.IsDBNull(4))
                return TrialArtifact.RemovedByRetention(ParseTime(reader.GetString(4)));
            if (reader.IsDBNull(3))
                return ArtifactCodec.Decompress((byte[])reader.GetValue(1), reader.GetString(0), reader.GetInt64(2));
            if (reader.IsDBNull(6))
                throw new InvalidDataException($"the blob {reader.GetString(3)} of the {ArtifactName(kind)} of run {runId} trial {trial} is missing from artifact_blobs");
            return ArtifactCodec.Decompress((byte[])reader.GetValue(6), reader.GetString(5), reader.GetInt64(2));
        });
}
