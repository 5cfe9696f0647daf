using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Driftwatch.Web.Views;
using Shouldly;

namespace Driftwatch.Web.Tests.Views;

/// <summary>
/// The dashboard keeps each series it derived (verdict, days, changes) until one of its runs is
/// written again (#20): pages read run headers, one row per run, not every trial, while nothing changed.
/// </summary>
public sealed class DashboardReaderCacheTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new("dashboard-cache");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_series_is_derived_again_only_when_one_of_its_runs_was_written_and_then_shows_the_write()
    {
        // Given a run with one trial passed of two, read once by the dashboard
        using var store = SqliteResultStore.Open(_temp.Combine("dw.db"));
        var owner = new RunOwner("elsewhere", 1, SeededDatabase.Start);
        var plan = new RunPlan
        {
            AgentName = "agent",
            AgentKind = "simulated",
            AgentConfigJson = "{}",
            Synthetic = true,
            SuiteName = "core",
            SuitePath = "/nowhere",
            SuiteRevision = "rev-1",
            TrialsPerTask = 1,
            Seed = 1,
            SandboxMode = "none",
            Trials = [new PlannedTrial("a", 0, 0, TaskCategory.Generation, "python"), new PlannedTrial("b", 0, 1, TaskCategory.Generation, "python")],
        };
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), SeededDatabase.Start, owner);
        await store.RecordTrialAsync(Trial(runId, "a", 0, TrialOutcome.Pass), []);
        var reader = new DashboardReader(store, new CheckOptions());
        var first = (await reader.SeriesAsync("agent", "core", Ct))!;

        // When it is read again with nothing written, and after the second trial and the run's end
        var again = (await reader.SeriesAsync("agent", "core", Ct))!;
        await store.RecordTrialAsync(Trial(runId, "b", 1, TrialOutcome.Fail), []);
        var afterTrial = (await reader.SeriesAsync("agent", "core", Ct))!;
        await store.FinishRunAsync(runId, RunStatus.Complete, SeededDatabase.Start.AddMinutes(5));
        var afterEnd = (await reader.SeriesAsync("agent", "core", Ct))!;
        var overview = (await reader.OverviewAsync(Ct)).ShouldHaveSingleItem();

        // Then the unchanged series is the one already derived, and each write shows at once
        again.ShouldBeSameAs(first);
        first.Days.ShouldHaveSingleItem().Scored.ShouldBe(1);
        afterTrial.ShouldNotBeSameAs(first);
        afterTrial.Days.ShouldHaveSingleItem().Scored.ShouldBe(2);
        afterTrial.Days[0].Passes.ShouldBe(1);
        afterEnd.ShouldNotBeSameAs(afterTrial);
        afterEnd.Latest.Status.ShouldBe(RunStatus.Complete);
        overview.ShouldBeSameAs(afterEnd);
    }

    [Fact]
    public async Task A_series_whose_verdict_is_kept_is_derived_without_reading_the_trials_metrics()
    {
        // Given a run whose trials carry metrics, its series derived once (which judges it and keeps the verdict)
        using var store = SqliteResultStore.Open(_temp.Combine("kept.db"));
        var plan = new RunPlan
        {
            AgentName = "agent",
            AgentKind = "simulated",
            AgentConfigJson = "{}",
            Synthetic = true,
            SuiteName = "core",
            SuitePath = "/nowhere",
            SuiteRevision = "rev-1",
            TrialsPerTask = 1,
            Seed = 1,
            SandboxMode = "none",
            Trials = [new PlannedTrial("a", 0, 0, TaskCategory.Generation, "python"), new PlannedTrial("b", 0, 1, TaskCategory.Generation, "python")],
        };
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), SeededDatabase.Start, new RunOwner("elsewhere", 1, SeededDatabase.Start));
        await store.RecordTrialAsync(Trial(runId, "a", 0, TrialOutcome.Pass) with { Metrics = Core.Metrics.MetricDictionary.Of([new("outputTokens", 10)]) }, []);
        await store.RecordTrialAsync(Trial(runId, "b", 1, TrialOutcome.Fail) with { Metrics = Core.Metrics.MetricDictionary.Of([new("outputTokens", 20)]) }, []);
        await store.FinishRunAsync(runId, RunStatus.Complete, SeededDatabase.Start.AddMinutes(5));
        var judging = HistoryReads.Counting(store);
        var first = (await new DashboardReader(judging.Store, new CheckOptions()).SeriesAsync("agent", "core", Ct))!;

        // When another reader (another process: an export, a restarted serve) derives it
        var reading = HistoryReads.Counting(store);
        var again = (await new DashboardReader(reading.Store, new CheckOptions()).SeriesAsync("agent", "core", Ct))!;

        // Then the first read the metrics to judge; the second read the outcomes only, and shows the same
        judging.WithMetrics.ShouldBe(1);
        judging.WithoutMetrics.ShouldBe(0);
        reading.WithMetrics.ShouldBe(0);
        reading.WithoutMetrics.ShouldBe(1);
        again.Verdict.Status.ShouldBe(first.Verdict.Status);
        again.Days.Select(d => (d.Day, d.Passes, d.Scored)).ShouldBe(first.Days.Select(d => (d.Day, d.Passes, d.Scored)));
    }

    /// <summary>A store that counts the history reads made through it, with and without metrics.</summary>
    public class HistoryReads : System.Reflection.DispatchProxy
    {
        private IResultStore _target = null!;

        public int WithMetrics { get; private set; }

        public int WithoutMetrics { get; private set; }

        public IResultStore Store { get; private set; } = null!;

        public static HistoryReads Counting(IResultStore target)
        {
            var store = Create<IResultStore, HistoryReads>();
            var counter = (HistoryReads)(object)store;
            counter._target = target;
            counter.Store = store;
            return counter;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IHistoryReader.GetHistoryAsync) && args is [_, _, bool withMetrics, _])
            {
                if (withMetrics)
                    WithMetrics++;
                else
                    WithoutMetrics++;
            }
            try
            {
                return targetMethod.Invoke(_target, args);
            }
            catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }
    }

    private static Trial Trial(long runId, string task, int sequence, TrialOutcome outcome) => new()
    {
        RunId = runId,
        TaskId = task,
        TrialIndex = 0,
        Sequence = sequence,
        Category = TaskCategory.Generation,
        Language = "python",
        Outcome = outcome,
        StartedAt = SeededDatabase.Start,
        FinishedAt = SeededDatabase.Start.AddSeconds(2),
        DurationMs = 2000,
    };
}
