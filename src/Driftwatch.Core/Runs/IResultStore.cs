namespace Driftwatch.Core.Runs;

/// <summary>The process that works on a run, so that an interrupted run can be told from a live one.</summary>
public sealed record RunOwner(string Host, int ProcessId, DateTimeOffset ProcessStartedAt)
{
    /// <summary>The owner as one string (host, pid, start), stored with the run's lease.</summary>
    public string Id => FormattableString.Invariant($"{Host}/{ProcessId}/{ProcessStartedAt.UtcTicks}");
}

/// <summary>
/// A run is held by its owner for a lease that the owner renews while it works (a heartbeat); a
/// run whose lease ran out is taken to be abandoned, whichever machine its owner was on. An owner
/// on this machine that is provably dead (its pid gone, or reused by a later process) gives the
/// run up at once, without waiting for the lease.
/// </summary>
public static class RunLease
{
    /// <summary>
    /// How long a run stays held without a heartbeat: four missed heartbeats, so a busy machine or
    /// a slow disk does not lose its run, while an owner that vanished frees it within minutes.
    /// </summary>
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(2);

    /// <summary>How often the owner of a running run renews its lease.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);
}

/// <summary>What recording a trial did.</summary>
public enum RecordResult
{
    /// <summary>The trial was pending (never finished, or its last attempt an infrastructure error) and is now stored.</summary>
    Recorded,

    /// <summary>
    /// The trial already had a final outcome: nothing was written, the first recording stands. A job
    /// delivered twice (at-least-once delivery) records its trial once.
    /// </summary>
    AlreadyRecorded,
}

/// <summary>
/// Filters for listing runs, oldest first (by start, then id): of <see cref="Agent"/> and
/// <see cref="Suite"/> when given; only those started before the run <see cref="BeforeId"/> in that
/// order when set (a cursor for paging back through a long history: none when that run does not
/// exist); only the latest <see cref="Limit"/> of them when set.
/// </summary>
public sealed record RunQuery(string? Agent = null, string? Suite = null, int? Limit = null, long? BeforeId = null);

/// <summary>
/// Where runs and trials live: every port of the run side in one. Every finished trial is committed
/// at once; a planned trial is pending until then, so an interrupted run can be resumed with nothing
/// lost or duplicated. Code that needs one side takes its port (<see cref="IRunStore"/>,
/// <see cref="ITrialStore"/>, <see cref="IHistoryReader"/>, <see cref="Fingerprints.IHarnessStore"/>).
/// </summary>
public interface IResultStore : IRunStore, ITrialStore, IHistoryReader, Fingerprints.IHarnessStore, Ingest.IIngestStore, ISuiteBundleStore, Detection.IStoredVerdictStore, Detection.ICalibrationStore, IDisposable;
