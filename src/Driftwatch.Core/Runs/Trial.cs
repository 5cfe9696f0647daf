using Driftwatch.Core.Metrics;
using Driftwatch.Core.Suites;

namespace Driftwatch.Core.Runs;

/// <summary>Identifies one attempt of one task in a run.</summary>
public readonly record struct TrialKey(string TaskId, int TrialIndex)
{
    public override string ToString() => $"{TaskId}#{TrialIndex}";
}

/// <summary>Tokens and money an agent reported for one trial (null when the agent does not say).</summary>
public sealed record AgentUsage
{
    public static readonly AgentUsage None = new();

    public long? InputTokens { get; init; }
    public long? OutputTokens { get; init; }
    public long? CacheReadTokens { get; init; }
    public long? CacheWriteTokens { get; init; }
    public decimal? CostUsd { get; init; }
    public int? Turns { get; init; }
    public int? ToolCalls { get; init; }
}

/// <summary>A finished trial, as stored.</summary>
public sealed record Trial
{
    public required long RunId { get; init; }
    public required string TaskId { get; init; }
    public required int TrialIndex { get; init; }

    /// <summary>Position in the run's shuffled order.</summary>
    public required int Sequence { get; init; }

    public required TaskCategory Category { get; init; }
    public required string Language { get; init; }
    public required TrialOutcome Outcome { get; init; }

    /// <summary>Partial credit: tests passed and counted (from JUnit XML, else 1/1 or 0/1).</summary>
    public int TestsPassed { get; init; }
    public int TestsTotal { get; init; }

    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    public long DurationMs { get; init; }
    public long AgentDurationMs { get; init; }
    public long TestDurationMs { get; init; }

    public AgentUsage Usage { get; init; } = AgentUsage.None;
    public string? AgentVersion { get; init; }
    public string? Model { get; init; }
    public string? StopReason { get; init; }

    /// <summary>For <see cref="TrialOutcome.Error"/> (and some timeouts): what failed.</summary>
    public string? ErrorKind { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>How many attempts it took (infrastructure errors are retried).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>
    /// With a second attempt after test feedback: how the first attempt ended (pass@1), while
    /// <see cref="Outcome"/> is the result after the second (pass@2). Null without a second attempt.
    /// </summary>
    public TrialOutcome? FirstOutcome { get; init; }

    /// <summary>
    /// What the trial showed besides its outcome, each "kind" or "kind:detail": <c>suspect:…</c>
    /// (the change touched the test machinery), <c>fallback:…</c> (a model other than the one asked
    /// for served it), <c>refusal</c> (the model refused).
    /// </summary>
    public System.Collections.Immutable.ImmutableArray<string> Flags { get; init; } = [];

    /// <summary>The models that answered the agent's main loop (null-free; empty when not known).</summary>
    public System.Collections.Immutable.ImmutableArray<string> ServedModels { get; init; } = [];

    /// <summary>The catalog's metrics measured of this trial when it was recorded (<see cref="TrialMetrics"/>).</summary>
    public MetricDictionary Metrics { get; init; } = MetricDictionary.None;

    /// <summary>
    /// For a trial ingested from another harness: where it was read, "file#record" (a sample id
    /// and epoch, a line number, a trial folder). Null for a trial Driftwatch ran itself.
    /// </summary>
    public string? Source { get; init; }

    public TrialKey Key => new(TaskId, TrialIndex);
}

/// <summary>Large text kept with a trial, stored compressed.</summary>
public enum ArtifactKind
{
    Transcript,
    AgentOutput,
    Diff,
    TestOutput,
}

public sealed record TrialArtifact(ArtifactKind Kind, string Content)
{
    /// <summary>
    /// What reading an artifact gives once the retention policy removed it (`db gc`): the trial's
    /// outcome and metrics stay, its texts do not, and `show` and the dashboard say so.
    /// </summary>
    public static string RemovedByRetention(DateTimeOffset at) =>
        $"(removed by retention on {at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}: `db gc` keeps outcomes and metrics, not every artifact)";
}
