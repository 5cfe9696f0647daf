using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Running;
using Driftwatch.Jobs.Distributed;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>The queue of trials that `workers:` turns on (docs/scale-out.md), opened on the shared PostgreSQL store's server.</summary>
internal static class WorkerQueue
{
    /// <summary>
    /// The queue when the configuration has `workers:` (null when it has not, and trials run in
    /// this process). Workers share the store and the queue, so `workers:` needs `storage: postgres`.
    /// Call after the store was opened: the connection string was checked there.
    /// </summary>
    public static TrialQueue? OpenQueue(this Locations locations)
    {
        if (locations.Config.Workers is not { } workers)
            return null;
        var where = locations.Config.File ?? DriftwatchConfig.FileName;
        if (locations.Storage.Kind != StorageKind.Postgres || locations.Storage.ConnectionEnv is not { } variable)
            throw new InvalidInputException($"{where}: workers: needs storage.kind postgres (workers on other machines share its database and its queue); this configuration keeps a SQLite file");
        var connection = locations.Context.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(connection))
            throw new InvalidInputException($"{where}: storage.connection_env (${variable}): the environment variable {variable} is not set or empty");
        return TrialQueue.Open(connection, workers);
    }

    /// <summary>
    /// The election of one scheduler among those on a PostgreSQL store (null for SQLite, whose
    /// file has one machine's schedulers, kept apart by their slot claims alone).
    /// </summary>
    public static (SchedulerLeadership Leadership, IDisposable Connections)? OpenLeadership(this Locations locations)
    {
        if (locations.Storage.Kind != StorageKind.Postgres || locations.Storage.ConnectionEnv is not { } variable
            || locations.Context.GetEnvironmentVariable(variable) is not { Length: > 0 } connection)
            return null;
        var source = Npgsql.NpgsqlDataSource.Create(connection);
        return (new SchedulerLeadership(source), source);
    }

    /// <summary>How a run's trials reach the workers through <paramref name="queue"/>.</summary>
    public static Func<ITrialExecutor, ITrialDispatcher> Dispatcher(TrialQueue queue, IResultStore store, int retries, Action<string> warn) =>
        executor => new QueueDispatcher(queue, store, executor, warn) { MaxAttempts = 1 + retries };
}
