using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Shouldly;

namespace Driftwatch.Storage.Tests.Contract;

/// <summary>A task's history on its own (#20): the task page reads the task's trials, not its runs' every trial.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_tasks_trials_of_an_agent_on_a_suite_are_its_finished_trials_in_every_run_with_their_metrics()
    {
        // Given two runs of agent a and one of agent b, each of 3 tasks × 2 trials, some finished
        using var store = Open();
        var plan = Plan(tasks: 3, k: 2, agent: "a");
        var first = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        var second = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start.AddDays(1), Remote);
        var other = await store.Runs.CreateRunAsync(Plan(tasks: 3, k: 2, agent: "b"), new RunFingerprint(), Start, Remote);
        var expected = new List<Trial>();
        foreach (var run in new[] { first, second, other })
        {
            foreach (var planned in plan.Trials.Where(t => run != second || t.TrialIndex == 1))
            {
                var trial = Finished(run, planned, planned.TrialIndex == 0 ? TrialOutcome.Pass : TrialOutcome.Fail)
                    with { Metrics = MetricDictionary.Of([new("outputTokens", 100 + planned.Sequence)]) };
                await store.Trials.RecordTrialAsync(trial, []);
                if (run != other && planned.TaskId == "task-1")
                    expected.Add(trial);
            }
        }

        // When task-1's trials of agent a on the suite are read
        var trials = await store.History.GetTaskTrialsAsync("a", "mini", "task-1");

        // Then they are the task's finished trials in a's runs, by run then index, each as recorded
        trials.ShouldBe(expected);
        trials.Select(t => (t.RunId, t.TrialIndex)).ShouldBe([(first, 0), (first, 1), (second, 1)]);
        (await store.History.GetTaskTrialsAsync("a", "mini", "no-such-task")).ShouldBeEmpty();
        (await store.History.GetTaskTrialsAsync("a", "other-suite", "task-1")).ShouldBeEmpty();
    }
}
