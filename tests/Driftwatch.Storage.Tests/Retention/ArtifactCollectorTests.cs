using Driftwatch.Core.Alerts;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Stores;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Retention;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace Driftwatch.Storage.Tests.Retention;

/// <summary>`db gc` below the CLI: the retention policy prunes artifacts (never outcomes), then unreferenced blobs go, crash-safely.</summary>
public sealed class ArtifactCollectorTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly RunOwner DeadOwner = new("elsewhere-host-that-is-not-this-one", 1, Start);

    private readonly TempDirectory _temp = new("artifact-gc");
    private readonly FakeTimeProvider _time = new(Start.AddDays(30));
    private string _connectionString = "";

    public async ValueTask InitializeAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _temp.Dispose();

    private string DatabasePath => _temp.Combine("driftwatch.db");

    private string Folder => DatabasePath + ".artifacts";

    private DriftwatchStore OpenSqlite() => StoreFactory.Of(SqliteResultStore.Open(DatabasePath, _ => false, _time));

    private DriftwatchStore Open(string kind) => kind == "sqlite" ? OpenSqlite() : StoreFactory.OpenPostgres(_connectionString, _ => false, _time);

    private List<string> BlobFiles() =>
        Directory.Exists(Folder) ? [.. Directory.EnumerateFiles(Folder, "*.br", SearchOption.AllDirectories)] : [];

    /// <summary>
    /// Four daily runs of one agent × suite, tasks "steady" (always passes) and "flaky" (fails in run
    /// 3 only: it flips between runs 2 and 3 and back between 3 and 4). Every trial's diff is its
    /// own text; every transcript is the same text (one blob for all).
    /// </summary>
    private static async Task<List<long>> HistoryAsync(DriftwatchStore store, string agent = "agent-a")
    {
        var ids = new List<long>();
        for (var day = 0; day < 4; day++)
        {
            var plan = new RunPlan
            {
                AgentName = agent, AgentKind = "simulated", AgentConfigJson = "{}", Synthetic = true, SuiteName = "mini", SuitePath = "/suites/mini",
                SuiteRevision = new string('a', 64), TrialsPerTask = 1, Seed = day, SandboxMode = "none",
                Trials = [new PlannedTrial("steady", 0, 0, TaskCategory.Generation, "python"), new PlannedTrial("flaky", 0, 1, TaskCategory.Generation, "python")],
            };
            var at = Start.AddDays(day);
            var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), at, DeadOwner);
            foreach (var planned in plan.Trials)
            {
                var outcome = planned.TaskId == "flaky" && day == 2 ? TrialOutcome.Fail : TrialOutcome.Pass;
                var trial = new Trial
                {
                    RunId = runId, TaskId = planned.TaskId, TrialIndex = 0, Sequence = planned.Sequence, Category = planned.Category, Language = planned.Language,
                    Outcome = outcome, TestsPassed = outcome == TrialOutcome.Pass ? 1 : 0, TestsTotal = 1, StartedAt = at, FinishedAt = at.AddMinutes(1),
                };
                await store.Trials.RecordTrialAsync(trial, [new TrialArtifact(ArtifactKind.Diff, $"{agent} {planned.TaskId} day {day}"), new TrialArtifact(ArtifactKind.Transcript, "the same transcript")]);
            }
            await store.Runs.FinishRunAsync(runId, RunStatus.Complete, at.AddMinutes(5));
            ids.Add(runId);
        }
        return ids;
    }

    private static Task<string?> DiffAsync(DriftwatchStore store, long runId, string task) => store.Trials.GetArtifactAsync(runId, new TrialKey(task, 0), ArtifactKind.Diff);

    private static readonly RetentionConfig LastRun = new() { ArtifactsRuns = 1 };

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_policy_removes_old_artifacts_but_keeps_the_last_runs_flipped_tasks_and_every_outcome(string kind)
    {
        // Given four runs, and a policy that keeps the artifacts of the last run only
        using var store = Open(kind);
        var runs = await HistoryAsync(store);
        var trialsBefore = System.Text.Json.JsonSerializer.Serialize(await Task.WhenAll(runs.Select(r => store.Trials.GetTrialsAsync(r))));

        // When gc runs
        var report = await ArtifactCollector.CollectAsync(store, LastRun, _time, dryRun: false);

        // Then "steady" lost its artifacts in runs 1 to 3 (two each), and "flaky", which flipped into run 3 and back out, kept them in runs 2, 3 and 4
        report.PolicySet.ShouldBeTrue();
        report.TasksPruned.ShouldBe(4);
        report.ArtifactsRemoved.ShouldBe(8);
        report.BlobsRemoved.ShouldBe(4, "the diffs of steady in runs 1-3 and of flaky in run 1; the shared transcript is still named");
        (await DiffAsync(store, runs[0], "steady")).ShouldStartWith("(removed by retention on 2026-12-01");
        (await DiffAsync(store, runs[2], "steady")).ShouldStartWith("(removed by retention");
        (await DiffAsync(store, runs[0], "flaky")).ShouldStartWith("(removed by retention");
        (await DiffAsync(store, runs[1], "flaky")).ShouldBe("agent-a flaky day 1");
        (await DiffAsync(store, runs[2], "flaky")).ShouldBe("agent-a flaky day 2");
        (await DiffAsync(store, runs[3], "steady")).ShouldBe("agent-a steady day 3");
        (await store.Trials.GetArtifactAsync(runs[3], new TrialKey("steady", 0), ArtifactKind.Transcript)).ShouldBe("the same transcript");
        // and every trial, outcome and metric is as it was
        System.Text.Json.JsonSerializer.Serialize(await Task.WhenAll(runs.Select(r => store.Trials.GetTrialsAsync(r)))).ShouldBe(trialsBefore);

        // And a second gc finds nothing more to do
        var again = await ArtifactCollector.CollectAsync(store, LastRun, _time, dryRun: false);
        (again.ArtifactsRemoved, again.BlobsRemoved).ShouldBe((0L, 0L));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_gc_stopped_between_its_two_phases_leaves_every_row_readable_and_a_rerun_finishes(string kind)
    {
        // Given four runs and a gc that dies right after committing the pruned rows
        using var store = Open(kind);
        var runs = await HistoryAsync(store);
        await Should.ThrowAsync<TimeoutException>(() => ArtifactCollector.CollectAsync(store, LastRun, _time, dryRun: false,
            afterPrune: () => throw new TimeoutException("the process dies here"), CancellationToken.None));

        // Then every artifact row reads: its text, or that retention removed it
        foreach (var run in runs)
        {
            foreach (var task in new[] { "steady", "flaky" })
                (await DiffAsync(store, run, task)).ShouldNotBeNullOrEmpty();
        }

        // When gc runs again
        var report = await ArtifactCollector.CollectAsync(store, LastRun, _time, dryRun: false);

        // Then it removes the blobs the first left behind, and every row still reads
        report.ArtifactsRemoved.ShouldBe(0);
        report.BlobsRemoved.ShouldBe(4);
        foreach (var run in runs)
        {
            foreach (var task in new[] { "steady", "flaky" })
                (await DiffAsync(store, run, task)).ShouldNotBeNullOrEmpty();
        }
        if (kind == "sqlite")
            BlobFiles().Count.ShouldBe(5, "the diffs of flaky in runs 2-4 and steady in run 4, and the shared transcript");
    }

    [Fact]
    public async Task Without_a_policy_only_unreferenced_blobs_and_old_temporary_files_go()
    {
        // Given a history, a blob file nobody names, a temporary file of a writer that died two hours ago and one being written now
        using var store = OpenSqlite();
        var runs = await HistoryAsync(store);
        var files = BlobFiles().Count;
        var orphan = Path.Combine(Folder, "ff", new string('f', 64) + ".br");
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        await File.WriteAllBytesAsync(orphan, [1, 2, 3]);
        var stale = Path.Combine(Folder, "ff", $"{new string('e', 64)}.dead.tmp");
        await File.WriteAllBytesAsync(stale, [1, 2, 3, 4]);
        File.SetLastWriteTimeUtc(stale, _time.GetUtcNow().UtcDateTime.AddHours(-2));
        var young = Path.Combine(Folder, "ff", $"{new string('d', 64)}.live.tmp");
        await File.WriteAllBytesAsync(young, [1]);
        File.SetLastWriteTimeUtc(young, _time.GetUtcNow().UtcDateTime.AddMinutes(-5));

        // When gc runs without retention, dry first
        var dry = await ArtifactCollector.CollectAsync(store, policy: null, _time, dryRun: true);
        File.Exists(orphan).ShouldBeTrue();
        var report = await ArtifactCollector.CollectAsync(store, policy: null, _time, dryRun: false);

        // Then the orphan and the stale temporary file are gone (7 bytes), the young one and every artifact stay
        dry.ShouldBe(report with { DryRun = true });
        report.PolicySet.ShouldBeFalse();
        (report.ArtifactsRemoved, report.BlobsRemoved, report.TemporaryFilesRemoved, report.BytesFreed).ShouldBe((0L, 1L, 1L, 7L));
        File.Exists(orphan).ShouldBeFalse();
        File.Exists(stale).ShouldBeFalse();
        File.Exists(young).ShouldBeTrue();
        BlobFiles().Count.ShouldBe(files);
        (await DiffAsync(store, runs[0], "steady")).ShouldBe("agent-a steady day 0");
    }

    [Fact]
    public async Task A_dry_run_says_what_would_go_and_removes_nothing()
    {
        // Given four runs
        using var store = OpenSqlite();
        var runs = await HistoryAsync(store);
        var files = BlobFiles();

        // When gc runs dry
        var dry = await ArtifactCollector.CollectAsync(store, LastRun, _time, dryRun: true);

        // Then it counts what a real gc removes, and nothing is gone
        (dry.ArtifactsRemoved, dry.BlobsRemoved).ShouldBe((8L, 4L));
        BlobFiles().ShouldBe(files);
        (await DiffAsync(store, runs[0], "steady")).ShouldBe("agent-a steady day 0");
        var real = await ArtifactCollector.CollectAsync(store, LastRun, _time, dryRun: false);
        real.ShouldBe(dry with { DryRun = false });
    }

    [Fact]
    public async Task The_artifacts_of_a_degraded_agent_and_suite_are_kept_while_the_alarm_lasts()
    {
        // Given two agents' histories, the first with a stored DEGRADED verdict
        using var store = OpenSqlite();
        var degraded = await HistoryAsync(store, "agent-a");
        var healthy = await HistoryAsync(store, "agent-b");
        await store.Alerts.RecordVerdictAsync("agent-a", "mini", new VerdictState(VerdictStatus.Degraded, []), Start.AddDays(4), []);

        // When gc runs
        await ArtifactCollector.CollectAsync(store, LastRun, _time, dryRun: false);

        // Then the degraded one kept everything, the other lost its old steady artifacts
        (await DiffAsync(store, degraded[0], "steady")).ShouldBe("agent-a steady day 0");
        (await DiffAsync(store, healthy[0], "steady")).ShouldStartWith("(removed by retention");
    }

    [Fact]
    public async Task The_artifacts_of_an_agent_and_suite_whose_kept_verdict_is_degraded_are_kept_without_a_scheduler()
    {
        // Given two agents' histories, judged DEGRADED by `check` or the dashboard (the verdict they
        // keep in the store) with no scheduler to record an alarm, and the other kept as OK
        using var store = OpenSqlite();
        var degraded = await HistoryAsync(store, "agent-a");
        var healthy = await HistoryAsync(store, "agent-b");
        foreach (var (agent, status) in new[] { ("agent-a", VerdictStatus.Degraded), ("agent-b", VerdictStatus.Ok) })
        {
            var verdict = new Verdict { Agent = agent, Suite = "mini", Status = status, Detector = "cusum" };
            await store.Results.PutStoredVerdictAsync(new StoredVerdict(agent, "mini", "key", KeptVerdictJson.Serialize(verdict), Start.AddDays(4)));
        }

        // When gc runs
        await ArtifactCollector.CollectAsync(store, LastRun, _time, dryRun: false);

        // Then the degraded one kept everything, the other lost its old steady artifacts
        (await DiffAsync(store, degraded[0], "steady")).ShouldBe("agent-a steady day 0");
        (await DiffAsync(store, healthy[0], "steady")).ShouldStartWith("(removed by retention");
    }

    [Fact]
    public async Task Artifacts_of_runs_younger_than_the_days_kept_are_kept()
    {
        // Given four daily runs (November 1 to 4), seen on December 1
        using var store = OpenSqlite();
        var runs = await HistoryAsync(store);

        // When gc keeps 28 days (runs from day 2 on)
        var report = await ArtifactCollector.CollectAsync(store, new RetentionConfig { ArtifactsDays = 28 }, _time, dryRun: false);

        // Then runs 1 and 2 lost steady's artifacts, flaky kept them in run 2 (it flips into run 3), and runs 3 and 4 kept all
        report.TasksPruned.ShouldBe(3);
        (await DiffAsync(store, runs[1], "steady")).ShouldStartWith("(removed by retention");
        (await DiffAsync(store, runs[1], "flaky")).ShouldBe("agent-a flaky day 1");
        (await DiffAsync(store, runs[2], "steady")).ShouldBe("agent-a steady day 2");
    }
}
