using Driftwatch.Core.Configuration;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Npgsql;

namespace Driftwatch.Jobs.Distributed;

/// <summary>
/// The queue of trials on the shared PostgreSQL server (Hangfire with its PostgreSQL storage, in
/// schema <c>hangfire</c> beside Driftwatch's own tables). A worker renews each job it holds for as
/// long as its trial takes; a job whose worker stopped renewing it for <see cref="WorkersConfig.Lease"/>
/// is fetched again by another worker.
/// </summary>
public sealed class TrialQueue : IDisposable
{
    public const string Schema = "hangfire";

    private TrialQueue(NpgsqlDataSource dataSource, JobStorage storage, WorkersConfig config)
    {
        DataSource = dataSource;
        Storage = storage;
        Config = config;
        Client = new BackgroundJobClient(storage);
    }

    /// <summary>Connections to the shared server, for the queue's own queries and the advisory locks.</summary>
    public NpgsqlDataSource DataSource { get; }

    public JobStorage Storage { get; }

    public WorkersConfig Config { get; }

    public IBackgroundJobClient Client { get; }

    /// <summary>The queue on the server of <paramref name="connectionString"/>, its tables made on first use.</summary>
    public static TrialQueue Open(string connectionString, WorkersConfig config)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            PrepareSchemaIfNecessary = true,
            // Workers wait on LISTEN/NOTIFY for new jobs; the poll is only the fallback.
            EnableLongPolling = true,
            QueuePollInterval = TimeSpan.FromSeconds(1),
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = config.Lease,
            DistributedLockTimeout = TimeSpan.FromMinutes(1),
            AllowDegradedModeWithoutStorage = false,
        };
        var dataSource = NpgsqlDataSource.Create(connectionString);
        try
        {
            // The queue's tables are made by the first process to open it; workers and submitters
            // that start together take turns, so that two never create them at once.
            using var connection = dataSource.OpenConnection();
            using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1, 0);", connection))
            {
                take.Parameters.AddWithValue(AdvisoryLocks.Key("queue-schema"));
                take.ExecuteNonQuery();
            }
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
            using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1, 0);", connection))
            {
                release.Parameters.AddWithValue(AdvisoryLocks.Key("queue-schema"));
                release.ExecuteNonQuery();
            }
            return new TrialQueue(dataSource, storage, config);
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
    }

    /// <summary>Enqueues one trial's job on the configured queue: its id.</summary>
    public string Enqueue(TrialJobArguments trial) =>
        Client.Create(Hangfire.Common.Job.FromExpression<TrialJob>(j => j.RunAsync(trial, CancellationToken.None)), new EnqueuedState(Config.Queue));

    /// <summary>Enqueues the closing of a run on the configured queue.</summary>
    public string EnqueueFinalizer(long runId) =>
        Client.Create(Hangfire.Common.Job.FromExpression<RunFinalizer>(f => f.CloseAsync(runId, CancellationToken.None)), new EnqueuedState(Config.Queue));

    /// <summary>The finalizer again after <paramref name="delay"/> (the run's owner still held it).</summary>
    public string ScheduleFinalizer(long runId, TimeSpan delay) =>
        Client.Create(Hangfire.Common.Job.FromExpression<RunFinalizer>(f => f.CloseAsync(runId, CancellationToken.None)), new ScheduledState(delay));

    /// <summary>The current state of each job (Enqueued, Processing, Succeeded, Failed, Deleted…), in one query.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StatesAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        var ids = jobIds.Select(long.Parse).ToArray();
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ids.Length == 0)
            return states;
        await using var command = DataSource.CreateCommand($"SELECT id, statename FROM {Schema}.job WHERE id = ANY($1);");
        command.Parameters.AddWithValue(ids);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            states[reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture)] = reader.IsDBNull(1) ? "" : reader.GetString(1);
        return states;
    }

    /// <summary>Why a failed job failed: the exception's type and message as Hangfire stored them.</summary>
    public (string Type, string Message) FailureOf(string jobId)
    {
        using var connection = Storage.GetConnection();
        var data = connection.GetStateData(jobId)?.Data;
        string? type = null, message = null;
        data?.TryGetValue("ExceptionType", out type);
        data?.TryGetValue("ExceptionMessage", out message);
        return (type ?? "", message ?? "the job failed");
    }

    public void Dispose()
    {
        DataSource.Dispose();
        (Storage as IDisposable)?.Dispose();
    }
}

/// <summary>One trial's job: which trial of which run, and what its submitter decided for it.</summary>
/// <param name="RunId">The run.</param>
/// <param name="TaskId">The trial's task.</param>
/// <param name="TrialIndex">Which of the task's trials.</param>
/// <param name="Agent">The run's agent, for its concurrency limit.</param>
/// <param name="AgentLimit">At most this many of the agent's trials at once across workers (0: no limit).</param>
/// <param name="MaxAttempts">Attempts per trial on infrastructure errors (the submitter's `--retries` + 1).</param>
public sealed record TrialJobArguments(long RunId, string TaskId, int TrialIndex, string Agent, int AgentLimit, int MaxAttempts)
{
    public override string ToString() => $"run {RunId}, {TaskId} #{TrialIndex}";
}
