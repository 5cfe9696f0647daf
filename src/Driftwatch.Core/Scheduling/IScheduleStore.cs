using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Scheduling;

/// <summary>Where a slot of a schedule entry stands.</summary>
public enum SlotStatus
{
    /// <summary>Claimed by a scheduler that is working on it (or died doing so).</summary>
    Running,

    /// <summary>Its run finished with every trial scored.</summary>
    Complete,

    /// <summary>Its run finished with trials left in infrastructure errors (an alert says so).</summary>
    Incomplete,

    /// <summary>The scheduler was stopped during its run: the run is resumed on the next start.</summary>
    Interrupted,

    /// <summary>The run could not be made (the agent or suite was unusable); see the note.</summary>
    Failed,
}

/// <summary>One slot of one schedule entry as stored: which run it made and how that ended.</summary>
public sealed record SlotRecord(string Entry, DateTimeOffset Slot, long? RunId, SlotStatus Status, DateTimeOffset ClaimedAt, DateTimeOffset? FinishedAt, string? Note);

/// <summary>What claiming a slot found.</summary>
public enum ClaimResult
{
    /// <summary>The slot had never been claimed: it is now ours, with no run yet.</summary>
    New,

    /// <summary>The slot was interrupted, or its scheduler died: it is now ours, its run (if any) to be resumed.</summary>
    TakenOver,

    /// <summary>Another live scheduler is working on it.</summary>
    Busy,

    /// <summary>It already ran (complete, incomplete or failed): it never runs again.</summary>
    Done,
}

public sealed record SlotClaim(ClaimResult Result, SlotRecord Slot);

/// <summary>
/// The bookkeeping that makes each slot run once: a slot is claimed in one transaction before its
/// run is made, so a restart skips what ran and resumes what was interrupted.
/// </summary>
public interface IScheduleStore
{
    Task<SlotClaim> ClaimSlotAsync(string entry, DateTimeOffset slot, RunOwner owner, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task SetSlotRunAsync(string entry, DateTimeOffset slot, long runId, CancellationToken cancellationToken = default);

    Task FinishSlotAsync(string entry, DateTimeOffset slot, SlotStatus status, string? note, DateTimeOffset finishedAt, CancellationToken cancellationToken = default);

    /// <summary>Every stored slot (of one entry, or all), oldest first.</summary>
    Task<IReadOnlyList<SlotRecord>> ListSlotsAsync(string? entry = null, CancellationToken cancellationToken = default);
}
