using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Npgsql;
using static Driftwatch.Storage.Postgres.PostgresDatabase;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Postgres;

/// <summary>What the recording proxy saw, read back from PostgreSQL.</summary>
internal sealed class PostgresHarnessStore(PostgresDatabase db) : IHarnessStore
{
    public Task<IReadOnlyList<(TrialKey Trial, HarnessRequest Request)>> GetHarnessRequestsAsync(long runId, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await using var command = Command(connection, null, $"""
                SELECT {HarnessRequestColumns}
                FROM harness_requests WHERE run_id = @run ORDER BY task_id COLLATE "C", trial_index, seq;
                """, ("run", runId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var result = new List<(TrialKey, HarnessRequest)>();
            while (await reader.ReadAsync(cancellationToken))
                result.Add(ReadHarnessRequest(reader));
            IReadOnlyList<(TrialKey, HarnessRequest)> list = result;
            return list;
        });

    public Task<IReadOnlyDictionary<string, string>> GetHarnessTextsAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default) =>
        db.GuardAsync(async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            IReadOnlyDictionary<string, string> texts = await ReadTextsAsync(connection, hashes, cancellationToken);
            return texts;
        });

    internal static async Task<Dictionary<string, string>> ReadTextsAsync(NpgsqlConnection connection, IEnumerable<string> hashes, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var wanted = hashes.Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
            return result;
        await using var command = Command(connection, null, "SELECT hash, encoding, content, size FROM harness_texts WHERE hash = ANY(@hashes);", ("hashes", wanted));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            result[reader.GetString(0)] = ArtifactCodec.Decompress((byte[])reader.GetValue(2), reader.GetString(1), reader.GetInt64(3));
        return result;
    }
}
