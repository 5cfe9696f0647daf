using Driftwatch.Core;
using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Npgsql;

namespace Driftwatch.Storage.Postgres;

/// <summary>
/// The server store: one PostgreSQL database with the same tables as the SQLite file, reached
/// through a pooled <see cref="NpgsqlDataSource"/>, schema migrations applied on open under an
/// advisory lock. Each port is a class of its own on the one <see cref="PostgresDatabase"/>; this
/// class opens the database and answers for all of them. The connection string is never written
/// anywhere: messages name where it came from and the server's host and port only.
/// </summary>
public sealed class PostgresResultStore : IResultStore, IScheduleStore, IAlertStore
{
    private readonly PostgresDatabase _database;

    private PostgresResultStore(PostgresDatabase database)
    {
        _database = database;
        Runs = new PostgresRunStore(database);
        Trials = new PostgresTrialStore(database);
        Harness = new PostgresHarnessStore(database);
        History = new PostgresHistoryReader(database);
        Schedule = new PostgresScheduleStore(database);
        Alerts = new PostgresAlertStore(database);
        Ingest = new PostgresIngestStore(database);
    }

    public IRunStore Runs { get; }
    public ITrialStore Trials { get; }
    public IHarnessStore Harness { get; }
    public IHistoryReader History { get; }
    public IScheduleStore Schedule { get; }
    public IAlertStore Alerts { get; }
    public IIngestStore Ingest { get; }

    /// <summary>The database in messages: where its connection string came from, the database's name, host and port.</summary>
    public string Description => _database.Description;

    internal PostgresDatabase Database => _database;

    /// <summary>The newest schema step this build knows.</summary>
    public static int SchemaVersion => PostgresMigrations.Steps.Count;

