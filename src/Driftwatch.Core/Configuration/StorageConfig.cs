namespace Driftwatch.Core.Configuration;

/// <summary>What keeps runs, trials, schedule slots and alerts.</summary>
public enum StorageKind
{
    /// <summary>One embedded SQLite file.</summary>
    Sqlite,
}

/// <summary>
/// `storage:` in driftwatch.yaml: which store and where. The path is absolute (resolved against the
/// file); null: the command line, the environment or the default decide.
/// </summary>
public sealed record StorageConfig(StorageKind Kind = StorageKind.Sqlite, string? Path = null);
