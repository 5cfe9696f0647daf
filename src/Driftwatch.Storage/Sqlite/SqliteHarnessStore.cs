using System.Collections.Immutable;
using System.Text.Json;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using static Driftwatch.Storage.Sqlite.Sql;

namespace Driftwatch.Storage.Sqlite;

/// <summary>What the recording proxy saw, read back from SQLite.</summary>
internal sealed class SqliteHarnessStore(SqliteDatabase db) : IHarnessStore
{
    public Task<IReadOnlyList<(TrialKey Trial, HarnessRequest Request)>> GetHarnessRequestsAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var command = Command(connection, null, """
                SELECT task_id, trial_index, seq, api, method, path, model, system_hash, context_hash, tools_hash, tool_names,
                       parameters, betas, user_agent, api_version, streamed, status, response_model, input_tokens, output_tokens,
                       cache_read_tokens, cache_write_tokens, stop_reason, started_at, first_byte_ms, duration_ms
                FROM harness_requests WHERE run_id = $run ORDER BY task_id, trial_index, seq;
                """, ("$run", runId));
            using var reader = command.ExecuteReader();
            var result = new List<(TrialKey, HarnessRequest)>();
            while (reader.Read())
            {
                result.Add((new TrialKey(reader.GetString(0), reader.GetInt32(1)), new HarnessRequest
                {
                    Sequence = reader.GetInt32(2),
                    Api = reader.GetString(3),
                    Method = reader.GetString(4),
                    Path = reader.GetString(5),
                    Model = NullableString(reader, 6),
                    SystemHash = NullableString(reader, 7),
                    ContextHash = NullableString(reader, 8),
                    ToolsHash = NullableString(reader, 9),
                    ToolNames = JsonSerializer.Deserialize<ImmutableArray<string>>(reader.GetString(10), Json),
                    Parameters = JsonSerializer.Deserialize<ImmutableSortedDictionary<string, string>>(reader.GetString(11), Json)!.WithComparers(StringComparer.Ordinal),
                    Betas = JsonSerializer.Deserialize<ImmutableArray<string>>(reader.GetString(12), Json),
                    UserAgent = NullableString(reader, 13),
                    ApiVersion = NullableString(reader, 14),
                    Streamed = reader.GetInt32(15) != 0,
                    Status = reader.GetInt32(16),
                    ResponseModel = NullableString(reader, 17),
                    InputTokens = reader.IsDBNull(18) ? null : reader.GetInt64(18),
                    OutputTokens = reader.IsDBNull(19) ? null : reader.GetInt64(19),
                    CacheReadTokens = reader.IsDBNull(20) ? null : reader.GetInt64(20),
                    CacheWriteTokens = reader.IsDBNull(21) ? null : reader.GetInt64(21),
                    StopReason = NullableString(reader, 22),
                    StartedAt = ParseTime(reader.GetString(23)),
                    FirstByteMs = reader.GetInt64(24),
                    DurationMs = reader.GetInt64(25),
                }));
            }
            IReadOnlyList<(TrialKey, HarnessRequest)> list = result;
            return list;
        }));

    public Task<IReadOnlyDictionary<string, string>> GetHarnessTextsAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            IReadOnlyDictionary<string, string> texts = ReadTexts(connection, hashes);
            return texts;
        }));
}
