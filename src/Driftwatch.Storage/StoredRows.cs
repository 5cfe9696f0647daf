using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Driftwatch.Core.Alerts;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Driftwatch.Core.Suites;

namespace Driftwatch.Storage;

/// <summary>
/// What every store shares, whatever its SQL: how values are encoded in columns (times as ISO text,
/// costs as invariant text, lists as JSON) and how the rows of the common schema read back as
/// records. Both stores have the same tables and columns (docs/storage.md), so a row is a row.
/// </summary>
internal static class StoredRows
{
    /// <summary>
    /// Trials a resume runs (again): those never finished, and those that ended in an error of the
    /// infrastructure; a pass left out as suspect is the agent's doing and is never run again.
    /// </summary>
    internal const string Retryable = "outcome IS NULL OR (outcome = 'error' AND COALESCE(error_kind, '') <> 'suspect')";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The columns of a finished trial, in the order <see cref="ReadTrial"/> reads them (alias: t).</summary>
    internal const string TrialColumns = """
        task_id, trial_index, sequence, category, language, outcome, tests_passed, tests_total,
        started_at, finished_at, duration_ms, agent_duration_ms, test_duration_ms,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, turns, tool_calls,
        agent_version, model, stop_reason, error_kind, error_message, attempts, first_outcome, run_id,
        flags, served_models, source
        """;

    internal static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    internal static string? Cost(decimal? cost) => cost?.ToString(CultureInfo.InvariantCulture);

