using Driftwatch.Core.Runs;

namespace Driftwatch.Execution.Running;

/// <summary>The trials of a run to execute, and what the run's owner needs to hear of them.</summary>
public sealed record TrialDispatch(long RunId, IReadOnlyList<TrialAssignment> Trials, int Parallelism)
{
    /// <summary>Asked before a finished trial is recorded: false once the run is no longer this owner's (its lease was lost), and then nothing more is recorded.</summary>
    public Func<bool> StillHeld { get; init; } = static () => true;

    /// <summary>Told of each trial as it is recorded (for progress and the run's fingerprint).</summary>
    public Action<TrialRecord, RecordResult>? Recorded { get; init; }
}

/// <summary>
/// Gets the trials of a run executed: in this process (<see cref="InProcessDispatcher"/>), or by
/// workers elsewhere that run each <see cref="TrialAssignment"/> on their own <see cref="ITrialExecutor"/>.
/// Returns when every trial is recorded, the dispatch is cancelled, or one failed beyond retrying.
/// </summary>
public interface ITrialDispatcher
{
    Task DispatchAsync(TrialDispatch dispatch, CancellationToken cancellationToken);
}

/// <summary>Runs a dispatch's trials here, <see cref="TrialDispatch.Parallelism"/> at a time, each committed as it finishes.</summary>
public sealed class InProcessDispatcher(ITrialExecutor executor) : ITrialDispatcher
{
    public async Task DispatchAsync(TrialDispatch dispatch, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dispatch.Parallelism, 1);
        await executor.PrepareAsync(dispatch.RunId, cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(dispatch.Trials, new ParallelOptions { MaxDegreeOfParallelism = dispatch.Parallelism, CancellationToken = cancellationToken },
            async (assignment, token) =>
            {
                var record = await executor.RunAsync(assignment, token).ConfigureAwait(false);
                if (!dispatch.StillHeld())
                    return;
                // Committed at once, and not cancelled by Ctrl-C: a finished trial is never lost.
                var result = await executor.RecordAsync(record, CancellationToken.None).ConfigureAwait(false);
                dispatch.Recorded?.Invoke(record, result);
            }).ConfigureAwait(false);
    }
}
