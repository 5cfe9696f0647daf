using System.Collections.Immutable;
using Driftwatch.Core.Scheduling;

namespace Driftwatch.Core.Configuration;

/// <summary>What `schedule` does with a slot that passed while it was not running.</summary>
public enum CatchUp
{
    /// <summary>On start, run each entry's latest missed slot once (earlier missed slots are skipped).</summary>
    Latest,

    /// <summary>On start, wait for each entry's next slot.</summary>
    None,
}

/// <summary>
/// One line of the schedule: an agent on a suite at the slots of a cron expression, or, with
/// <see cref="Ingest"/>, another harness's result files ingested at those slots (docs/ingest.md).
/// </summary>
public sealed record ScheduleEntry
{
    /// <summary>What identifies the entry in the database across restarts: its name, else agent, suite and cron.</summary>
    public required string Key { get; init; }

    /// <summary>The agent to run; for an ingest entry, the agent the files are of (null: what they say).</summary>
    public string? Agent { get; init; }

    /// <summary>An ingest entry: the format its <see cref="Paths"/> are read as (inspect, harbor, margin, promptfoo, jsonl, csv).</summary>
    public string? Ingest { get; init; }

    /// <summary>An ingest entry's files or folders, absolute (relative ones are taken from the configuration file's folder).</summary>
    public ImmutableArray<string> Paths { get; init; } = [];
    public string? Model { get; init; }

    /// <summary>The suite as written (a name, a folder or 'core'); null: the default suite.</summary>
    public string? Suite { get; init; }

    public required CronSchedule Cron { get; init; }
    public int? Trials { get; init; }
    public int? Budget { get; init; }
    public string? Tasks { get; init; }

    /// <summary>"file:line: schedule.entries[i]", for messages about the entry.</summary>
    public required string Source { get; init; }

    /// <summary>The line of each field, for messages about one of them.</summary>
    public IReadOnlyDictionary<string, int> FieldLines { get; init; } = new Dictionary<string, int>();

    public string? File { get; init; }
    public int Index { get; init; }

    /// <summary>"file:line: schedule.entries[i].field".</summary>
    public string Locate(string field) =>
        File is not null && FieldLines.TryGetValue(field, out var line)
            ? $"{File}:{line}: schedule.entries[{Index}].{field}"
            : $"{Source}.{field}";
}

/// <summary>The `schedule:` section of driftwatch.yaml.</summary>
public sealed record ScheduleConfig
{
    public CatchUp CatchUp { get; init; } = CatchUp.Latest;
    public ImmutableArray<ScheduleEntry> Entries { get; init; } = [];
}
