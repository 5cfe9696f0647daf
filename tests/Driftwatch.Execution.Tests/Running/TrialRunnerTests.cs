using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Running;

public sealed class TrialRunnerTests : IDisposable
{
    private readonly TempDirectory _temp = new("trial-runner");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_finished_trial_carries_every_catalog_metric_it_has_measured_from_itself()
    {
        // Given an agent that solves the task and reports 321 output tokens
        var suite = SuiteLoader.Load(new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-0", "generation").Build());
        var agent = new ScriptedAgent((request, _) =>
        {
            Execution.Workspaces.TrialWorkspace.CopyTree(request.Task.SolutionDirectory, request.Workspace);
            return ScriptedAgent.Done() with { Usage = new AgentUsage { OutputTokens = 321 } };
        });
        var runner = new TrialRunner(agent, new NoSandbox(), new TrialOptions { WorkRoot = _temp.Combine("work") }, TimeProvider.System);

        // When the trial runs
        var record = await runner.RunAsync(suite, suite.Tasks[0], new PlannedTrial("add-0", 0, 0, TaskCategory.Generation, "python"),
            new RunContext(1, new DateOnly(2026, 11, 20), 7, "scripted 1.0"), CancellationToken.None);

        // Then its metrics are the catalog's measures of it: its wall time and the tokens reported
        // (besides the scorers' figures, which the trial record alone cannot give)
        var trial = record.Trial;
        trial.Outcome.ShouldBe(TrialOutcome.Pass);
        var scorers = ScorerMetrics.All.Select(m => m.Name).ToHashSet();
        trial.Metrics.Where(m => !scorers.Contains(m.Key)).ShouldBe(TrialMetrics.Measure(trial with { Metrics = MetricDictionary.None }));
        trial.Metrics.Get("durationMs").ShouldBe(trial.DurationMs);
        trial.Metrics.Get("outputTokens").ShouldBe(321);
    }
}
