using System.Globalization;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using static Driftwatch.Storage.Sqlite.Sql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Sqlite;

/// <summary>
/// Runs of other harnesses in SQLite: a batch in one write transaction, each run once per format
/// family and key (a unique index), stored as a closed run with its trials or its per-run counts.
/// </summary>
internal sealed class SqliteIngestStore(SqliteDatabase db) : IIngestStore
{
    public Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<IngestedRun> runs, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            var results = new List<IngestResult>();
            foreach (var run in runs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var hash = run.ContentHash();
                long? replaced = null;
                using (var existing = Command(connection, transaction,
                    "SELECT id, source_hash, source_path, status FROM runs WHERE source_family = $family AND source_key = $key;",
                    ("$family", run.Family), ("$key", run.Key)))
                using (var reader = existing.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        var id = reader.GetInt64(0);
                        if (IngestedRuns.IsAlreadyStored(run, hash, id, reader.GetString(1), reader.GetString(2), reader.GetString(3)))
                        {
                            results.Add(new IngestResult(run, id, Added: false));
                            continue;
                        }
                        replaced = id;
                    }
                }
                if (replaced is { } stale)
                    Execute(connection, "DELETE FROM runs WHERE id = $id;", transaction, ("$id", stale));

                var runId = SqliteRunStore.InsertRun(connection, transaction, IngestedRuns.Plan(run), IngestedRuns.Fingerprint(run), run.StartedAt, owner: null, leaseExpires: null);
                foreach (var (trial, artifacts) in IngestedRuns.Trials(run, runId))
                {
                    if (!SqliteTrialStore.Record(connection, transaction, db.Artifacts, trial, artifacts, HarnessCapture.Empty))
                        throw new InvalidOperationException($"ingested trial {trial.Key} of run {runId} could not be recorded");
                }
                if (run.Totals is { } totals)
                {
                    var usage = run.TotalUsage ?? AgentUsage.None;
                    Execute(connection, """
                        INSERT INTO run_totals (run_id, pass, fail, timeout, error, input_tokens, output_tokens,
                                                cache_read_tokens, cache_write_tokens, cost_usd, duration_ms)
                        VALUES ($run, $pass, $fail, $timeout, $error, $input, $output, $cacheRead, $cacheWrite, $cost, $duration);
                        """, transaction, ("$run", runId), ("$pass", totals.Pass), ("$fail", totals.Fail), ("$timeout", totals.Timeout),
                        ("$error", totals.Error), ("$input", usage.InputTokens), ("$output", usage.OutputTokens),
                        ("$cacheRead", usage.CacheReadTokens), ("$cacheWrite", usage.CacheWriteTokens),
                        ("$cost", usage.CostUsd?.ToString(CultureInfo.InvariantCulture)), ("$duration", run.DurationMs));
                }
                Execute(connection, """
                    UPDATE runs SET status = $status, finished_at = $finished,
                        source_format = $format, source_family = $family, source_key = $key, source_path = $path, source_hash = $hash
                    WHERE id = $id;
                    """, transaction, ("$status", run.Status.Name()), ("$finished", Time(run.FinishedAt ?? run.StartedAt)),
                    ("$format", run.Format), ("$family", run.Family), ("$key", run.Key), ("$path", run.Path), ("$hash", hash), ("$id", runId));
                results.Add(new IngestResult(run, runId, Added: true) { Replaced = replaced });
            }
            transaction.Commit();
            return (IReadOnlyList<IngestResult>)results;
        }));
}