    /// <summary>
    /// Opens the database <paramref name="connectionString"/> names and migrates it. Bad input when
    /// the string does not parse, the server cannot be reached or refuses, or the schema is newer
    /// than this build's. <paramref name="source"/> says where the string came from in messages
    /// ("storage.connection_env ($NAME)"); the string itself never appears in one.
    /// <paramref name="isOwnerAlive"/> tells a live owner from a dead one (default:
    /// <see cref="RunOwners.IsAlive"/>); <paramref name="time"/> is the clock of run leases.
    /// </summary>
    public static PostgresResultStore Open(string connectionString, Func<RunOwner, bool>? isOwnerAlive = null, TimeProvider? time = null, string? source = null)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // The parser's message may quote the string, which may hold a password: it is not repeated.
            throw new InvalidInputException($"{source ?? "the PostgreSQL connection string"}: not a PostgreSQL connection string that Npgsql can parse (e.g. Host=db.example;Port=5432;Database=driftwatch;Username=driftwatch;Password=…)");
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new InvalidInputException($"{source ?? "the PostgreSQL connection string"}: the connection string names no Host");
        var where = $"PostgreSQL database '{builder.Database ?? builder.Username ?? "(default)"}' at {builder.Host}:{builder.Port}";
        var description = source is null ? where : $"{source}: {where}";
        builder.ApplicationName ??= "driftwatch";
        NpgsqlDataSource dataSource;
        try
        {
            dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        }
        catch (ArgumentException)
        {
            throw new InvalidInputException($"{description}: the connection string's settings are not valid together");
        }
        var database = new PostgresDatabase(dataSource, description, isOwnerAlive ?? RunOwners.IsAlive, time ?? TimeProvider.System);
        try
        {
            // Off the caller's synchronization context: a blocking open must not wait on its own thread.
            Task.Run(() => database.GuardAsync(() => database.MigrateAsync(CancellationToken.None))).GetAwaiter().GetResult();
        }
        catch
        {
            database.Dispose();
            throw;
        }
        return new PostgresResultStore(database);
    }

    public Task<long> CreateRunAsync(RunPlan plan, RunFingerprint fingerprint, DateTimeOffset startedAt, RunOwner owner, CancellationToken cancellationToken = default) =>
        Runs.CreateRunAsync(plan, fingerprint, startedAt, owner, cancellationToken);

    public Task<RunHeader?> GetRunAsync(long runId, CancellationToken cancellationToken = default) => Runs.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunHeader>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default) => Runs.ListRunsAsync(query, cancellationToken);

    public Task<RunPlan> GetPlanAsync(long runId, CancellationToken cancellationToken = default) => Runs.GetPlanAsync(runId, cancellationToken);

    public Task ClaimRunAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default) => Runs.ClaimRunAsync(runId, owner, cancellationToken);

    public Task<bool> RenewLeaseAsync(long runId, RunOwner owner, CancellationToken cancellationToken = default) => Runs.RenewLeaseAsync(runId, owner, cancellationToken);

    public Task<RunOwner?> GetOwnerAsync(long runId, CancellationToken cancellationToken = default) => Runs.GetOwnerAsync(runId, cancellationToken);

    public Task UpdateFingerprintAsync(long runId, RunFingerprint fingerprint, CancellationToken cancellationToken = default) =>
        Runs.UpdateFingerprintAsync(runId, fingerprint, cancellationToken);

    public Task FinishRunAsync(long runId, RunStatus status, DateTimeOffset finishedAt, CancellationToken cancellationToken = default) =>
        Runs.FinishRunAsync(runId, status, finishedAt, cancellationToken);

    public Task<long?> FindLatestResumableRunAsync(CancellationToken cancellationToken = default) => Runs.FindLatestResumableRunAsync(cancellationToken);

    public Task<IReadOnlyList<PlannedTrial>> GetPendingTrialsAsync(long runId, CancellationToken cancellationToken = default) => Trials.GetPendingTrialsAsync(runId, cancellationToken);

    public Task<IReadOnlyList<Trial>> GetTrialsAsync(long runId, CancellationToken cancellationToken = default) => Trials.GetTrialsAsync(runId, cancellationToken);

    public Task<RecordResult> RecordTrialAsync(Trial trial, IReadOnlyList<TrialArtifact> artifacts, HarnessCapture? harness = null, CancellationToken cancellationToken = default) =>
        Trials.RecordTrialAsync(trial, artifacts, harness, cancellationToken);

    public Task<string?> GetArtifactAsync(long runId, TrialKey trial, ArtifactKind kind, CancellationToken cancellationToken = default) =>
        Trials.GetArtifactAsync(runId, trial, kind, cancellationToken);

    public Task<IReadOnlyList<(TrialKey Trial, HarnessRequest Request)>> GetHarnessRequestsAsync(long runId, CancellationToken cancellationToken = default) =>
        Harness.GetHarnessRequestsAsync(runId, cancellationToken);

    public Task<IReadOnlyDictionary<string, string>> GetHarnessTextsAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default) =>
        Harness.GetHarnessTextsAsync(hashes, cancellationToken);

    public Task<History> GetHistoryAsync(string agent, string suite, CancellationToken cancellationToken = default) => History.GetHistoryAsync(agent, suite, cancellationToken);

    public Task<History> GetHistoryAsync(string agent, string suite, bool withMetrics, CancellationToken cancellationToken = default) =>
        History.GetHistoryAsync(agent, suite, withMetrics, cancellationToken);

    public Task<SlotClaim> ClaimSlotAsync(string entry, DateTimeOffset slot, RunOwner owner, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Schedule.ClaimSlotAsync(entry, slot, owner, now, cancellationToken);

    public Task SetSlotRunAsync(string entry, DateTimeOffset slot, long runId, CancellationToken cancellationToken = default) =>
        Schedule.SetSlotRunAsync(entry, slot, runId, cancellationToken);

    public Task FinishSlotAsync(string entry, DateTimeOffset slot, SlotStatus status, string? note, DateTimeOffset finishedAt, CancellationToken cancellationToken = default) =>
        Schedule.FinishSlotAsync(entry, slot, status, note, finishedAt, cancellationToken);

    public Task<IReadOnlyList<SlotRecord>> ListSlotsAsync(string? entry = null, CancellationToken cancellationToken = default) => Schedule.ListSlotsAsync(entry, cancellationToken);

    public Task<VerdictState?> GetVerdictStateAsync(string agent, string suite, CancellationToken cancellationToken = default) => Alerts.GetVerdictStateAsync(agent, suite, cancellationToken);

    public Task<IReadOnlyList<long>> RecordVerdictAsync(string agent, string suite, VerdictState state, DateTimeOffset at, IReadOnlyList<Alert> alerts, CancellationToken cancellationToken = default) =>
        Alerts.RecordVerdictAsync(agent, suite, state, at, alerts, cancellationToken);

    public Task<long> AddAlertAsync(Alert alert, CancellationToken cancellationToken = default) => Alerts.AddAlertAsync(alert, cancellationToken);

    public Task<long?> AddRunAlertOnceAsync(Alert alert, CancellationToken cancellationToken = default) => Alerts.AddRunAlertOnceAsync(alert, cancellationToken);

    public Task<IReadOnlyList<StoredAlert>> GetUndeliveredAlertsAsync(CancellationToken cancellationToken = default) => Alerts.GetUndeliveredAlertsAsync(cancellationToken);

    public Task MarkAlertDeliveredAsync(long id, string deliveries, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        Alerts.MarkAlertDeliveredAsync(id, deliveries, at, cancellationToken);

    public Task<IReadOnlyList<StoredAlert>> ListAlertsAsync(CancellationToken cancellationToken = default) => Alerts.ListAlertsAsync(cancellationToken);

    public Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<IngestedRun> runs, CancellationToken cancellationToken = default) =>
        Ingest.IngestAsync(runs, cancellationToken);

    public Task PutSuiteBundleAsync(string revision, byte[] archive, CancellationToken cancellationToken = default) =>
        _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await PostgresDatabase.ExecuteAsync(connection, null,
                "INSERT INTO suite_bundles (revision, archive, created_at) VALUES (@revision, @archive, @at) ON CONFLICT (revision) DO NOTHING;",
                cancellationToken, ("revision", revision), ("archive", archive), ("at", StoredRows.Time(_database.Clock.GetUtcNow())));
        });

    public Task<byte[]?> GetSuiteBundleAsync(string revision, CancellationToken cancellationToken = default) =>
        _database.GuardAsync(async () =>
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var command = PostgresDatabase.Command(connection, null, "SELECT archive FROM suite_bundles WHERE revision = @revision;", ("revision", revision));
            return await command.ExecuteScalarAsync(cancellationToken) as byte[];
        });

    public void Dispose() => _database.Dispose();
}
