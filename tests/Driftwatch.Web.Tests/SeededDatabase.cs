using System.Collections.Immutable;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;

namespace Driftwatch.Web.Tests;

/// <summary>
/// A database with a known history, written straight through the store: agent "steady" on suite
/// "core", one run a day for 30 days over 10 tasks, the agent CLI going from 1.0 to 1.1 on day 20
/// and every task failing more from then on; each trial with a transcript, a diff and test output.
/// Some trials are flagged as the runner and the claude-code agent flag them: on day 12 task-06 was
/// served by a fallback model (left out: error model-fallback); on day 27 task-08 got a refusal
/// (error refusal); on the last day task-01 passed with a change that shadowed the test framework
/// (not counted: error suspect, two suspect flags), task-05 failed with a suspect change, and
/// task-02 was served by a fallback model and scored anyway (on_fallback: score).
/// </summary>
public sealed class SeededDatabase : IDisposable
{
    public const string Agent = "steady";
    public const string Suite = "core";
    public const int Days = 30;
    public const int DropDay = 20;
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);
    public static readonly string[] Tasks = [.. Enumerable.Range(0, 10).Select(i => $"task-{i:00}")];

    public const int FallbackDay = 12;
    public const int RefusalDay = 27;
    public const int LastDay = Days - 1;
    public const string Fallback = "fallback:model-a→model-b";
    public static readonly string[] SuspectPass = ["suspect:shadows-test-framework unittest.py", "suspect:site-customisation sitecustomize.py"];
    public const string SuspectFail = "suspect:test-runner .driftwatch/unittest_junit.py";

    private readonly TempDirectory _directory = new("web-seeded");

    public SeededDatabase()
    {
        Path = _directory.Combine("driftwatch.db");
        RunIds = WriteAsync(Path).GetAwaiter().GetResult();
    }

    public string Path { get; }

    public IReadOnlyList<long> RunIds { get; }

    /// <summary>A copy of the database for a test that writes to it.</summary>
    public string CopyTo(string directory)
    {
        var target = System.IO.Path.Combine(directory, "copy.db");
        using (var store = SqliteResultStore.Open(Path))
        {
            // Checkpoint so the main file holds everything before copying it alone.
        }
        File.Copy(Path, target, overwrite: true);
        DatabaseCopies.CopyArtifacts(Path, target);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(Path + suffix))
                File.Copy(Path + suffix, target + suffix, overwrite: true);
        }
        return target;
    }

    public static async Task<IReadOnlyList<long>> WriteAsync(string database, int days = Days, string agent = Agent, ulong seed = 11)
    {
        using var store = SqliteResultStore.Open(database);
        var rng = new Rng(seed);
        var owner = new RunOwner("elsewhere", 1, Start);
        var ids = new List<long>();
        for (var day = 0; day < days; day++)
        {
            var id = await WriteRunAsync(store, agent, day, rng, owner);
            ids.Add(id);
        }
        return ids;
    }

    public static async Task<long> WriteRunAsync(SqliteResultStore store, string agent, int day, Rng rng, RunOwner owner)
    {
        var started = Start.AddDays(day);
        var plan = new RunPlan
        {
            AgentName = agent,
            AgentKind = "simulated",
            AgentConfigJson = "{\"name\":\"" + agent + "\",\"kind\":\"simulated\",\"options\":{}}",
            Synthetic = true,
            SuiteName = Suite,
            SuitePath = "/nowhere",
            SuiteRevision = "rev-1",
            TrialsPerTask = 1,
            Seed = day,
            SandboxMode = "none",
            Trials = [.. Tasks.Select((t, i) => new PlannedTrial(t, 0, i, TaskCategory.Generation, "python"))],
        };
        var version = day < DropDay ? "1.0" : "1.1";
        var runId = await store.CreateRunAsync(plan, new RunFingerprint { AgentVersion = version, Models = ImmutableArray.Create("model-a") }, started, owner);
        for (var i = 0; i < Tasks.Length; i++)
        {
            // Tasks 0-6 usually pass, 7-9 usually fail; from the drop day tasks 0-3 mostly fail.
            var p = i < 7 ? 0.95 : 0.1;
            if (day >= DropDay && i < 4)
                p = 0.15;
            var outcome = day == 5 && i == 9 ? TrialOutcome.Error : rng.NextDouble() < p ? TrialOutcome.Pass : TrialOutcome.Fail;
            var (flags, served, tests, errorKind, errorMessage) = Flagged(day, i, outcome);
            outcome = tests switch
            {
                // Left out of the pass rate: an error of its own kind, the tests' result kept where they ran.
                _ when errorKind is not null => TrialOutcome.Error,
                { } forced => forced,
                _ => outcome,
            };
            var passed = (tests ?? outcome) == TrialOutcome.Pass ? 4 : (tests ?? outcome) == TrialOutcome.Fail ? 1 : 0;
            await store.RecordTrialAsync(new Trial
            {
                RunId = runId,
                TaskId = Tasks[i],
                TrialIndex = 0,
                Sequence = i,
                Category = TaskCategory.Generation,
                Language = "python",
                Outcome = outcome,
                TestsPassed = passed,
                TestsTotal = outcome == TrialOutcome.Error && tests is null ? 0 : 4,
                StartedAt = started,
                FinishedAt = started.AddSeconds(2),
                DurationMs = 2000 + i,
                AgentDurationMs = 1500,
                TestDurationMs = 500,
                Usage = new AgentUsage { InputTokens = 1000 + i, OutputTokens = 200, CostUsd = 0.0125m },
                AgentVersion = version,
                Model = "model-a",
                StopReason = "end_turn",
                ErrorKind = errorKind ?? (outcome == TrialOutcome.Error ? "api-529" : null),
                ErrorMessage = errorMessage ?? (outcome == TrialOutcome.Error ? "overloaded" : null),
                Flags = flags,
                ServedModels = served,
            },
            [
                new TrialArtifact(ArtifactKind.Transcript, Transcript(Tasks[i])),
                new TrialArtifact(ArtifactKind.Diff, $"--- a/solution.py\n+++ b/solution.py\n@@ -1,2 +1,2 @@\n def solve():\n-    return None\n+    return {i}\n"),
                new TrialArtifact(ArtifactKind.TestOutput, $"{passed} passed, {4 - passed} failed <in {Tasks[i]}>"),
            ]);
        }
        await store.FinishRunAsync(runId, RunStatus.Complete, started.AddMinutes(5));
        return runId;
    }

    /// <summary>
    /// Task <paramref name="i"/> on <paramref name="day"/>: its flags, who served it, how the hidden
    /// tests ended when that is fixed (null: as drawn, or not run), and the error kind that leaves it
    /// out of the pass rate.
    /// </summary>
    private static (ImmutableArray<string> Flags, ImmutableArray<string> Served, TrialOutcome? Tests, string? ErrorKind, string? ErrorMessage) Flagged(int day, int i, TrialOutcome drawn) => (day, i) switch
    {
        (FallbackDay, 6) => ([Fallback], ["model-b"], null, "model-fallback", "served by model-b instead of model-a (" + Fallback + ")"),
        (RefusalDay, 8) => (["refusal"], ["model-a"], null, "refusal", "the model refused"),
        (LastDay, 1) => ([.. SuspectPass], ["model-a"], TrialOutcome.Pass, "suspect", $"the tests passed, but the change touched the test machinery ({string.Join("; ", SuspectPass)}): not counted as a pass"),
        (LastDay, 5) => ([SuspectFail], ["model-a"], TrialOutcome.Fail, null, null),
        (LastDay, 2) => ([Fallback], ["model-a", "model-b"], null, null, null),
        _ => ([], drawn == TrialOutcome.Error ? [] : ["model-a"], null, null, null),
    };

    private static string Transcript(string task) => string.Join('\n',
        """{"type":"system","subtype":"init","model":"model-a","tools":["Read","Edit"]}""",
        $$$"""{"type":"assistant","message":{"content":[{"type":"text","text":"I will fix {{{task}}}."},{"type":"tool_use","name":"Edit","input":{"file_path":"solution.py"}}]}}""",
        """{"type":"user","message":{"content":[{"type":"tool_result","content":"edited solution.py"}]}}""",
        """{"type":"result","subtype":"success","num_turns":2,"total_cost_usd":0.0125,"result":"Done."}""");

    public void Dispose()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path}");
        Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
        _directory.Dispose();
    }
}
