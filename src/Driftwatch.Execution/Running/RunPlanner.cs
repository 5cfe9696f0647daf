using System.Collections.Immutable;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Core.Text;

namespace Driftwatch.Execution.Running;

/// <summary>Turns a suite, a task filter, K and a seed into the shuffled list of trials of a run.</summary>
public static class RunPlanner
{
    public static IReadOnlyList<TaskDefinition> SelectTasks(SuiteDefinition suite, string? filter)
    {
        if (filter is null)
            return suite.Tasks;
        var matcher = new TaskFilter(filter);
        var selected = suite.Tasks.Where(t => matcher.Matches(t.Id)).ToList();
        if (selected.Count == 0)
            throw new InvalidInputException($"--tasks: '{filter}' matches no task of suite '{suite.Name}'");
        return selected;
    }

    /// <summary>
    /// Every selected task K times, in an order shuffled by <paramref name="seed"/>: a stable sort on
    /// a hash of (seed, task, trial), so the same seed gives the same order on every machine.
    /// </summary>
    public static ImmutableArray<PlannedTrial> Plan(IReadOnlyList<TaskDefinition> tasks, int trialsPerTask, int seed)
    {
        if (trialsPerTask < 1)
            throw new InvalidInputException("--trials: must be at least 1");
        return Plan(tasks, _ => trialsPerTask, seed);
    }

    /// <summary>The same with a number of trials chosen per task (adaptive allocation; 0 skips a task today).</summary>
    public static ImmutableArray<PlannedTrial> Plan(IReadOnlyList<TaskDefinition> tasks, Func<TaskDefinition, int> trials, int seed)
    {
        var order = tasks
            .SelectMany(task => Enumerable.Range(0, trials(task)).Select(index => (Task: task, Index: index)))
            .OrderBy(t => StableHash.Of("order", seed, t.Task.Id, t.Index))
            .ThenBy(t => t.Task.Id, StringComparer.Ordinal)
            .ThenBy(t => t.Index);
        return [.. order.Select((t, sequence) => new PlannedTrial(t.Task.Id, t.Index, sequence, t.Task.Category, t.Task.Language))];
    }
}
