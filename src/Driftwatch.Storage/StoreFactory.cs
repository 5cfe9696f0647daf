using Driftwatch.Core.Configuration;
using Driftwatch.Core.Stores;
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
    /// Opens the store <paramref name="storage"/> names, whose path is already resolved (the
    /// command line, the environment, the configuration or the default).
    /// <paramref name="time"/> is the clock of run leases.
    /// </summary>
    public static DriftwatchStore Open(StorageConfig storage, StoreAccess access, TimeProvider? time = null)
    {
        var path = storage.Path ?? throw new ArgumentException("the store's path must be resolved before it is opened", nameof(storage));
        return storage.Kind switch
        {
            StorageKind.Sqlite => Of(access == StoreAccess.Write
                ? SqliteResultStore.Open(path, time: time)
                : SqliteResultStore.OpenForReading(path, time: time)),
            _ => throw new ArgumentOutOfRangeException(nameof(storage), storage.Kind, "unknown storage kind"),
        };
    }

    /// <summary>The ports of one SQLite store.</summary>
    public static DriftwatchStore Of(SqliteResultStore store) => new(store, store, store);
}
