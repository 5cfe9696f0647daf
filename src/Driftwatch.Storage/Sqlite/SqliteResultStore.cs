using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Microsoft.Data.Sqlite;

namespace Driftwatch.Storage.Sqlite;

/// <summary>
/// The embedded store (SPEC §6): one SQLite file in WAL mode, schema migrations applied on open,
/// short transactions so that a run and the dashboard can share the file. A file that is not a
/// SQLite database, or is corrupt, is reported as bad input and never written to; so is a file
/// that cannot be written when a command must write, while commands that only read get a
/// read-only view of it.
/// </summary>
public sealed partial class SqliteResultStore : IResultStore
{
    /// <summary>
    /// Trials a resume runs (again): those never finished, and those that ended in an error of the
    /// infrastructure; a pass left out as suspect is the agent's doing and is never run again.
    /// </summary>
    private const string Retryable = "outcome IS NULL OR (outcome = 'error' AND COALESCE(error_kind, '') <> 'suspect')";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _connectionString;
    private readonly Func<RunOwner, bool> _isOwnerAlive;
    private readonly TimeProvider _time;
    private readonly FileAccessMode _access;

    private SqliteResultStore(string path, Func<RunOwner, bool> isOwnerAlive, TimeProvider time, FileAccessMode access)
    {
        Path = path;
        _isOwnerAlive = isOwnerAlive;
        _time = time;
        _access = access;
        _connectionString = DatabaseFile.ConnectionString(path, access, pooling: true);
    }

    public string Path { get; }

    /// <summary>Whether this store only reads its file (its folder or the file itself could not be written).</summary>
    public bool IsReadOnly => _access != FileAccessMode.ReadWrite;

    /// <summary>The newest schema step this build knows.</summary>
    public static int SchemaVersion => Migrations.Steps.Count;

    /// <summary>
    /// Opens (creating if needed) the database at <paramref name="path"/> for writing and migrates
    /// it. Bad input when the file is not SQLite, is corrupt (checked before anything is
    /// written), or cannot be written: its folder or the file read-only, or the disk full.
    /// <paramref name="isOwnerAlive"/> tells a live owner from a dead one (default: a process on this
    /// machine, <see cref="RunOwners.IsAlive"/>); <paramref name="time"/> is the clock of run leases.
    /// </summary>
    public static SqliteResultStore Open(string path, Func<RunOwner, bool>? isOwnerAlive = null, TimeProvider? time = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        DatabaseFile.EnsureLooksLikeSqlite(full);
        DatabaseFile.EnsureIntact(full);
        if (System.IO.Path.GetDirectoryName(full) is { Length: > 0 } directory && !Directory.Exists(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidInputException($"{full}: cannot create its folder {directory} ({DatabaseFile.Reason(ex)})", ex);
            }
        }
        var store = new SqliteResultStore(full, isOwnerAlive ?? RunOwners.IsAlive, time ?? TimeProvider.System, FileAccessMode.ReadWrite);
        store.Guard(() =>
        {
            store.Migrate(probeWrite: true);
            store.EnsureRecordsDecode();
        });
        return store;
    }

