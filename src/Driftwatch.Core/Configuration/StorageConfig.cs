namespace Driftwatch.Core.Configuration;

/// <summary>What keeps runs, trials, schedule slots and alerts.</summary>
public enum StorageKind
{
    /// <summary>One embedded SQLite file.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, reached by a connection string read from the environment.</summary>
    Postgres,
}

/// <summary>
/// `storage:` in driftwatch.yaml: which store and where. For SQLite the path is absolute (resolved
/// against the file); null: the command line, the environment or the default decide. For
/// PostgreSQL, <see cref="ConnectionEnv"/> names the environment variable that holds the connection
/// string (a secret: never in the file), and <see cref="Source"/> says where the file named it.
/// </summary>
public sealed record StorageConfig(StorageKind Kind = StorageKind.Sqlite, string? Path = null, string? ConnectionEnv = null)
{
    /// <summary>Where the configuration named the variable ("driftwatch.yaml:3: storage.connection_env"), for error messages.</summary>
    public string? Source { get; init; }
}
