using Driftwatch.Core.Runs;
using Microsoft.Data.Sqlite;
using static Driftwatch.Storage.StoredRows;

namespace Driftwatch.Storage.Sqlite;

/// <summary>What every SQLite port shares: commands and the queries several ports run (values and rows: <see cref="StoredRows"/>).</summary>
internal static class Sql
{
    /// <summary>The finished trials of one run, or of every run (<paramref name="runId"/> null), in order.</summary>
    internal static List<Trial> ReadTrials(SqliteConnection connection, long? runId)
    {
        using var command = Command(connection, null, $"""
            SELECT {TrialColumns}
            FROM trials WHERE {(runId is null ? "" : "run_id = $run AND ")}outcome IS NOT NULL ORDER BY run_id, sequence;
            """, ("$run", runId));
        var trials = new List<Trial>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                trials.Add(ReadTrial(reader));
        }
        using var metrics = Command(connection, null, $"""
            SELECT run_id, task_id, trial_index, metrics FROM trial_metric_sets
            {(runId is null ? "" : "WHERE run_id = $run")};
            """, ("$run", runId));
        return WithMetrics(trials, MetricsByTrial(connection, metrics));
    }

    /// <summary>The metric names by id (a handful of rows: read whole by each reader of metrics).</summary>
    internal static Dictionary<int, string> MetricNames(SqliteConnection connection)
    {
        using var command = Command(connection, null, "SELECT id, name FROM metric_names;");
        using var reader = command.ExecuteReader();
        return MetricSets.Names(reader);
    }

    /// <summary>The metrics of the trials <paramref name="command"/> selects as (run_id, task_id, trial_index, metrics), by trial.</summary>
    internal static Dictionary<(long Run, string Task, int Index), List<KeyValuePair<string, double>>> MetricsByTrial(SqliteConnection connection, SqliteCommand command)
    {
        var names = MetricNames(connection);
        using var reader = command.ExecuteReader();
        return MetricSets.ByTrial(reader, names, connection.DataSource);
    }

    internal static List<PlannedTrial> ReadPlannedTrials(SqliteConnection connection, long runId, bool pendingOnly, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, transaction, $"""
            SELECT task_id, trial_index, sequence, category, language FROM trials
            WHERE run_id = $run {(pendingOnly ? $"AND ({Retryable})" : "")}
            ORDER BY sequence;
            """, ("$run", runId));
        using var reader = command.ExecuteReader();
        var trials = new List<PlannedTrial>();
        while (reader.Read())
            trials.Add(ReadPlannedTrial(reader));
        return trials;
    }

    internal static Dictionary<string, string> ReadTexts(SqliteConnection connection, IEnumerable<string> hashes)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var command = Command(connection, null, "SELECT encoding, content, size FROM harness_texts WHERE hash = $hash;", ("$hash", ""));
        foreach (var hash in hashes.Distinct(StringComparer.Ordinal))
        {
            command.Parameters["$hash"].Value = hash;
            using var reader = command.ExecuteReader();
            if (reader.Read())
                result[hash] = ArtifactCodec.Decompress((byte[])reader.GetValue(1), reader.GetString(0), reader.GetInt64(2));
        }
        return result;
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, transaction, sql);
        return command.ExecuteScalar();
    }
}
