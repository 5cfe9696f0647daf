using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using static Driftwatch.Storage.Postgres.PostgresDatabase;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Postgres;

/// <summary>
/// Runs of other harnesses in PostgreSQL: a batch in one transaction (one batch at a time, by an
/// advisory lock), each run once per format family and key (a unique index), stored as a closed
/// run with its trials or its per-run counts.
/// </summary>
internal sealed class PostgresIngestStore(PostgresDatabase db) : IIngestStore
{
    public Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<IngestedRun> runs, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key);", cancellationToken, ("key", IngestLock));
            var results = new List<IngestResult>();
            foreach (var run in runs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var hash = run.ContentHash();
                long? replaced = null;
                await using (var existing = Command(connection, transaction,
                    "SELECT id, source_hash, source_path, status FROM runs WHERE source_family = @family AND source_key = @key;",
                    ("family", run.Family), ("key", run.Key)))
                await using (var reader = await existing.ExecuteReaderAsync(cancellationToken))
                {
                    if (await reader.ReadAsync(cancellationToken))
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
                    await ExecuteAsync(connection, transaction, "DELETE FROM runs WHERE id = @id;", cancellationToken, ("id", stale));

                var runId = await PostgresRunStore.InsertRunAsync(connection, transaction, IngestedRuns.Plan(run), IngestedRuns.Fingerprint(run), run.StartedAt,
                    owner: null, leaseExpires: null, cancellationToken);
                foreach (var (trial, artifacts) in IngestedRuns.Trials(run, runId))
                {
                    if (!await PostgresTrialStore.RecordAsync(connection, transaction, trial, artifacts, HarnessCapture.Empty, cancellationToken))
                        throw new InvalidOperationException($"ingested trial {trial.Key} of run {runId} could not be recorded");
                }
                if (run.Totals is { } totals)
                {
                    var usage = run.TotalUsage ?? AgentUsage.None;
                    await ExecuteAsync(connection, transaction, """
                        INSERT INTO run_totals (run_id, pass, fail, timeout, error, input_tokens, output_tokens,
                                                cache_read_tokens, cache_write_tokens, cost_usd, duration_ms)
                        VALUES (@run, @pass, @fail, @timeout, @error, @input, @output, @cacheRead, @cacheWrite, @cost, @duration);
                        """, cancellationToken, ("run", runId), ("pass", (long)totals.Pass), ("fail", (long)totals.Fail), ("timeout", (long)totals.Timeout),
                        ("error", (long)totals.Error), ("input", usage.InputTokens), ("output", usage.OutputTokens),
                        ("cacheRead", usage.CacheReadTokens), ("cacheWrite", usage.CacheWriteTokens),
                        ("cost", Cost(usage.CostUsd)), ("duration", run.DurationMs));
                }
                await ExecuteAsync(connection, transaction, """
                    UPDATE runs SET status = @status, finished_at = @finished,
                        source_format = @format, source_family = @family, source_key = @key, source_path = @path, source_hash = @hash
                    WHERE id = @id;
                    """, cancellationToken, ("status", run.Status.Name()), ("finished", Time(run.FinishedAt ?? run.StartedAt)),
                    ("format", run.Format), ("family", run.Family), ("key", run.Key), ("path", run.Path), ("hash", hash), ("id", runId));
                results.Add(new IngestResult(run, runId, Added: true) { Replaced = replaced });
            }
            await transaction.CommitAsync(cancellationToken);
            return (IReadOnlyList<IngestResult>)results;
        });
}