    internal static long? NullableLong(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    internal static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A JSON array of strings stored in a column (empty when NULL).</summary>
    internal static ImmutableArray<string> StringList(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : [.. JsonSerializer.Deserialize<string[]>(reader.GetString(ordinal), Json) ?? []];

    internal static string ArtifactName(ArtifactKind kind) => kind switch
    {
        ArtifactKind.Transcript => "transcript",
        ArtifactKind.AgentOutput => "agent-output",
        ArtifactKind.Diff => "diff",
        ArtifactKind.TestOutput => "test-output",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    internal static string? FlagsJson(Trial trial) => trial.Flags.IsDefaultOrEmpty ? null : JsonSerializer.Serialize(trial.Flags, Json);

    internal static string? ServedModelsJson(Trial trial) => trial.ServedModels.IsDefaultOrEmpty ? null : JsonSerializer.Serialize(trial.ServedModels, Json);

    /// <summary>A finished trial from a row of <see cref="TrialColumns"/> (its metrics are added by the caller).</summary>
    internal static Trial ReadTrial(DbDataReader reader) => new()
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
    };

    private static readonly TrialOutcome[] TalliedOutcomes = [TrialOutcome.Pass, TrialOutcome.Fail, TrialOutcome.Timeout, TrialOutcome.Error];

    /// <summary>
    /// Each run's finished trials as (task, outcome), one entry per trial, from rows of run_task_tallies
    /// (run_id, task_id, pass, fail, timeout, error, other): a history's outcomes without reading its
    /// trials. A trial whose outcome Driftwatch does not know (other) is a damaged value, reported as such.
    /// </summary>
    internal static void ReadTaskTallies(DbDataReader reader, Dictionary<long, List<(string, TrialOutcome)>> trials)
    {
        while (reader.Read())
        {
            var runId = reader.GetInt64(0);
            if (!trials.TryGetValue(runId, out var list))
                trials[runId] = list = [];
            var task = reader.GetString(1);
            if (reader.GetInt64(6) != 0)
                throw new FormatException($"run {runId}, task {task}: {reader.GetInt64(6)} finished trial(s) with an outcome Driftwatch does not know");
            for (var i = 0; i < TalliedOutcomes.Length; i++)
            {
                var count = reader.GetInt64(2 + i);
                for (var n = 0; n < count; n++)
                    list.Add((task, TalliedOutcomes[i]));
            }
        }
    }

    /// <summary>The trials with the metrics recorded with each (none for trials from before the metrics table).</summary>
    internal static List<Trial> WithMetrics(List<Trial> trials, Dictionary<(long Run, string Task, int Index), List<KeyValuePair<string, double>>> metrics) =>
        metrics.Count == 0
            ? trials
            : [.. trials.Select(t => metrics.TryGetValue((t.RunId, t.TaskId, t.TrialIndex), out var values) ? t with { Metrics = MetricDictionary.Of(values) } : t)];

    /// <summary>A planned trial from (task_id, trial_index, sequence, category, language).</summary>
    internal static PlannedTrial ReadPlannedTrial(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), TaskCategoryNames.ParseCategory(reader.GetString(3)), reader.GetString(4));

    /// <summary>
    /// A run header from the row of the headers query (the same columns in both stores): its
    /// status is running only while <paramref name="isHeld"/> says its owner holds it.
    /// </summary>
    internal static RunHeader ReadHeader(DbDataReader reader, Func<RunOwner, DateTimeOffset?, bool> isHeld)
    {
        var status = OutcomeNames.ParseStatus(reader.GetString(6));
        if (status == RunStatus.Running && !reader.IsDBNull(15))
        {
            var owner = new RunOwner(reader.GetString(14), reader.GetInt32(15), ParseTime(reader.GetString(16)));
            DateTimeOffset? lease = reader.IsDBNull(25) ? null : ParseTime(reader.GetString(25));
            if (!isHeld(owner, lease))
                status = RunStatus.Incomplete;
        }
        int Count(int ordinal) => reader.IsDBNull(ordinal) ? 0 : reader.GetInt32(ordinal);
        // A run known by its counts only (run_totals) has no trial rows: its counts are its summary.
        Core.Ingest.RunTotals? totals = reader.IsDBNull(29) ? null : new(Count(29), Count(30), Count(31), Count(32));
        var pass = Count(19) + (totals?.Pass ?? 0);
        var fail = Count(20) + (totals?.Fail ?? 0);
        var timeout = Count(21) + (totals?.Timeout ?? 0);
        var error = Count(22) + (totals?.Error ?? 0);
        var pending = Count(23);
        return new RunHeader
        {
            Id = reader.GetInt64(0),
            Agent = reader.GetString(1),
            AgentKind = reader.GetString(2),
            Synthetic = reader.GetInt64(3) != 0,
            Suite = reader.GetString(4),
            SuiteRevision = reader.GetString(5),
            Status = status,
            StartedAt = ParseTime(reader.GetString(7)),
            FinishedAt = reader.IsDBNull(8) ? null : ParseTime(reader.GetString(8)),
            Seed = reader.GetInt32(9),
            TrialsPerTask = reader.GetInt32(10),
            TaskFilter = NullableString(reader, 11),
            SandboxMode = reader.GetString(12),
            Allocation = reader.GetString(17),
            Fingerprint = JsonSerializer.Deserialize<RunFingerprint>(reader.GetString(13), Json) ?? new RunFingerprint(),
            PlannedTrials = Count(18) + (totals?.Total ?? 0),
            Summary = new RunSummary(pass + fail + timeout + error, pass, fail, timeout, error, pending),
            Flagged = new FlagCounts(Count(24), Count(40), Count(41)),
            Source = reader.IsDBNull(26) ? null : new RunSource(reader.GetString(26), reader.GetString(27), reader.GetString(28)),
            Totals = totals,
            TotalsUsage = totals is null ? null : new AgentUsage
            {
                InputTokens = NullableLong(reader, 33),
                OutputTokens = NullableLong(reader, 34),
                CacheReadTokens = NullableLong(reader, 35),
                CacheWriteTokens = NullableLong(reader, 36),
                CostUsd = reader.IsDBNull(37) ? null : decimal.Parse(reader.GetString(37), CultureInfo.InvariantCulture),
            },
            TotalsDurationMs = NullableLong(reader, 38),
            WriteCount = NullableLong(reader, 39) ?? 0,
        };
    }

    /// <summary>The columns of a recorded harness request, in the order <see cref="ReadHarnessRequest"/> reads them.</summary>
    internal const string HarnessRequestColumns = """
        task_id, trial_index, seq, api, method, path, model, system_hash, context_hash, tools_hash, tool_names,
        parameters, betas, user_agent, api_version, streamed, status, response_model, input_tokens, output_tokens,
        cache_read_tokens, cache_write_tokens, stop_reason, started_at, first_byte_ms, duration_ms
        """;

    internal static (TrialKey Trial, HarnessRequest Request) ReadHarnessRequest(DbDataReader reader) =>
        (new TrialKey(reader.GetString(0), reader.GetInt32(1)), new HarnessRequest
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
            InputTokens = NullableLong(reader, 18),
            OutputTokens = NullableLong(reader, 19),
            CacheReadTokens = NullableLong(reader, 20),
            CacheWriteTokens = NullableLong(reader, 21),
            StopReason = NullableString(reader, 22),
            StartedAt = ParseTime(reader.GetString(23)),
            FirstByteMs = reader.GetInt64(24),
            DurationMs = reader.GetInt64(25),
        });

