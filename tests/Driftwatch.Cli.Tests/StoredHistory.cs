using System.Collections.Immutable;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;

namespace Driftwatch.Cli.Tests;

/// <summary>Writes a daily history straight into a database: one run a day, every task once.</summary>
public static class StoredHistory
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);

    public static async Task WriteAsync(string database, string agent, string suite, IReadOnlyList<string> tasks, int days,
        Func<int, int, double> passRate, Func<int, string>? agentVersion = null, ulong seed = 1, Func<int, RunFingerprint>? fingerprint = null,
        string suiteRevision = "rev-1", string? agentConfigJson = null, Func<int, int, AgentUsage>? usage = null)
    {
        using var store = SqliteResultStore.Open(database);
        var rng = new Rng(seed);
        var owner = new RunOwner("elsewhere", 1, Start);
        for (var day = 0; day < days; day++)
        {
            var started = Start.AddDays(day);
            var plan = new RunPlan
            {
                AgentName = agent,
                AgentKind = "simulated",
                AgentConfigJson = agentConfigJson ?? "{\"name\":\"" + agent + "\",\"kind\":\"simulated\",\"options\":{}}",
                Synthetic = true,
                SuiteName = suite,
                SuitePath = "/nowhere",
                SuiteRevision = suiteRevision,
                TrialsPerTask = 1,
                Seed = day,
                SandboxMode = "none",
                Trials = [.. tasks.Select((t, i) => new PlannedTrial(t, 0, i, TaskCategory.Generation, "python"))],
            };
            var runFingerprint = fingerprint?.Invoke(day) ?? new RunFingerprint { AgentVersion = agentVersion?.Invoke(day) ?? "1.0", Models = ImmutableArray.Create("m") };
            var runId = await store.CreateRunAsync(plan, runFingerprint, started, owner);
            for (var i = 0; i < tasks.Count; i++)
            {
                var pass = rng.NextDouble() < passRate(day, i);
                var trial = new Trial
                {
                    RunId = runId,
                    TaskId = tasks[i],
                    TrialIndex = 0,
                    Sequence = i,
                    Category = TaskCategory.Generation,
                    Language = "python",
                    Outcome = pass ? TrialOutcome.Pass : TrialOutcome.Fail,
                    TestsPassed = pass ? 1 : 0,
                    TestsTotal = 1,
                    StartedAt = started,
                    FinishedAt = started.AddSeconds(1),
                    Usage = usage?.Invoke(day, i) ?? AgentUsage.None,
                };
                // As the runner records it: with the catalog's metrics measured, when the agent reported usage.
                await store.RecordTrialAsync(usage is null ? trial : trial with { Metrics = Core.Metrics.TrialMetrics.Measure(trial) }, []);
            }
            await store.FinishRunAsync(runId, RunStatus.Complete, started.AddMinutes(5));
        }
    }

    /// <summary>Task i's usual pass rate: a spread from 0.2 to 0.95.</summary>
    public static double Usual(int task, int tasks) => 0.2 + 0.75 * task / Math.Max(1, tasks - 1);
}
