using System.Text.Json;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Web.Tests.Api;

public sealed class TaskHistoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_several_trials_a_task_lists_each_with_its_own_trial_index()
    {
        // Given a run with two trials of one task, the second stored first
        using var directory = new TempDirectory("web-trials");
        var path = directory.Combine("k2.db");
        using (var store = SqliteResultStore.Open(path))
        {
            var started = new DateTimeOffset(2026, 5, 1, 6, 0, 0, TimeSpan.Zero);
            var runId = await store.CreateRunAsync(new RunPlan
            {
                AgentName = "a", AgentKind = "simulated", AgentConfigJson = "{}", Synthetic = true, SuiteName = "core", SuitePath = "/nowhere",
                SuiteRevision = "r", TrialsPerTask = 2, Seed = 1, SandboxMode = "none",
                Trials = [new PlannedTrial("t", 1, 0, TaskCategory.Debugging, "python"), new PlannedTrial("t", 0, 1, TaskCategory.Debugging, "python")],
            }, new RunFingerprint(), started, new RunOwner("elsewhere", 1, started), Ct);
            foreach (var (index, sequence, outcome) in new[] { (1, 0, TrialOutcome.Fail), (0, 1, TrialOutcome.Pass) })
            {
                await store.RecordTrialAsync(new Trial
                {
                    RunId = runId, TaskId = "t", TrialIndex = index, Sequence = sequence, Category = TaskCategory.Debugging, Language = "python",
                    Outcome = outcome, StartedAt = started, FinishedAt = started,
                }, [], cancellationToken: Ct);
            }
            await store.FinishRunAsync(runId, RunStatus.Complete, started, Ct);
        }
        await using var factory = new DashboardFactory(path);
        var client = factory.CreateClient();

        // When the task's history is read
        var json = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/tasks/a/core/t", UriKind.Relative), Ct)).RootElement;
        var html = await client.GetStringAsync(new Uri("/tasks/a/core/t", UriKind.Relative), Ct);

        // Then each outcome goes with its own trial, and the page links to that trial
        var run = json.GetProperty("runs").EnumerateArray().ShouldHaveSingleItem();
        run.GetProperty("trials").EnumerateArray().Select(e => e.GetInt32()).ShouldBe([0, 1]);
        run.GetProperty("outcomes").EnumerateArray().Select(e => e.GetString()).ShouldBe(["pass", "fail"]);
        html.ShouldContain("<a class=\"outcome fail\" href=\"/runs/1/trials/t/1\">fail</a>");
    }
}
