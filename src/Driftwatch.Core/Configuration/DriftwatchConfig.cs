using System.Collections.Immutable;

namespace Driftwatch.Core.Configuration;

/// <summary>Defaults for runs that the command line can override.</summary>
public sealed record RunDefaults
{
    public string? Agent { get; init; }
    public string? Suite { get; init; }
    public int? Trials { get; init; }
    public int? Parallel { get; init; }
    public string? Sandbox { get; init; }
}

/// <summary>
/// driftwatch.yaml (README § Configuration): the database, named suites and agents, run defaults. Paths are
/// relative to the file. Secrets never live here: agents name the environment variables that
/// hold them.
/// </summary>
public sealed record DriftwatchConfig
{
    public const string FileName = "driftwatch.yaml";

    public static readonly DriftwatchConfig Empty = new();

    /// <summary>The file this came from (null: no file, built-in defaults only).</summary>
    public string? File { get; init; }

    /// <summary>The database file from `database:` or `storage.path` (absolute), if the file names one.</summary>
    public string? Database => Storage.Path;

    public StorageConfig Storage { get; init; } = new();
    public RunDefaults Defaults { get; init; } = new();
    public ImmutableDictionary<string, string> Suites { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableDictionary<string, AgentDefinition> Agents { get; init; } = ImmutableDictionary<string, AgentDefinition>.Empty;
    public ScheduleConfig Schedule { get; init; } = new();
    public AlertsConfig Alerts { get; init; } = new();

    /// <summary>`workers:`: trials run as jobs on `driftwatch worker` processes (null: in the process that runs or schedules them).</summary>
    public WorkersConfig? Workers { get; init; }

    /// <summary>`retention:`: which artifacts `db gc` removes (null: none, it only removes blobs no artifact names).</summary>
    public RetentionConfig? Retention { get; init; }

    /// <summary>True for an absolute http:// or https:// address.</summary>
    public static bool IsHttpUrl(string text, out Uri? uri) =>
        Uri.TryCreate(text, UriKind.Absolute, out uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
