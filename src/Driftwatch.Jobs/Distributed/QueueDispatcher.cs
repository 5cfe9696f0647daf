using System.Collections.Concurrent;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Running;
using Driftwatch.Formats.Suites;
using Hangfire;

namespace Driftwatch.Jobs.Distributed;

/// <summary>
/// Gets a run's trials executed by `driftwatch worker` processes: the run's world is checked here
/// first (its suite, its agent), its suite is put in the store by revision for workers elsewhere,
/// one job per trial is enqueued, and the dispatch then follows the store, telling the run's owner
/// of each trial as it lands, until every job has ended. A job that failed (a fault that is not a
/// trial outcome: bad input, a broken worker) fails the dispatch; a stop deletes the jobs not yet
/// done, so nothing of the run goes on after its owner let it go.
/// </summary>
public sealed class QueueDispatcher(TrialQueue queue, IResultStore store, ITrialExecutor local, Action<string>? warn = null) : ITrialDispatcher
{
    /// <summary>Attempts per trial on infrastructure errors, made by the worker (the submitter's `--retries` + 1).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>How often the store and the queue are read while the trials run.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Jobs enqueued at once (each its own transaction).</summary>
    public const int EnqueueParallelism = 4;

    /// <summary>Told of each job enqueued, with its id (for tests and the benchmark); called from several threads.</summary>
    public Action<string, TrialAssignment>? Enqueued { get; init; }

    public async Task DispatchAsync(TrialDispatch dispatch, CancellationToken cancellationToken)
    {
        var runId = dispatch.RunId;
        await local.PrepareAsync(runId, cancellationToken).ConfigureAwait(false);
        var header = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidInputException($"run {runId} not found");
        var plan = await store.GetPlanAsync(runId, cancellationToken).ConfigureAwait(false);
        // PrepareAsync checked that the folder still holds the planned revision.
        await SuiteBundles.PublishAsync(store, SuiteLoader.Load(plan.SuitePath), cancellationToken).ConfigureAwait(false);

        var wanted = dispatch.Trials.Select(t => t.Key).ToHashSet();
        var before = (await store.GetTrialsAsync(runId, cancellationToken).ConfigureAwait(false))
            .Where(t => wanted.Contains(t.Key)).ToDictionary(t => t.Key, t => t.FinishedAt);
        var (limitName, limit) = LimitOf(header.Agent);

        var outstanding = new ConcurrentDictionary<string, TrialAssignment>(StringComparer.Ordinal);
        var reported = new HashSet<TrialKey>();
        try
        {
            // Each enqueue is a transaction of its own: a few at once, so that a large run's first
            // trials do not wait on the enqueue of its last (workers start as soon as jobs appear).
            Parallel.ForEach(dispatch.Trials, new ParallelOptions { MaxDegreeOfParallelism = EnqueueParallelism, CancellationToken = cancellationToken }, assignment =>
            {
                var id = queue.Enqueue(new TrialJobArguments(runId, assignment.TaskId, assignment.TrialIndex, limitName, limit, MaxAttempts));
                outstanding[id] = assignment;
                Enqueued?.Invoke(id, assignment);
            });
            while (!outstanding.IsEmpty)
            {
                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
                await ReportLandedAsync(dispatch, wanted, before, reported, cancellationToken).ConfigureAwait(false);
                foreach (var (id, state) in await queue.StatesAsync([.. outstanding.Keys], cancellationToken).ConfigureAwait(false))
                {
                    switch (state)
                    {
                        case "Succeeded":
                            outstanding.TryRemove(id, out _);
                            break;
                        case "Deleted":
                            warn?.Invoke($"{outstanding[id]}: its job was deleted from the queue; the trial stays pending (run --resume runs it)");
                            outstanding.TryRemove(id, out _);
                            break;
                        case "Failed":
                            var (type, message) = queue.FailureOf(id);
                            var failed = outstanding[id];
                            throw type.Contains(nameof(InvalidInputException), StringComparison.Ordinal)
                                ? new InvalidInputException($"{failed}: {message}")
                                : new InvalidOperationException($"{failed}: its worker failed ({type}): {message}");
                    }
                }
            }
            await ReportLandedAsync(dispatch, wanted, before, reported, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidInputException or InvalidOperationException or AggregateException)
        {
            // Nothing of this run goes on without its owner: the jobs not done are deleted (a worker
            // running one is told to cancel it; should it still land, recording is idempotent).
            foreach (var id in outstanding.Keys)
                queue.Client.Delete(id);
            throw;
        }
    }

    /// <summary>The agent's concurrency limit and the name its slots go by: its own entry, else that of the agent it is a model of (`A:M` shares A's account).</summary>
    private (string Name, int Limit) LimitOf(string agent)
    {
        if (queue.Config.AgentLimits.TryGetValue(agent, out var own))
            return (agent, own);
        var colon = agent.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && queue.Config.AgentLimits.TryGetValue(agent[..colon], out var shared))
            return (agent[..colon], shared);
        return (agent, 0);
    }

    private async Task ReportLandedAsync(TrialDispatch dispatch, HashSet<TrialKey> wanted, Dictionary<TrialKey, DateTimeOffset> before, HashSet<TrialKey> reported, CancellationToken cancellationToken)
    {
        foreach (var trial in await store.GetTrialsAsync(dispatch.RunId, cancellationToken).ConfigureAwait(false))
        {
            if (!wanted.Contains(trial.Key) || reported.Contains(trial.Key) || (before.TryGetValue(trial.Key, out var earlier) && earlier == trial.FinishedAt))
                continue;
            reported.Add(trial.Key);
            if (dispatch.StillHeld())
                dispatch.Recorded?.Invoke(new TrialRecord(trial, []), RecordResult.Recorded);
        }
    }
}
