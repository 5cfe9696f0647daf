using System.Reflection;
using System.Runtime.ExceptionServices;
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
        var plan = TwoTaskPlan();
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
    public async Task Runs_are_listed_once_while_nothing_is_written_but_again_while_one_is_running()
    {
        // Given a run held by a live owner, behind a store that counts the listings of whole histories
        var alive = true;
        using var sqlite = SqliteResultStore.Open(_temp.Combine("dw.db"), isOwnerAlive: _ => alive);
        var (store, counter) = CountingStore.Wrap(sqlite);
        var owner = new RunOwner("elsewhere", 1, SeededDatabase.Start);
        var plan = TwoTaskPlan();
        var runId = await sqlite.CreateRunAsync(plan, new RunFingerprint(), SeededDatabase.Start, owner);
        await sqlite.RecordTrialAsync(Trial(runId, "a", 0, TrialOutcome.Pass), []);
        var reader = new DashboardReader(store, new CheckOptions());

        // When the overview is read while the run is running, after its owner died, again, and after a write
        var running = (await reader.OverviewAsync(Ct)).ShouldHaveSingleItem();
        var runningAgain = (await reader.OverviewAsync(Ct)).ShouldHaveSingleItem();
        var whileRunning = counter.Listings;
        alive = false;
        var dead = (await reader.OverviewAsync(Ct)).ShouldHaveSingleItem();
        var deadAgain = (await reader.OverviewAsync(Ct)).ShouldHaveSingleItem();
        var series = await reader.SeriesAsync("agent", "core", Ct);
        var afterDeath = counter.Listings;
        await sqlite.RecordTrialAsync(Trial(runId, "b", 1, TrialOutcome.Fail), []);
        var afterWrite = (await reader.OverviewAsync(Ct)).ShouldHaveSingleItem();
        await reader.OverviewAsync(Ct);

        // Then a running run is listed on every read; a listing without one is read once per write, and shows it
        (running.Latest.Status, runningAgain.Latest.Status).ShouldBe((RunStatus.Running, RunStatus.Running));
        whileRunning.ShouldBe(2);
        (dead.Latest.Status, deadAgain.Latest.Status).ShouldBe((RunStatus.Incomplete, RunStatus.Incomplete));
        series.ShouldBeSameAs(deadAgain);
        afterDeath.ShouldBe(4);
        afterWrite.Days.ShouldHaveSingleItem().Scored.ShouldBe(2);
        counter.Listings.ShouldBe(5);
    }

    [Fact]
    public async Task A_series_or_suite_page_reads_its_trials_once_per_write_to_its_runs_whatever_its_window_and_draws_its_chart_once()
    {
        // Given the seeded history behind a store that counts the reads of a run's trials
        using var temp = new TempDirectory("dashboard-page-cache");
        var path = temp.Combine("dw.db");
        await SeededDatabase.WriteAsync(path, days: 3);
        using var sqlite = SqliteResultStore.Open(path);
        var (store, counter) = CountingStore.Wrap(sqlite);
        var reader = new DashboardReader(store, new CheckOptions());

        // When its page is read, again, in its 7-day view, with a filter, and after a run is added
        var first = (await reader.SeriesPageAsync(SeededDatabase.Agent, SeededDatabase.Suite, EvidenceFilter.All, Ct))!;
        var once = counter.TrialReads;
        var again = (await reader.SeriesPageAsync(SeededDatabase.Agent, SeededDatabase.Suite, EvidenceFilter.All, Ct))!;
        var weekly = (await reader.SeriesPageAsync(SeededDatabase.Agent, SeededDatabase.Suite, EvidenceFilter.All with { Window = 7 }, Ct))!;
        var unchanged = counter.TrialReads;
        var failing = (await reader.SeriesPageAsync(SeededDatabase.Agent, SeededDatabase.Suite, EvidenceFilter.All with { Outcome = TrialOutcome.Fail }, Ct))!;
        var filtered = counter.TrialReads;
        await SeededDatabase.WriteRunAsync(sqlite, SeededDatabase.Agent, 3, new Driftwatch.Core.Statistics.Rng(5), new RunOwner("elsewhere", 1, SeededDatabase.Start));
        var afterWrite = (await reader.SeriesPageAsync(SeededDatabase.Agent, SeededDatabase.Suite, EvidenceFilter.All, Ct))!;

        // Then the trials are read once per run for each filter and state, and the page shows the write
        once.ShouldBe(3);
        again.Tasks.ShouldBe(first.Tasks);
        weekly.Filter.Window.ShouldBe(7);
        unchanged.ShouldBe(once);
        filtered.ShouldBe(once + 3);
        failing.Tasks.Count.ShouldBeLessThan(first.Tasks.Count);
        counter.TrialReads.ShouldBe(filtered + 4);
        afterWrite.Runs.Count.ShouldBe(4);
        afterWrite.Usage.Sum(u => u.Trials).ShouldBe(40);
        (await reader.SuitePageAsync(SeededDatabase.Suite, EvidenceFilter.All, Ct))!.Agents.ShouldHaveSingleItem().Tasks.Values.Sum(t => t.Passes + t.Fails + t.Timeouts + t.Errors).ShouldBe(40);
        var beforeSuiteAgain = counter.TrialReads;
        (await reader.SuitePageAsync(SeededDatabase.Suite, EvidenceFilter.All, Ct))!.Agents.ShouldHaveSingleItem();
        counter.TrialReads.ShouldBe(beforeSuiteAgain);
        beforeSuiteAgain.ShouldBe(filtered + 8);
        Charts.SvgCharts.PassRate(afterWrite.Series).ShouldBeSameAs(Charts.SvgCharts.PassRate(afterWrite.Series));
        Charts.SvgCharts.PassRate(first.Series).ShouldNotBe(Charts.SvgCharts.PassRate(afterWrite.Series));
    }

    /// <summary>A store that counts the listings of every run of a query (no limit), and the reads of a run's trials, it passes on.</summary>
    public class CountingStore : DispatchProxy
    {
        private IResultStore _inner = null!;

        public int Listings { get; private set; }

        public int TrialReads { get; private set; }

        public static (IResultStore Store, CountingStore Counter) Wrap(IResultStore inner)
        {
            var store = Create<IResultStore, CountingStore>();
            var counter = (CountingStore)(object)store;
            counter._inner = inner;
            return (store, counter);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IRunStore.ListRunsAsync) && args?[0] is RunQuery { Limit: null })
                Listings++;
            if (targetMethod.Name == nameof(ITrialStore.GetTrialsAsync))
                TrialReads++;
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
            {
                ExceptionDispatchInfo.Throw(inner);
                throw;
            }
        }
    }

    [Fact]
    public async Task A_series_whose_verdict_is_kept_is_derived_without_reading_the_trials_metrics()
    {
        // Given a run whose trials carry metrics, its series derived once (which judges it and keeps the verdict)
        using var store = SqliteResultStore.Open(_temp.Combine("kept.db"));
        var plan = TwoTaskPlan();
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

    /// <summary>One run of tasks a and b, one trial each, of agent on core.</summary>
    private static RunPlan TwoTaskPlan() => new()
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