    /// <summary>The columns of a schedule slot, in the order <see cref="ReadSlot"/> reads them.</summary>
    internal const string SlotColumns = "entry, slot_at, run_id, status, claimed_at, finished_at, note, owner_host, owner_pid, owner_started_at";

    internal static (SlotRecord Record, RunOwner? Owner) ReadSlot(DbDataReader reader)
    {
        var record = new SlotRecord(reader.GetString(0), ParseTime(reader.GetString(1)), NullableLong(reader, 2),
            ParseSlot(reader.GetString(3)), ParseTime(reader.GetString(4)),
            reader.IsDBNull(5) ? null : ParseTime(reader.GetString(5)), NullableString(reader, 6));
        var owner = reader.IsDBNull(8) ? null : new RunOwner(reader.GetString(7), reader.GetInt32(8), ParseTime(reader.GetString(9)));
        return (record, owner);
    }

    internal static string SlotName(SlotStatus status) => status.ToString().ToLowerInvariant();

    private static SlotStatus ParseSlot(string name) =>
        Enum.TryParse<SlotStatus>(name, ignoreCase: true, out var status) ? status : throw new InvalidOperationException($"unknown slot status '{name}'");

    /// <summary>The columns of a stored alert, in the order <see cref="ReadAlert"/> reads them.</summary>
    internal const string AlertColumns = "id, created_at, event, agent, suite, run_id, payload, delivered_at, deliveries";

    internal static StoredAlert ReadAlert(DbDataReader reader) =>
        new(reader.GetInt64(0), ParseTime(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
            reader.GetString(4), NullableLong(reader, 5), reader.GetString(6),
            reader.IsDBNull(7) ? null : ParseTime(reader.GetString(7)), NullableString(reader, 8));

    /// <summary>A last verdict from (verdict, behaviour_alarms); no behaviour alarm is NULL.</summary>
    internal static VerdictState ReadVerdictState(DbDataReader reader)
    {
        IReadOnlyList<string> alarms = reader.IsDBNull(1) ? [] : JsonSerializer.Deserialize<List<string>>(reader.GetString(1)) ?? [];
        return new VerdictState(ParseVerdict(reader.GetString(0)), alarms);
    }

    internal static string? BehaviourAlarmsJson(VerdictState state) =>
        state.BehaviourAlarms.Count == 0 ? null : JsonSerializer.Serialize(state.BehaviourAlarms);

    private static Core.Detection.VerdictStatus ParseVerdict(string name) =>
        Enum.TryParse<Core.Detection.VerdictStatus>(name, ignoreCase: true, out var status) ? status : throw new InvalidOperationException($"unknown verdict '{name}'");
}
