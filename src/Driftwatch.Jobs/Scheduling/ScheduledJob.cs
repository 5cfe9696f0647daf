using Driftwatch.Core.Configuration;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Scheduling;
using Driftwatch.Jobs.Running;

namespace Driftwatch.Jobs.Scheduling;

/// <summary>
/// A schedule entry made ready to run: its agent resolved (model applied), its suite found; or, for
/// an ingest entry, the format and paths it reads.
/// </summary>
public sealed record ScheduledJob
{
    public required ScheduleEntry Entry { get; init; }

    /// <summary>The agent's definition with the entry's model applied; its name is the history's agent name. Null for an ingest entry.</summary>
    public AgentDefinition? Agent { get; init; }

    /// <summary>What an ingest entry reads (null: the entry runs its agent).</summary>
    public ScheduledIngest? Ingest { get; init; }

    public string SuitePath { get; init; } = "";
    public required string SuiteName { get; init; }
    public int TrialsPerTask { get; init; } = 1;

    /// <summary>The agent as people read it: the agent run, or the one an ingest entry names (else what its files say).</summary>
    public string AgentName => Agent?.Name ?? Ingest?.Options.Agent ?? "(as the files say)";

    public string Key => Entry.Key;
    public CronSchedule Cron => Entry.Cron;
}

/// <summary>An ingest entry's work: read <see cref="Paths"/> as <see cref="Format"/>, named by <see cref="Options"/>.</summary>
public sealed record ScheduledIngest(string Format, IReadOnlyList<string> Paths, Core.Ingest.IngestOptions Options);

/// <summary>How the scheduler runs its slots and judges them.</summary>
public sealed record SchedulerOptions
{
    public CatchUp CatchUp { get; init; } = CatchUp.Latest;
    public RunJobOptions Run { get; init; } = new();
    public CheckOptions Check { get; init; } = new();
    public string? DashboardUrl { get; init; }

    /// <summary>How each run's trials reach an executor (workers: the queue); null: in this process.</summary>
    public Func<Execution.Running.ITrialExecutor, Execution.Running.ITrialDispatcher>? Dispatcher { get; init; }

    /// <summary>The longest single sleep: the clock is read again at least this often (suspend, clock changes).</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>What `schedule --once` did: the verdict of every scheduled agent × suite, and whether it was stopped.</summary>
public sealed record OnceResult(IReadOnlyList<Verdict> Verdicts, int SlotsRun, bool Interrupted);
