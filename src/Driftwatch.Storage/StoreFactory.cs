using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Stores;
using Driftwatch.Storage.Postgres;
using Driftwatch.Storage.Sqlite;

namespace Driftwatch.Storage;

/// <summary>What a command will do with the store it opens.</summary>
public enum StoreAccess
{
    /// <summary>Runs and schedules: the store must be writable (bad input when it is not).</summary>
    Write,

    /// <summary>Commands that only read: a store that cannot be written is read as it is.</summary>
    Read,
}

/// <summary>The one place a store is opened from configuration: every command goes through here.</summary>
public static class StoreFactory
{
    /// <summary>
    /// Opens the store <paramref name="storage"/> names: a SQLite file whose path is already
    /// resolved (the command line, the environment, the configuration or the default), or a
    /// PostgreSQL database whose connection string is read now from the environment variable the
    /// configuration names (<paramref name="environment"/>; default: the process's environment).
    /// <paramref name="time"/> is the clock of run leases.
    /// </summary>
    public static DriftwatchStore Open(StorageConfig storage, StoreAccess access, TimeProvider? time = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        switch (storage.Kind)
        {
            case StorageKind.Sqlite:
                var path = storage.Path ?? throw new ArgumentException("the store's path must be resolved before it is opened", nameof(storage));
                return Of(access == StoreAccess.Write
                    ? SqliteResultStore.Open(path, time: time)
                    : SqliteResultStore.OpenForReading(path, time: time));
            case StorageKind.Postgres:
                var variable = storage.ConnectionEnv ?? throw new ArgumentException("a postgres store needs the variable of its connection string", nameof(storage));
                var source = $"{storage.Source ?? "storage.connection_env"} (${variable})";
                var connectionString = (environment ?? Environment.GetEnvironmentVariable)(variable);
                if (string.IsNullOrWhiteSpace(connectionString))
                    throw new InvalidInputException($"{source}: the environment variable {variable} is not set or empty; it must hold the PostgreSQL connection string");
                return OpenPostgres(connectionString, time: time, source: source);
            default:
                throw new ArgumentOutOfRangeException(nameof(storage), storage.Kind, "unknown storage kind");
        }
    }

    /// <summary>
    /// Opens (and migrates) the PostgreSQL database <paramref name="connectionString"/> names.
    /// <paramref name="source"/> names where the string came from in messages, which never hold the string.
    /// </summary>
    public static DriftwatchStore OpenPostgres(string connectionString, Func<RunOwner, bool>? isOwnerAlive = null, TimeProvider? time = null, string? source = null) =>
        Of(PostgresResultStore.Open(connectionString, isOwnerAlive, time, source));

    /// <summary>The ports of one SQLite store.</summary>
    public static DriftwatchStore Of(SqliteResultStore store) => new(store, store, store);

    /// <summary>The ports of one PostgreSQL store.</summary>
    public static DriftwatchStore Of(PostgresResultStore store) => new(store, store, store);
}
