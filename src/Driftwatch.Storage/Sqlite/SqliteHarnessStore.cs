using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using static Driftwatch.Storage.Sqlite.Sql;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Sqlite;

/// <summary>What the recording proxy saw, read back from SQLite.</summary>
internal sealed class SqliteHarnessStore(SqliteDatabase db) : IHarnessStore
{
    public Task<IReadOnlyList<(TrialKey Trial, HarnessRequest Request)>> GetHarnessRequestsAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Guard(() =>
        {
            using var connection = db.OpenConnection();
            using var command = Command(connection, null, $"""
                SELECT {HarnessRequestColumns}
                FROM harness_requests WHERE run_id = $run ORDER BY task_id, trial_index, seq;
                """, ("$run", runId));
            using var reader = command.ExecuteReader();
            var result = new List<(TrialKey, HarnessRequest)>();
            while (reader.Read())
                result.Add(ReadHarnessRequest(reader));
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
