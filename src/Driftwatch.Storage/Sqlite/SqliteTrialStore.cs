using System.Globalization;
using System.Text.Json;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Microsoft.Data.Sqlite;
using static Driftwatch.Storage.Sqlite.Sql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Sqlite;

/// <summary>Trials in SQLite: pending ones, each recorded exactly once with its artifacts and harness requests.</summary>
internal sealed class SqliteTrialStore(SqliteDatabase db) : ITrialStore
{
    public Task<IReadOnlyList<PlannedTrial>> GetPendingTrialsAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            IReadOnlyList<PlannedTrial> pending = ReadPlannedTrials(connection, runId, pendingOnly: true);
            return pending;
        }));

    public Task<IReadOnlyList<Trial>> GetTrialsAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            IReadOnlyList<Trial> trials = ReadTrials(connection, runId);
            return trials;
        }));

    public Task<RecordResult> RecordTrialAsync(Trial trial, IReadOnlyList<TrialArtifact> artifacts, HarnessCapture? harness = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            if (!Record(connection, transaction, db.Artifacts, trial, artifacts, harness ?? HarnessCapture.Empty))
            {
                // The write lock is held (BEGIN IMMEDIATE): no other writer can record it between the two statements.
                using var planned = Command(connection, transaction, "SELECT 1 FROM trials WHERE run_id = $run AND task_id = $task AND trial_index = $index;",
                    ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex));
                if (planned.ExecuteScalar() is null)
                    throw new InvalidOperationException($"trial {trial.Key} of run {trial.RunId} was never planned");
                transaction.Rollback();
                return RecordResult.AlreadyRecorded;
            }
            transaction.Commit();
            return RecordResult.Recorded;
        }));

    /// <summary>
    /// Writes a finished trial over its planned row with its artifacts, harness requests and
    /// metrics, within <paramref name="transaction"/>; false (nothing written) when the row is not
    /// pending or retryable. Artifact texts go to <paramref name="files"/> (each distinct text once),
    /// written before the transaction commits; the rows name them by hash.
    /// </summary>
    internal static bool Record(SqliteConnection connection, SqliteTransaction transaction, ArtifactFiles files, Trial trial, IReadOnlyList<TrialArtifact> artifacts, HarnessCapture harness)
    {
        using var update = Command(connection, transaction, $"""
            UPDATE trials SET outcome = $outcome, tests_passed = $passed, tests_total = $total,
                started_at = $started, finished_at = $finished, duration_ms = $duration,
                agent_duration_ms = $agentDuration, test_duration_ms = $testDuration,
                input_tokens = $input, output_tokens = $output, cache_read_tokens = $cacheRead,
                cache_write_tokens = $cacheWrite, cost_usd = $cost, turns = $turns, tool_calls = $tools,
                agent_version = $version, model = $model, stop_reason = $stop, error_kind = $errorKind,
                error_message = $errorMessage, attempts = $attempts, first_outcome = $first,
                flags = $flags, served_models = $served, source = $source
            WHERE run_id = $run AND task_id = $task AND trial_index = $index
              AND ({Retryable});
            """,
            ("$outcome", trial.Outcome.Name()), ("$passed", trial.TestsPassed), ("$total", trial.TestsTotal),
            ("$started", Time(trial.StartedAt)), ("$finished", Time(trial.FinishedAt)),
            ("$duration", trial.DurationMs), ("$agentDuration", trial.AgentDurationMs), ("$testDuration", trial.TestDurationMs),
            ("$input", trial.Usage.InputTokens), ("$output", trial.Usage.OutputTokens),
            ("$cacheRead", trial.Usage.CacheReadTokens), ("$cacheWrite", trial.Usage.CacheWriteTokens),
            ("$cost", trial.Usage.CostUsd?.ToString(CultureInfo.InvariantCulture)),
            ("$turns", trial.Usage.Turns), ("$tools", trial.Usage.ToolCalls),
            ("$version", trial.AgentVersion), ("$model", trial.Model), ("$stop", trial.StopReason),
            ("$errorKind", trial.ErrorKind), ("$errorMessage", trial.ErrorMessage), ("$attempts", trial.Attempts),
            ("$first", trial.FirstOutcome?.Name()),
            ("$flags", trial.Flags.IsDefaultOrEmpty ? null : JsonSerializer.Serialize(trial.Flags, Json)),
            ("$served", trial.ServedModels.IsDefaultOrEmpty ? null : JsonSerializer.Serialize(trial.ServedModels, Json)),
            ("$source", trial.Source),
            ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex));
        if (update.ExecuteNonQuery() != 1)
            return false;

        using var artifact = Command(connection, transaction, """
            INSERT OR REPLACE INTO artifacts (run_id, task_id, trial_index, kind, encoding, size, content, hash, pruned_at)
            VALUES ($run, $task, $index, $kind, $encoding, $size, X'', $hash, NULL);
            """, ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex),
            ("$kind", ""), ("$encoding", ArtifactCodec.Encoding), ("$size", 0), ("$hash", Array.Empty<byte>()));
        foreach (var item in artifacts)
        {
            var hash = ArtifactCodec.Hash(item.Content);
            if (!files.Contains(hash))
                files.Put(hash, ArtifactCodec.Compress(item.Content));
            artifact.Parameters["$kind"].Value = ArtifactName(item.Kind);
            artifact.Parameters["$size"].Value = ArtifactCodec.ByteCount(item.Content);
            // The row holds the hash's 32 bytes (half its hex text: about 120 bytes a trial, #20).
            artifact.Parameters["$hash"].Value = Convert.FromHexString(hash);
            artifact.ExecuteNonQuery();
        }
        RecordHarness(connection, transaction, trial, harness);
        RecordMetrics(connection, transaction, trial);
        return true;
    }

    /// <summary>Replaces the trial's metrics (one packed row, <see cref="MetricSets"/>): a retried attempt keeps only its own.</summary>
    private static void RecordMetrics(SqliteConnection connection, SqliteTransaction transaction, Trial trial)
    {
        Execute(connection, "DELETE FROM trial_metric_sets WHERE run_id = $run AND task_id = $task AND trial_index = $index;", transaction,
            ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex));
        if (trial.Metrics.Count == 0)
            return;
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var known = Command(connection, transaction, "SELECT id, name FROM metric_names;"))
        using (var reader = known.ExecuteReader())
        {
            while (reader.Read())
                ids[reader.GetString(1)] = checked((int)reader.GetInt64(0));
        }
        foreach (var name in trial.Metrics.Keys.Where(n => !ids.ContainsKey(n)).ToList())
        {
            Execute(connection, "INSERT INTO metric_names (name) VALUES ($name);", transaction, ("$name", name));
            ids[name] = checked((int)(long)Scalar(connection, "SELECT last_insert_rowid();", transaction)!);
        }
        Execute(connection, "INSERT INTO trial_metric_sets (run_id, task_id, trial_index, metrics) VALUES ($run, $task, $index, $metrics);", transaction,
            ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex),
            ("$metrics", MetricSets.Pack(trial.Metrics.Select(m => (ids[m.Key], m.Value)))));
    }

    /// <summary>Replaces the trial's recorded requests (a retried attempt keeps only its own) and adds unseen texts.</summary>
    private static void RecordHarness(SqliteConnection connection, SqliteTransaction transaction, Trial trial, HarnessCapture harness)
    {
        Execute(connection, "DELETE FROM harness_requests WHERE run_id = $run AND task_id = $task AND trial_index = $index;", transaction,
            ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex));
        if (harness.Requests.IsDefaultOrEmpty)
            return;
        using var text = Command(connection, transaction, """
            INSERT OR IGNORE INTO harness_texts (hash, kind, encoding, size, content) VALUES ($hash, $kind, $encoding, $size, $content);
            """, ("$hash", ""), ("$kind", ""), ("$encoding", ArtifactCodec.Encoding), ("$size", 0), ("$content", Array.Empty<byte>()));
        foreach (var item in harness.Texts.DistinctBy(t => t.Hash))
        {
            text.Parameters["$hash"].Value = item.Hash;
            text.Parameters["$kind"].Value = item.Kind.ToString();
            text.Parameters["$size"].Value = ArtifactCodec.ByteCount(item.Text);
            text.Parameters["$content"].Value = ArtifactCodec.Compress(item.Text);
            text.ExecuteNonQuery();
        }
        foreach (var request in harness.Requests)
        {
            Execute(connection, """
                INSERT INTO harness_requests (run_id, task_id, trial_index, seq, api, method, path, model, system_hash, context_hash,
                    tools_hash, tool_names, parameters, betas, user_agent, api_version, fingerprint, streamed, status, response_model,
                    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, stop_reason, started_at, first_byte_ms, duration_ms)
                VALUES ($run, $task, $index, $seq, $api, $method, $path, $model, $system, $context, $tools, $toolNames, $parameters,
                    $betas, $userAgent, $apiVersion, $fingerprint, $streamed, $status, $responseModel, $input, $output, $cacheRead,
                    $cacheWrite, $stop, $started, $firstByte, $duration);
                """, transaction,
                ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex), ("$seq", request.Sequence),
                ("$api", request.Api), ("$method", request.Method), ("$path", request.Path), ("$model", request.Model),
                ("$system", request.SystemHash), ("$context", request.ContextHash), ("$tools", request.ToolsHash),
                ("$toolNames", JsonSerializer.Serialize(request.ToolNames, Json)), ("$parameters", JsonSerializer.Serialize(request.Parameters, Json)),
                ("$betas", JsonSerializer.Serialize(request.Betas, Json)), ("$userAgent", request.UserAgent), ("$apiVersion", request.ApiVersion),
                ("$fingerprint", request.Fingerprint), ("$streamed", request.Streamed ? 1 : 0), ("$status", request.Status),
                ("$responseModel", request.ResponseModel), ("$input", request.InputTokens), ("$output", request.OutputTokens),
                ("$cacheRead", request.CacheReadTokens), ("$cacheWrite", request.CacheWriteTokens), ("$stop", request.StopReason),
                ("$started", Time(request.StartedAt)), ("$firstByte", request.FirstByteMs), ("$duration", request.DurationMs));
        }
    }

    public Task<string?> GetArtifactAsync(long runId, TrialKey trial, ArtifactKind kind, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var command = Command(connection, null, """
                SELECT encoding, content, size, hash, pruned_at FROM artifacts
                WHERE run_id = $run AND task_id = $task AND trial_index = $index AND kind = $kind;
                """, ("$run", runId), ("$task", trial.TaskId), ("$index", trial.TrialIndex), ("$kind", ArtifactName(kind)));
            using var reader = command.ExecuteReader();
            if (!reader.Read())
                return null;
            if (!reader.IsDBNull(4))
                return TrialArtifact.RemovedByRetention(ParseTime(reader.GetString(4)));
            if (reader.IsDBNull(3))
                return ArtifactCodec.Decompress((byte[])reader.GetValue(1), reader.GetString(0), reader.GetInt64(2));
            return db.Artifacts.ReadText(ArtifactFiles.StoredHash(reader.GetValue(3)), reader.GetString(0), reader.GetInt64(2),
                $"the {ArtifactName(kind)} of run {runId} trial {trial}");
        }));
}
