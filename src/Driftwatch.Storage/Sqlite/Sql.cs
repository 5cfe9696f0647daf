using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Microsoft.Data.Sqlite;

namespace Driftwatch.Storage.Sqlite;

/// <summary>What every SQLite port shares: commands, time and value encodings, and the readers of rows several ports read.</summary>
internal static class Sql
{
    /// <summary>
    /// Trials a resume runs (again): those never finished, and those that ended in an error of the
    /// infrastructure; a pass left out as suspect is the agent's doing and is never run again.
    /// </summary>
    internal const string Retryable = "outcome IS NULL OR (outcome = 'error' AND COALESCE(error_kind, '') <> 'suspect')";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The finished trials of one run, or of every run (<paramref name="runId"/> null), in order.</summary>
    internal static List<Trial> ReadTrials(SqliteConnection connection, long? runId)
    {
        using var command = Command(connection, null, $"""
            SELECT task_id, trial_index, sequence, category, language, outcome, tests_passed, tests_total,
                   started_at, finished_at, duration_ms, agent_duration_ms, test_duration_ms,
                   input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, turns, tool_calls,
                   agent_version, model, stop_reason, error_kind, error_message, attempts, first_outcome, run_id,
                   flags, served_models, source
            FROM trials WHERE {(runId is null ? "" : "run_id = $run AND ")}outcome IS NOT NULL ORDER BY run_id, sequence;
            """, ("$run", runId));
        using var reader = command.ExecuteReader();
        var trials = new List<Trial>();
        while (reader.Read())
        {
            trials.Add(new Trial
            {
                RunId = reader.GetInt64(27),
                TaskId = reader.GetString(0),
                TrialIndex = reader.GetInt32(1),
                Sequence = reader.GetInt32(2),
                Category = TaskCategoryNames.ParseCategory(reader.GetString(3)),
                Language = reader.GetString(4),
                Outcome = OutcomeNames.ParseOutcome(reader.GetString(5)),
                TestsPassed = reader.GetInt32(6),
                TestsTotal = reader.GetInt32(7),
                StartedAt = ParseTime(reader.GetString(8)),
                FinishedAt = ParseTime(reader.GetString(9)),
                DurationMs = reader.GetInt64(10),
                AgentDurationMs = reader.GetInt64(11),
                TestDurationMs = reader.GetInt64(12),
                Usage = new AgentUsage
                {
                    InputTokens = NullableLong(reader, 13),
                    OutputTokens = NullableLong(reader, 14),
                    CacheReadTokens = NullableLong(reader, 15),
                    CacheWriteTokens = NullableLong(reader, 16),
                    CostUsd = reader.IsDBNull(17) ? null : decimal.Parse(reader.GetString(17), CultureInfo.InvariantCulture),
                    Turns = (int?)NullableLong(reader, 18),
                    ToolCalls = (int?)NullableLong(reader, 19),
                },
                AgentVersion = NullableString(reader, 20),
                Model = NullableString(reader, 21),
                StopReason = NullableString(reader, 22),
                ErrorKind = NullableString(reader, 23),
                ErrorMessage = NullableString(reader, 24),
                Attempts = reader.GetInt32(25),
                FirstOutcome = reader.IsDBNull(26) ? null : OutcomeNames.ParseOutcome(reader.GetString(26)),
                Flags = StringList(reader, 28),
                ServedModels = StringList(reader, 29),
                Source = NullableString(reader, 30),
            });
        }
        return WithMetrics(connection, runId, trials);
    }

    /// <summary>The trials with the metrics recorded with each (none for trials from before schema step 8).</summary>
    private static List<Trial> WithMetrics(SqliteConnection connection, long? runId, List<Trial> trials)
    {
        using var command = Command(connection, null, $"""
            SELECT run_id, task_id, trial_index, name, value FROM trial_metrics
            {(runId is null ? "" : "WHERE run_id = $run")};
            """, ("$run", runId));
        using var reader = command.ExecuteReader();
        var metrics = new Dictionary<(long Run, string Task, int Index), List<KeyValuePair<string, double>>>();
        while (reader.Read())
        {
            var key = (reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2));
            if (!metrics.TryGetValue(key, out var values))
                metrics[key] = values = [];
            values.Add(KeyValuePair.Create(reader.GetString(3), reader.GetDouble(4)));
        }
        return metrics.Count == 0
            ? trials
            : [.. trials.Select(t => metrics.TryGetValue((t.RunId, t.TaskId, t.TrialIndex), out var values) ? t with { Metrics = MetricDictionary.Of(values) } : t)];
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
        {
            trials.Add(new PlannedTrial(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2),
                TaskCategoryNames.ParseCategory(reader.GetString(3)), reader.GetString(4)));
        }
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

    internal static string ArtifactName(ArtifactKind kind) => kind switch
    {
        ArtifactKind.Transcript => "transcript",
        ArtifactKind.AgentOutput => "agent-output",
        ArtifactKind.Diff => "diff",
        ArtifactKind.TestOutput => "test-output",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

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

    internal static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    internal static long? NullableLong(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>
    /// The flag counts of a run from its trials' flags columns, gathered as one JSON array of their
    /// texts (each parsed here, so a damaged one is a JSON error like any stored value's).
    /// </summary>
    internal static FlagCounts FlaggedTrials(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal)
            ? FlagCounts.None
            : FlagCounts.Of((JsonSerializer.Deserialize<string[]>(reader.GetString(ordinal), Json) ?? [])
                .Select(flags => (IEnumerable<string>)(JsonSerializer.Deserialize<string[]>(flags, Json) ?? [])));

    /// <summary>A JSON array of strings stored in a column (empty when NULL).</summary>
    internal static ImmutableArray<string> StringList(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : [.. JsonSerializer.Deserialize<string[]>(reader.GetString(ordinal), Json) ?? []];

    internal static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