    /// <summary>
    /// Opens the database at <paramref name="path"/> for commands that only read it. A file that
    /// can be written is opened (and migrated) as by <see cref="Open"/>; one whose folder or file
    /// cannot be written (a read-only mount, another user's folder, a full disk) is read without
    /// writing anything beside it. A missing file is created as by <see cref="Open"/>.
    /// </summary>
    public static SqliteResultStore OpenForReading(string path, Func<RunOwner, bool>? isOwnerAlive = null, TimeProvider? time = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full) || new FileInfo(full).Length == 0)
            return Open(full, isOwnerAlive, time);
        var clock = time ?? TimeProvider.System;
        DatabaseFile.EnsureLooksLikeSqlite(full);
        DatabaseFile.EnsureIntact(full);
        var owners = isOwnerAlive ?? RunOwners.IsAlive;
        var writable = new SqliteResultStore(full, owners, clock, FileAccessMode.ReadWrite);
        try
        {
            writable.Migrate(probeWrite: false);
            return writable;
        }
        catch (SqliteException ex) when (DatabaseFile.IsUnwritable(ex))
        {
            writable.Dispose();
        }
        catch (Exception ex) when (writable.Translate(ex) is { } translated)
        {
            writable.Dispose();
            throw translated;
        }
        catch
        {
            writable.Dispose();
            throw;
        }

        // SQLite could not open the file for writing, or not make its -wal and -shm. With locks
        // first (it reads a -wal through an existing -shm); else, when no -wal holds changes,
        // immutable: nothing beside the file is read or made.
        var locked = new SqliteResultStore(full, owners, clock, FileAccessMode.ReadOnly);
        try
        {
            locked.Migrate(probeWrite: false);
            return locked;
        }
        catch (SqliteException ex) when (DatabaseFile.IsUnwritable(ex))
        {
            locked.Dispose();
        }
        catch (Exception ex) when (locked.Translate(ex) is { } translated)
        {
            locked.Dispose();
            throw translated;
        }
        catch
        {
            locked.Dispose();
            throw;
        }
        if (DatabaseFile.WalHasChanges(full))
        {
            throw new InvalidInputException(
                $"{full}: {System.IO.Path.GetFileName(DatabaseFile.Wal(full))} beside it holds changes not yet in the database, and SQLite cannot read them " +
                $"without creating {System.IO.Path.GetFileName(DatabaseFile.Shm(full))} ({DatabaseFile.WriteProblem(full) ?? "the folder is not writable"}): " +
                "open it once where it can be written, or copy the database with its -wal file to a writable folder");
        }
        var immutable = new SqliteResultStore(full, owners, clock, FileAccessMode.Immutable);
        immutable.Guard(() => immutable.Migrate(probeWrite: false));
        return immutable;
    }

    private void Migrate(bool probeWrite)
    {
        using var connection = OpenConnection();
        if (!IsReadOnly)
        {
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > Migrations.Steps.Count)
            throw new InvalidInputException($"{Path}: database schema version {version} is newer than this Driftwatch knows ({Migrations.Steps.Count}); upgrade Driftwatch");
        if (version < Migrations.Steps.Count && IsReadOnly)
        {
            throw new InvalidInputException(
                $"{Path}: database schema version {version} is older than this Driftwatch's ({Migrations.Steps.Count}) and the file cannot be written to upgrade it " +
                $"({DatabaseFile.WriteProblem(Path) ?? "opened read-only"}); open it once where it can be written");
        }
        while (version < Migrations.Steps.Count)
        {
            // Another process may be opening the same new file (a scheduler and a `run` started
            // together): the version is read again under the write lock, so each step runs once.
            using var transaction = connection.BeginTransaction(deferred: false);
            version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;", transaction), CultureInfo.InvariantCulture);
            if (version < Migrations.Steps.Count)
            {
                Execute(connection, Migrations.Steps[version], transaction);
                Execute(connection, $"PRAGMA user_version = {version + 1};", transaction);
            }
            transaction.Commit();
            version++;
        }
        if (probeWrite)
        {
            // Take the write lock and let it go, writing nothing: a file SQLite opened read-only
            // (the file itself not writable) fails here, before a run has started anything.
            using var transaction = connection.BeginTransaction(deferred: false);
            transaction.Rollback();
        }
    }

    /// <summary>
    /// Every run and finished trial reads back: a value damaged inside a record on a sound page
    /// (which quick_check cannot see) stops a writer before it adds to the file, rather than every
    /// reader after it (runs, check, export, report and the dashboard all read every run). Linear
    /// in runs and trials, not in artifacts.
    /// </summary>
    private void EnsureRecordsDecode()
    {
        using var connection = OpenConnection();
        _ = ReadHeaders(connection, "");
        _ = ReadTrials(connection, runId: null);
    }

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // FULL: a committed trial survives power loss, not just a killed process.
        command.CommandText = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
        return connection;
    }

    public Task<long> CreateRunAsync(RunPlan plan, RunFingerprint fingerprint, DateTimeOffset startedAt, RunOwner owner, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            using var transaction = connection.BeginTransaction();
            using var insert = Command(connection, transaction, """
                INSERT INTO runs (agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision,
                                  trials_per_task, seed, task_filter, sandbox, status, started_at, fingerprint,
                                  owner_host, owner_pid, owner_started_at, allocation, owner_id, lease_expires_at)
                VALUES ($agent, $kind, $config, $synthetic, $suite, $suitePath, $revision, $k, $seed, $filter,
                        $sandbox, 'running', $started, $fingerprint, $host, $pid, $ownerStarted, $allocation, $ownerId, $lease)
                RETURNING id;
                """,
                ("$agent", plan.AgentName), ("$kind", plan.AgentKind), ("$config", plan.AgentConfigJson),
                ("$synthetic", plan.Synthetic), ("$suite", plan.SuiteName), ("$suitePath", plan.SuitePath),
                ("$revision", plan.SuiteRevision), ("$k", plan.TrialsPerTask), ("$seed", plan.Seed),
                ("$filter", plan.TaskFilter), ("$sandbox", plan.SandboxMode), ("$started", Time(startedAt)),
                ("$fingerprint", JsonSerializer.Serialize(fingerprint, Json)), ("$host", owner.Host),
                ("$pid", owner.ProcessId), ("$ownerStarted", Time(owner.ProcessStartedAt)), ("$allocation", plan.Allocation),
                ("$ownerId", owner.Id), ("$lease", Time(_time.GetUtcNow() + RunLease.Length)));
            var runId = (long)insert.ExecuteScalar()!;

            using var trial = Command(connection, transaction, """
                INSERT INTO trials (run_id, task_id, trial_index, sequence, category, language)
                VALUES ($run, $task, $index, $sequence, $category, $language);
                """, ("$run", runId), ("$task", ""), ("$index", 0), ("$sequence", 0), ("$category", ""), ("$language", ""));
            foreach (var planned in plan.Trials)
            {
                trial.Parameters["$task"].Value = planned.TaskId;
                trial.Parameters["$index"].Value = planned.TrialIndex;
                trial.Parameters["$sequence"].Value = planned.Sequence;
                trial.Parameters["$category"].Value = planned.Category.Name();
                trial.Parameters["$language"].Value = planned.Language;
                trial.ExecuteNonQuery();
            }
            transaction.Commit();
            return runId;
        }));

    public Task<RunHeader?> GetRunAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            return ReadHeaders(connection, "WHERE r.id = $id", ("$id", runId)).FirstOrDefault();
        }));

    public Task<IReadOnlyList<RunHeader>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            var where = "WHERE ($agent IS NULL OR r.agent = $agent) AND ($suite IS NULL OR r.suite = $suite)";
            var headers = ReadHeaders(connection, where, ("$agent", query.Agent), ("$suite", query.Suite));
            IReadOnlyList<RunHeader> list = query.Limit is { } limit ? headers.TakeLast(limit).ToList() : headers;
            return list;
        }));

    public Task<RunPlan> GetPlanAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            using var command = Command(connection, null, """
                SELECT agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision,
                       trials_per_task, seed, task_filter, sandbox, allocation
                FROM runs WHERE id = $id;
                """, ("$id", runId));
            using var reader = command.ExecuteReader();
            if (!reader.Read())
                throw new InvalidInputException($"run {runId} not found");
            var plan = new RunPlan
            {
                AgentName = reader.GetString(0),
                AgentKind = reader.GetString(1),
                AgentConfigJson = reader.GetString(2),
                Synthetic = reader.GetInt64(3) != 0,
                SuiteName = reader.GetString(4),
                SuitePath = reader.GetString(5),
                SuiteRevision = reader.GetString(6),
                TrialsPerTask = reader.GetInt32(7),
                Seed = reader.GetInt32(8),
                TaskFilter = reader.IsDBNull(9) ? null : reader.GetString(9),
                SandboxMode = reader.GetString(10),
                Allocation = reader.GetString(11),
                Trials = [.. ReadPlannedTrials(connection, runId, pendingOnly: false)],
            };
            return plan;
        }));

    public Task<IReadOnlyList<PlannedTrial>> GetPendingTrialsAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            IReadOnlyList<PlannedTrial> pending = ReadPlannedTrials(connection, runId, pendingOnly: true);
            return pending;
        }));

    public Task<IReadOnlyList<Trial>> GetTrialsAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            IReadOnlyList<Trial> trials = ReadTrials(connection, runId);
            return trials;
        }));

    /// <summary>The finished trials of one run, or of every run (<paramref name="runId"/> null), in order.</summary>
    private static List<Trial> ReadTrials(SqliteConnection connection, long? runId)
    {
        using var command = Command(connection, null, $"""
            SELECT task_id, trial_index, sequence, category, language, outcome, tests_passed, tests_total,
                   started_at, finished_at, duration_ms, agent_duration_ms, test_duration_ms,
                   input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, turns, tool_calls,
                   agent_version, model, stop_reason, error_kind, error_message, attempts, first_outcome, run_id,
                   flags, served_models
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
            });
        }
        return trials;
    }

    public Task<RecordResult> RecordTrialAsync(Trial trial, IReadOnlyList<TrialArtifact> artifacts, HarnessCapture? harness = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            using var update = Command(connection, transaction, $"""
                UPDATE trials SET outcome = $outcome, tests_passed = $passed, tests_total = $total,
                    started_at = $started, finished_at = $finished, duration_ms = $duration,
                    agent_duration_ms = $agentDuration, test_duration_ms = $testDuration,
                    input_tokens = $input, output_tokens = $output, cache_read_tokens = $cacheRead,
                    cache_write_tokens = $cacheWrite, cost_usd = $cost, turns = $turns, tool_calls = $tools,
                    agent_version = $version, model = $model, stop_reason = $stop, error_kind = $errorKind,
                    error_message = $errorMessage, attempts = $attempts, first_outcome = $first,
                    flags = $flags, served_models = $served
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
                ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex));
            if (update.ExecuteNonQuery() != 1)
            {
                // The write lock is held (BEGIN IMMEDIATE): no other writer can record it between the two statements.
                using var planned = Command(connection, transaction, "SELECT 1 FROM trials WHERE run_id = $run AND task_id = $task AND trial_index = $index;",
                    ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex));
                if (planned.ExecuteScalar() is null)
                    throw new InvalidOperationException($"trial {trial.Key} of run {trial.RunId} was never planned");
                transaction.Rollback();
                return RecordResult.AlreadyRecorded;
            }

            using var artifact = Command(connection, transaction, """
                INSERT OR REPLACE INTO artifacts (run_id, task_id, trial_index, kind, encoding, size, content)
                VALUES ($run, $task, $index, $kind, $encoding, $size, $content);
                """, ("$run", trial.RunId), ("$task", trial.TaskId), ("$index", trial.TrialIndex),
                ("$kind", ""), ("$encoding", ArtifactCodec.Encoding), ("$size", 0), ("$content", Array.Empty<byte>()));
            foreach (var item in artifacts)
            {
                artifact.Parameters["$kind"].Value = ArtifactName(item.Kind);
                artifact.Parameters["$size"].Value = ArtifactCodec.ByteCount(item.Content);
                artifact.Parameters["$content"].Value = ArtifactCodec.Compress(item.Content);
                artifact.ExecuteNonQuery();
            }
            RecordHarness(connection, transaction, trial, harness ?? HarnessCapture.Empty);
            transaction.Commit();
            return RecordResult.Recorded;
        }));

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

    public Task<IReadOnlyList<(TrialKey Trial, HarnessRequest Request)>> GetHarnessRequestsAsync(long runId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
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
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            IReadOnlyDictionary<string, string> texts = ReadTexts(connection, hashes);
            return texts;
        }));

    private static Dictionary<string, string> ReadTexts(SqliteConnection connection, IEnumerable<string> hashes)
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

    public Task ClaimRunAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default)
    {
        Guard(() =>
        {
            using var connection = OpenConnection();
            using var transaction = connection.BeginTransaction();
            var header = ReadHeaders(connection, "WHERE r.id = $id", transaction, ("$id", runId)).FirstOrDefault()
                ?? throw new InvalidInputException($"run {runId} not found");
            if (header.Status == RunStatus.Running)
                throw new InvalidInputException($"run {runId} is still running in another process (its lease is current); it cannot be resumed twice");
            // A run whose trials are all in may still be unclosed (its process died in between):
            // closing it is what is left to resume. Only a run closed complete has nothing left.
            if (header.Status == RunStatus.Complete && ReadPlannedTrials(connection, runId, pendingOnly: true, transaction).Count == 0)
                throw new InvalidInputException($"run {runId} is complete: nothing to resume");
            Execute(connection, """
                UPDATE runs SET status = 'running', finished_at = NULL,
                    owner_host = $host, owner_pid = $pid, owner_started_at = $started,
                    owner_id = $ownerId, lease_expires_at = $lease
                WHERE id = $id;
                """, transaction, ("$host", owner.Host), ("$pid", owner.ProcessId),
                ("$started", Time(owner.ProcessStartedAt)), ("$ownerId", owner.Id),
                ("$lease", Time(_time.GetUtcNow() + RunLease.Length)), ("$id", runId));
            transaction.Commit();
        });
        return Task.CompletedTask;
    }

    public Task<bool> RenewLeaseAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            using var renew = Command(connection, null, """
                UPDATE runs SET lease_expires_at = $lease
                WHERE id = $id AND status = 'running' AND owner_id = $ownerId;
                """, ("$lease", Time(_time.GetUtcNow() + RunLease.Length)), ("$id", runId), ("$ownerId", owner.Id));
            return renew.ExecuteNonQuery() == 1;
        }));

    public Task UpdateFingerprintAsync(long runId, RunFingerprint fingerprint, CancellationToken cancellationToken = default)
    {
        Guard(() =>
        {
            using var connection = OpenConnection();
            Execute(connection, "UPDATE runs SET fingerprint = $fingerprint WHERE id = $id;", null,
                ("$fingerprint", JsonSerializer.Serialize(fingerprint, Json)), ("$id", runId));
        });
        return Task.CompletedTask;
    }

    public Task FinishRunAsync(long runId, RunStatus status, DateTimeOffset finishedAt, CancellationToken cancellationToken = default)
    {
        Guard(() =>
        {
            using var connection = OpenConnection();
            Execute(connection, """
                UPDATE runs SET status = $status, finished_at = $finished, owner_pid = NULL, lease_expires_at = NULL WHERE id = $id;
                """, null, ("$status", status.Name()), ("$finished", Time(finishedAt)), ("$id", runId));
        });
        return Task.CompletedTask;
    }

    public Task<long?> FindLatestResumableRunAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            var candidates = ReadHeaders(connection, "WHERE r.status <> 'complete'");
            return candidates.LastOrDefault(h => h.Status == RunStatus.Incomplete)?.Id;
        }));

    public Task<string?> GetArtifactAsync(long runId, TrialKey trial, ArtifactKind kind, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            using var command = Command(connection, null, """
                SELECT encoding, content, size FROM artifacts
                WHERE run_id = $run AND task_id = $task AND trial_index = $index AND kind = $kind;
                """, ("$run", runId), ("$task", trial.TaskId), ("$index", trial.TrialIndex), ("$kind", ArtifactName(kind)));
            using var reader = command.ExecuteReader();
            return reader.Read() ? ArtifactCodec.Decompress((byte[])reader.GetValue(1), reader.GetString(0), reader.GetInt64(2)) : null;
        }));

    public Task<History> GetHistoryAsync(string agent, string suite, CancellationToken cancellationToken = default) =>
        Task.FromResult(Guard(() =>
        {
            using var connection = OpenConnection();
            var runs = ReadHeaders(connection, "WHERE r.agent = $agent AND r.suite = $suite", ("$agent", agent), ("$suite", suite));
            using var configs = Command(connection, null, "SELECT id, agent_config FROM runs WHERE agent = $agent AND suite = $suite;", ("$agent", agent), ("$suite", suite));
            var configById = new Dictionary<long, string>();
            using (var reader = configs.ExecuteReader())
            {
                while (reader.Read())
                    configById[reader.GetInt64(0)] = reader.GetString(1);
            }
            using var outcomes = Command(connection, null, """
                SELECT t.run_id, t.task_id, t.outcome FROM trials t JOIN runs r ON r.id = t.run_id
                WHERE r.agent = $agent AND r.suite = $suite AND t.outcome IS NOT NULL;
                """, ("$agent", agent), ("$suite", suite));
            var trials = new Dictionary<long, List<(string, TrialOutcome)>>();
            using (var reader = outcomes.ExecuteReader())
            {
                while (reader.Read())
                {
                    var runId = reader.GetInt64(0);
                    if (!trials.TryGetValue(runId, out var list))
                        trials[runId] = list = [];
                    list.Add((reader.GetString(1), OutcomeNames.ParseOutcome(reader.GetString(2))));
                }
            }
            var history = runs.Select(r => new HistoryRun(
                r.Id, DateOnly.FromDateTime(r.StartedAt.UtcDateTime), r.SuiteRevision, configById[r.Id], r.Fingerprint,
                trials.TryGetValue(r.Id, out var list) ? list : [])).ToList();
            var texts = ReadTexts(connection, history.SelectMany(r => r.Fingerprint.Harness?.TextHashes() ?? []));
            return new History(agent, suite, history) { Texts = texts };
        }));

    public void Dispose()
    {
        // Connections are pooled per connection string; release this file's so it can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private List<RunHeader> ReadHeaders(SqliteConnection connection, string where, params (string Name, object? Value)[] parameters) =>
        ReadHeaders(connection, where, null, parameters);

    private List<RunHeader> ReadHeaders(SqliteConnection connection, string where, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, $"""
            SELECT r.id, r.agent, r.agent_kind, r.synthetic, r.suite, r.suite_revision, r.status, r.started_at,
                   r.finished_at, r.seed, r.trials_per_task, r.task_filter, r.sandbox, r.fingerprint,
                   r.owner_host, r.owner_pid, r.owner_started_at, r.allocation,
                   COUNT(t.task_id),
                   SUM(t.outcome = 'pass'), SUM(t.outcome = 'fail'), SUM(t.outcome = 'timeout'),
                   SUM(t.outcome = 'error'), SUM(t.outcome IS NULL),
                   json_group_array(t.flags) FILTER (WHERE t.flags IS NOT NULL AND t.outcome IS NOT NULL),
                   r.lease_expires_at
            FROM runs r LEFT JOIN trials t ON t.run_id = r.id
            {where}
            GROUP BY r.id ORDER BY r.started_at, r.id;
            """, parameters);
        using var reader = command.ExecuteReader();
        var headers = new List<RunHeader>();
        while (reader.Read())
        {
            var status = OutcomeNames.ParseStatus(reader.GetString(6));
            if (status == RunStatus.Running && !reader.IsDBNull(15))
            {
                var owner = new RunOwner(reader.GetString(14), reader.GetInt32(15), ParseTime(reader.GetString(16)));
                DateTimeOffset? lease = reader.IsDBNull(25) ? null : ParseTime(reader.GetString(25));
                if (!IsHeld(owner, lease))
                    status = RunStatus.Incomplete;
            }
            int Count(int ordinal) => reader.IsDBNull(ordinal) ? 0 : reader.GetInt32(ordinal);
            var pass = Count(19);
            var fail = Count(20);
            var timeout = Count(21);
            var error = Count(22);
            var pending = Count(23);
            headers.Add(new RunHeader
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
                PlannedTrials = Count(18),
                Summary = new RunSummary(pass + fail + timeout + error, pass, fail, timeout, error, pending),
                Flagged = FlaggedTrials(reader, 24),
            });
        }
        return headers;
    }

    /// <summary>
    /// Whether a running run's owner still holds it: not provably dead (a process of this machine
    /// that is gone), and its lease current. A run from before leases has none: its owner's pid decides.
    /// </summary>
    private bool IsHeld(RunOwner owner, DateTimeOffset? leaseExpiresAt) =>
        _isOwnerAlive(owner) && (leaseExpiresAt is not { } expires || expires > _time.GetUtcNow());

    private static List<PlannedTrial> ReadPlannedTrials(SqliteConnection connection, long runId, bool pendingOnly, SqliteTransaction? transaction = null)
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

    private static string ArtifactName(ArtifactKind kind) => kind switch
    {
        ArtifactKind.Transcript => "transcript",
        ArtifactKind.AgentOutput => "agent-output",
        ArtifactKind.Diff => "diff",
        ArtifactKind.TestOutput => "test-output",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Runs database work, turning what is wrong with the file — not a database, corrupt, a value
    /// that no longer decodes, not writable, a full disk — into bad-input errors naming it.
    /// </summary>
    private T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The bad-input error <paramref name="ex"/> stands for, or null when it is a failure of Driftwatch itself.</summary>
    private InvalidInputException? Translate(Exception ex)
    {
        switch (ex)
        {
            case InvalidInputException:
                return null;
            case SqliteException { SqliteErrorCode: DatabaseFile.Corrupt or DatabaseFile.NotADatabase } sqlite:
                return new InvalidInputException($"{Path}: the database is corrupt or not a SQLite database ({sqlite.SqliteErrorCode}: {DatabaseFile.OneLine(sqlite.Message).TrimEnd('.')}); it was left untouched", ex);
            case SqliteException sqlite when DatabaseFile.IsUnwritable(sqlite):
                var why = sqlite.SqliteErrorCode == DatabaseFile.Full
                    ? DatabaseFile.DiskFull(System.IO.Path.GetDirectoryName(Path) ?? ".") ?? "the disk is full"
                    : DatabaseFile.WriteProblem(Path);
                var code = $"SQLite {sqlite.SqliteErrorCode}: {DatabaseFile.OneLine(sqlite.Message).TrimEnd('.')}";
                if (IsReadOnly)
                    return new InvalidInputException($"{Path}: cannot read the database ({code})", ex);
                return new InvalidInputException(
                    $"{Path}: cannot write to the database: {why ?? code}{(why is null ? "" : $" ({code})")}; commands that only read it (runs, show, check, compare, export, report, serve, fingerprint) still work", ex);
            case FormatException or JsonException or InvalidDataException or InvalidCastException or OverflowException:
            case InvalidOperationException when ex.Source == typeof(SqliteConnection).Assembly.GetName().Name:
                // A value the schema promises but the file no longer holds (a NULL, a broken JSON
                // document or compressed artifact): the pages are sound, their content is not.
                return new InvalidInputException($"{Path}: the database is corrupt: a stored value cannot be read ({DatabaseFile.OneLine(ex.Message)}); it was left untouched", ex);
            default:
                return null;
        }
    }

    private void Guard(Action work) => Guard(() =>
    {
        work();
        return 0;
    });

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, transaction, sql);
        return command.ExecuteScalar();
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static long? NullableLong(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>
    /// The flag counts of a run from its trials' flags columns, gathered as one JSON array of their
    /// texts (each parsed here, so a damaged one is a JSON error like any stored value's).
    /// </summary>
    private static FlagCounts FlaggedTrials(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal)
            ? FlagCounts.None
            : FlagCounts.Of((JsonSerializer.Deserialize<string[]>(reader.GetString(ordinal), Json) ?? [])
                .Select(flags => (IEnumerable<string>)(JsonSerializer.Deserialize<string[]>(flags, Json) ?? [])));

    /// <summary>A JSON array of strings stored in a column (empty when NULL).</summary>
    private static ImmutableArray<string> StringList(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : [.. JsonSerializer.Deserialize<string[]>(reader.GetString(ordinal), Json) ?? []];

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
