using System.Collections.Immutable;
using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Runs;

/// <summary>What was around a run: versions of everything that could change the results.</summary>
public sealed record RunFingerprint
{
    public string? DriftwatchVersion { get; init; }
    public string? Os { get; init; }
    public string? Runtime { get; init; }
    public string? AgentVersion { get; init; }
    public ImmutableArray<string> Models { get; init; } = [];
    public string? SuiteRevision { get; init; }
    public string? Sandbox { get; init; }

    /// <summary>What the agent reported about its harness (CLI version, permission mode, tools…).</summary>
    public IReadOnlyDictionary<string, string?> Agent { get; init; } = new Dictionary<string, string?>();

    /// <summary>What the harness really sent to the model, as the recording proxy saw it (null: not recorded).</summary>
    public Fingerprints.HarnessSummary? Harness { get; init; }
}

/// <summary>Everything needed to start (or resume) a run, fixed when it is created.</summary>
public sealed record RunPlan
{
    public required string AgentName { get; init; }
    public required string AgentKind { get; init; }

    /// <summary>The agent's resolved configuration as JSON, so that a resume uses the same agent.</summary>
    public required string AgentConfigJson { get; init; }

    public required bool Synthetic { get; init; }
    public required string SuiteName { get; init; }
    public required string SuitePath { get; init; }
    public required string SuiteRevision { get; init; }
    public required int TrialsPerTask { get; init; }
    public required int Seed { get; init; }
    public string? TaskFilter { get; init; }
    public required string SandboxMode { get; init; }

    /// <summary>"uniform" (every task K times) or "adaptive" (a daily budget spent by a baseline).</summary>
    public string Allocation { get; init; } = "uniform";

    /// <summary>The trials in the order they run (shuffled with <see cref="Seed"/>).</summary>
    public required ImmutableArray<PlannedTrial> Trials { get; init; }
}

public sealed record PlannedTrial(string TaskId, int TrialIndex, int Sequence, Suites.TaskCategory Category, string Language);

/// <summary>A run as listed: header, status and summary.</summary>
public sealed record RunHeader
{
    public required long Id { get; init; }
    public required string Agent { get; init; }
    public required string AgentKind { get; init; }
    public required bool Synthetic { get; init; }
    public required string Suite { get; init; }
    public required string SuiteRevision { get; init; }
    public required RunStatus Status { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public required int Seed { get; init; }
    public required int TrialsPerTask { get; init; }
    public required int PlannedTrials { get; init; }
    public string? TaskFilter { get; init; }
    public required string SandboxMode { get; init; }
    public string Allocation { get; init; } = "uniform";
    public RunFingerprint Fingerprint { get; init; } = new();
    public required RunSummary Summary { get; init; }

    /// <summary>Finished trials flagged suspect, served by a fallback model, or refused.</summary>
    public FlagCounts Flagged { get; init; } = FlagCounts.None;

    /// <summary>For a run ingested from another harness: where it came from (null: Driftwatch ran it).</summary>
    public RunSource? Source { get; init; }

    /// <summary>
    /// For an ingested run that has per-run aggregates only (no per-task rows): its counts, already
    /// in <see cref="Summary"/>. Such a run has no trials to list.
    /// </summary>
    public Ingest.RunTotals? Totals { get; init; }

    /// <summary>With <see cref="Totals"/>: the usage summed over the run, as the harness reported it.</summary>
    public AgentUsage? TotalsUsage { get; init; }

    /// <summary>With <see cref="Totals"/>: the run's wall time in milliseconds, when the harness said.</summary>
    public long? TotalsDurationMs { get; init; }

    /// <summary>
    /// How many times the store wrote the run or its trials: it grows with every write and says
    /// nothing else, so a reader can tell that what it derived from the run is still current. Not
    /// carried by <c>db copy</c> (the target counts its own writes) and not part of any output.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long WriteCount { get; init; }
}

/// <summary>Where an ingested run was read: its format, its identity in that format, and the file or folder.</summary>
public sealed record RunSource(string Format, string Key, string Path);

/// <summary>Counts by outcome and the pass rate with its Wilson 95% interval (errors excluded).</summary>
public sealed record RunSummary(int Total, int Pass, int Fail, int Timeout, int Error, int Pending)
{
    public static readonly RunSummary Empty = new(0, 0, 0, 0, 0, 0);

    /// <summary>Trials that count for the pass rate: infrastructure errors never do.</summary>
    public int Scored => Pass + Fail + Timeout;

    public double? PassRate => Scored == 0 ? null : (double)Pass / Scored;

    public Interval? Interval => Scored == 0 ? null : Wilson.Interval(Pass, Scored);

    public static RunSummary Of(IEnumerable<TrialOutcome?> outcomes)
    {
        int pass = 0, fail = 0, timeout = 0, error = 0, pending = 0;
        foreach (var outcome in outcomes)
        {
            switch (outcome)
            {
                case TrialOutcome.Pass: pass++; break;
                case TrialOutcome.Fail: fail++; break;
                case TrialOutcome.Timeout: timeout++; break;
                case TrialOutcome.Error: error++; break;
                default: pending++; break;
            }
        }
        return new RunSummary(pass + fail + timeout + error, pass, fail, timeout, error, pending);
    }
}
