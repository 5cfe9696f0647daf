using Driftwatch.Core.Detection;
using Driftwatch.Jobs.Alerts;
using Driftwatch.Jobs.Running;

namespace Driftwatch.Jobs.Scheduling;

/// <summary>What the scheduler is doing, for the console and for tests.</summary>
public abstract record ScheduleEvent(DateTimeOffset At);

/// <summary>Nothing is due: the scheduler sleeps until <see cref="Next"/> (or a shorter while, then looks again).</summary>
public sealed record WaitingForSlot(DateTimeOffset At, DateTimeOffset? Next, IReadOnlyList<string> Entries) : ScheduleEvent(At);

/// <summary>Slots of an entry passed without a run (the scheduler was down or busy); only the latest runs.</summary>
public sealed record SlotsMissed(DateTimeOffset At, string Entry, int Count, DateTimeOffset Latest) : ScheduleEvent(At);

/// <summary>A due slot that is not run: it already ran, or another scheduler has it.</summary>
public sealed record SlotSkipped(DateTimeOffset At, string Entry, DateTimeOffset Slot, string Reason) : ScheduleEvent(At);

public sealed record SlotStarted(DateTimeOffset At, string Entry, DateTimeOffset Slot, long RunId, bool Resumed, int TrialsLeft) : ScheduleEvent(At)
{
    /// <summary>For an ingest entry: the format it reads (there is no run of its own).</summary>
    public string? Ingest { get; init; }
}

/// <summary>An ingest entry's slot read its files: the runs it added, and the verdict of each agent × suite that has new runs.</summary>
public sealed record SlotIngested(DateTimeOffset At, string Entry, DateTimeOffset Slot, Ingesting.IngestSummary Summary, IReadOnlyList<Verdict> Verdicts) : ScheduleEvent(At);

public sealed record SlotFinished(DateTimeOffset At, string Entry, DateTimeOffset Slot, RunResult Run, Verdict Verdict) : ScheduleEvent(At);

/// <summary>The scheduler was stopped during the slot: its run (if it had one) is left resumable and resumed on the next start.</summary>
public sealed record SlotInterrupted(DateTimeOffset At, string Entry, DateTimeOffset Slot, long? RunId) : ScheduleEvent(At);

/// <summary>The slot's run could not be made or finished; an alert says why.</summary>
public sealed record SlotFailed(DateTimeOffset At, string Entry, DateTimeOffset Slot, string Problem) : ScheduleEvent(At);

/// <summary>An alert went to every sink.</summary>
public sealed record AlertDelivered(DateTimeOffset At, Delivery Delivery) : ScheduleEvent(At);
