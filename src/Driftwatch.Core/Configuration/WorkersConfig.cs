using System.Collections.Immutable;

namespace Driftwatch.Core.Configuration;

/// <summary>
/// `workers:` in driftwatch.yaml (docs/scale-out.md): when present, `run` and `schedule` do not
/// execute trials themselves but enqueue one job per trial for `driftwatch worker` processes on
/// any number of machines, through the shared PostgreSQL store.
/// </summary>
public sealed record WorkersConfig
{
    /// <summary>The queue trials are enqueued on (a worker serves the queues given by `--queues`).</summary>
    public string Queue { get; init; } = DefaultQueue;

    public const string DefaultQueue = "trials";

    /// <summary>At most this many trials of an agent at once across every worker (an API's rate limit is per account, not per machine); absent: no limit.</summary>
    public ImmutableDictionary<string, int> AgentLimits { get; init; } = ImmutableDictionary<string, int>.Empty;

    /// <summary>
    /// How long a trial's job stays with a worker that stopped renewing it (the worker died, or its
    /// machine did) before another worker runs it again. A live worker renews it as long as the
    /// trial takes.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>True for a Hangfire queue name: lower-case letters, digits and underscores.</summary>
    public static bool IsValidQueue(string name) => name.Length is > 0 and <= 50 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}
