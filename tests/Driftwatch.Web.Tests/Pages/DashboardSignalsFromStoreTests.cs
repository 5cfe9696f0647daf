using System.Collections.Immutable;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Driftwatch.Web.Views;
using Shouldly;

namespace Driftwatch.Web.Tests.Pages;

/// <summary>
/// The dashboard judges a stored history as `check` does: with the trials' metrics, so that its
/// verdict has the same signals and the same share of the budget.
/// </summary>
public sealed class DashboardSignalsFromStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new("dashboard-signals");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_dashboard_verdict_reads_the_trials_metrics_and_agrees_with_check()
    {
        // Given 30 days of 10 tasks whose output tokens fall by 40% from day 20, pass rates unchanged
        var path = _temp.Combine("dw.db");
        using var store = SqliteResultStore.Open(path);
        var rng = new Rng(3);
        var owner = new RunOwner("elsewhere", 1, SeededDatabase.Start);
        for (var day = 0; day < 30; day++)
        {
            var started = SeededDatabase.Start.AddDays(day);
            var plan = new RunPlan
            {
                AgentName = "tokens",
                AgentKind = "simulated",
                AgentConfigJson = "{\"name\":\"tokens\",\"kind\":\"simulated\",\"options\":{}}",
                Synthetic = true,
                SuiteName = "core",
                SuitePath = "/nowhere",
                SuiteRevision = "rev-1",
                TrialsPerTask = 1,
                Seed = day,
                SandboxMode = "none",
                Trials = [.. SeededDatabase.Tasks.Select((t, i) => new PlannedTrial(t, 0, i, TaskCategory.Generation, "python"))],
            };
            var runId = await store.CreateRunAsync(plan, new RunFingerprint { AgentVersion = "1.0", Models = ImmutableArray.Create("model-a") }, started, owner);
            for (var i = 0; i < SeededDatabase.Tasks.Length; i++)
            {
                var tokens = (200 + 20 * i) * (day >= 20 ? 0.6 : 1.0) * Math.Exp(0.1 * rng.NextNormal());
                await store.RecordTrialAsync(new Trial
                {
                    RunId = runId,
                    TaskId = SeededDatabase.Tasks[i],
                    TrialIndex = 0,
                    Sequence = i,
                    Category = TaskCategory.Generation,
                    Language = "python",
                    Outcome = rng.NextDouble() < 0.7 ? TrialOutcome.Pass : TrialOutcome.Fail,
                    StartedAt = started,
                    FinishedAt = started.AddSeconds(2),
                    DurationMs = 2000,
                    Metrics = MetricDictionary.Of([KeyValuePair.Create("outputTokens", Math.Round(tokens))]),
                }, []);
            }
            await store.FinishRunAsync(runId, RunStatus.Complete, started.AddMinutes(5));
        }

        // When the dashboard reads it, and `check` judges it with the metrics
        var series = (await new DashboardReader(store, new CheckOptions()).SeriesAsync("tokens", "core", TestContext.Current.CancellationToken))!;
        var check = Checker.Check(await store.GetHistoryAsync("tokens", "core", withMetrics: true, TestContext.Current.CancellationToken), new CheckOptions());

        // Then the dashboard's verdict watched output tokens and says what `check` says
        series.Verdict.Signals.ShouldContain(s => s.Signal == "outputTokens" && s.Watched);
        series.Verdict.Status.ShouldBe(check.Status);
        series.Verdict.TriggeredBy.ShouldBe(check.TriggeredBy);
        series.Verdict.Threshold.ShouldBe(check.Threshold);
        check.TriggeredBy.ShouldContain("outputTokens");
    }
}
