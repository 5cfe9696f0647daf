using System.Collections.Immutable;
using Driftwatch.Core;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Storage.Tests.Sqlite;

/// <summary>
/// Verdicts judged once per change and kept (#20): read back while the history's runs and the
/// options are unchanged, judged again when either changes, whole (signals, trace, windows).
/// </summary>
public sealed class StoredVerdictTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 9, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly string[] Tasks = [.. Enumerable.Range(0, 10).Select(i => $"task-{i:00}")];
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new("stored-verdicts");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_verdict_with_signals_trace_and_windows_reads_back_whole()
    {
        // Given the verdict on 30 days whose output tokens fall from day 20
        using var store = SqliteResultStore.Open(_temp.Combine("dw.db"));
        await FillAsync(store, days: 30);
        var verdict = Checker.Check(await store.GetHistoryAsync("agent", "core", withMetrics: true, Ct), new CheckOptions());

        // When it is written as kept and read back
        var json = KeptVerdictJson.Serialize(verdict);
        var back = KeptVerdictJson.Deserialize(json).ShouldNotBeNull();

        // Then nothing is lost: the same JSON again, signals, trace and windows included
        verdict.Signals.ShouldNotBeEmpty();
        verdict.Trace.ShouldNotBeEmpty();
        verdict.TrackerWindows.ShouldNotBeEmpty();
        KeptVerdictJson.Serialize(back).ShouldBe(json);
        back.Trace.ShouldBe(verdict.Trace);
        back.Signals.Select(s => (s.Signal, s.Status, s.Statistic)).ShouldBe(verdict.Signals.Select(s => (s.Signal, s.Status, s.Statistic)));
        KeptVerdictJson.Deserialize("""{"agent": 3""").ShouldBeNull();
    }

    [Fact]
    public async Task A_kept_verdict_is_read_back_until_a_run_is_written_or_the_options_change()
    {
        // Given a history judged once, whose kept verdict is then marked (so that reading it back shows)
        using var store = SqliteResultStore.Open(_temp.Combine("dw.db"));
        var last = await FillAsync(store, days: 20);
        var options = new CheckOptions();
        var runs = await store.ListRunsAsync(new RunQuery("agent", "core"), Ct);
        var judged = await StoredVerdicts.GetOrJudgeAsync(store, "agent", "core", runs, options, TimeProvider.System, Ct);
        var kept = (await store.GetStoredVerdictAsync("agent", "core", Ct)).ShouldNotBeNull();
        kept.Key.ShouldBe(StoredVerdicts.Key(runs, options));
        await store.PutStoredVerdictAsync(kept with { Json = KeptVerdictJson.Serialize(judged with { RecentPassRate = 0.123 }) }, Ct);

        // When it is asked for again with nothing changed, with other options, and after a trial is written
        var again = await StoredVerdicts.GetOrJudgeAsync(store, "agent", "core", await store.ListRunsAsync(new RunQuery("agent", "core"), Ct), options, TimeProvider.System, Ct);
        var otherOptions = await StoredVerdicts.GetOrJudgeAsync(store, "agent", "core", runs, options with { BaselineDays = 10 }, TimeProvider.System, Ct);
        await store.PutStoredVerdictAsync(kept with { Json = KeptVerdictJson.Serialize(judged with { RecentPassRate = 0.123 }) }, Ct);
        await store.RecordTrialAsync(Trial(last.RunId, last.Planned, TrialOutcome.Pass, last.At, tokens: 200), [], null, Ct);
        var afterWrite = await StoredVerdicts.GetOrJudgeAsync(store, "agent", "core", await store.ListRunsAsync(new RunQuery("agent", "core"), Ct), options, TimeProvider.System, Ct);

        // Then the kept verdict is read back only while nothing changed
        again.RecentPassRate.ShouldBe(0.123);
        otherOptions.RecentPassRate.ShouldNotBe(0.123);
        otherOptions.BaselineDays.ShouldBeLessThanOrEqualTo(10);
        afterWrite.RecentPassRate.ShouldNotBe(0.123);
        (await store.GetStoredVerdictAsync("agent", "core", Ct))!.Key.ShouldNotBe(kept.Key);
    }

    [Fact]
    public async Task A_store_that_cannot_keep_the_verdict_still_gets_it_judged()
    {
        // Given a store whose verdicts cannot be written (a read-only file)
        using var store = SqliteResultStore.Open(_temp.Combine("dw.db"));
        await FillAsync(store, days: 10);
        var unwritable = new UnwritableVerdicts();

        // When a verdict is asked for
        var runs = await store.ListRunsAsync(new RunQuery("agent", "core"), Ct);
        var verdict = await StoredVerdicts.GetOrJudgeAsync(unwritable, "agent", "core", runs, new CheckOptions(), TimeProvider.System,
            token => store.GetHistoryAsync("agent", "core", withMetrics: true, token), Ct);

        // Then it is judged as the checker judges it, and nothing failed
        unwritable.Attempts.ShouldBe(1);
        KeptVerdictJson.Serialize(verdict).ShouldBe(KeptVerdictJson.Serialize(Checker.Check(await store.GetHistoryAsync("agent", "core", withMetrics: true, Ct), new CheckOptions())));
    }

    [Fact]
    public async Task A_verdict_judged_after_a_new_day_reuses_the_calibrations_the_store_kept()
    {
        // Given 21 complete days (a 22nd is still running, left out), judged once without the 21st
        using var store = SqliteResultStore.Open(_temp.Combine("dw.db"));
        await FillAsync(store, days: 22);
        var options = new CheckOptions();
        var all = await store.ListRunsAsync(new RunQuery("agent", "core"), Ct);
        var runs = all.OrderBy(r => r.Id).SkipLast(1).ToList();
        var read = await store.GetHistoryAsync("agent", "core", withMetrics: true, Ct);
        var history = read with { Runs = [.. read.Runs.Where(r => runs.Any(h => h.Id == r.Id))] };
        history.Runs.Count.ShouldBe(21);
        var counting = new CountingCalibrations(store);
        await StoredVerdicts.GetOrJudgeAsync(counting, "agent", "core", runs.SkipLast(1).ToList(), options, TimeProvider.System,
            _ => Task.FromResult(history with { Runs = [.. history.Runs.Where(r => r.Id != runs[^1].Id)] }), Ct);
        var (firstHits, firstPuts) = (counting.Hits, counting.Puts);

        // When the whole history (one more day, the same tasks) is judged
        var verdict = await StoredVerdicts.GetOrJudgeAsync(counting, "agent", "core", runs, options, TimeProvider.System, _ => Task.FromResult(history), Ct);

        // Then the first judgement kept its calibrations, the second read them all back and
        // simulated nothing, and its verdict is the one recalibrating gives
        firstHits.ShouldBe(0);
        firstPuts.ShouldBe(2);
        counting.Hits.ShouldBe(2);
        counting.Puts.ShouldBe(2);
        KeptVerdictJson.Serialize(verdict).ShouldBe(KeptVerdictJson.Serialize(Checker.Check(history, options)));
    }

    /// <summary>The store's verdicts and calibrations, counting the calibrations found and kept.</summary>
    private sealed class CountingCalibrations(SqliteResultStore inner) : IStoredVerdictStore, ICalibrationStore
    {
        public int Hits { get; private set; }
        public int Puts { get; private set; }

        public Task<StoredVerdict?> GetStoredVerdictAsync(string agent, string suite, CancellationToken cancellationToken = default) =>
            inner.GetStoredVerdictAsync(agent, suite, cancellationToken);

        public Task PutStoredVerdictAsync(StoredVerdict verdict, CancellationToken cancellationToken = default) => inner.PutStoredVerdictAsync(verdict, cancellationToken);

        public async Task<StoredCalibration?> GetCalibrationAsync(string key, CancellationToken cancellationToken = default)
        {
            var kept = await inner.GetCalibrationAsync(key, cancellationToken);
            if (kept is not null)
                Hits++;
            return kept;
        }

        public Task PutCalibrationAsync(StoredCalibration calibration, CancellationToken cancellationToken = default)
        {
            Puts++;
            return inner.PutCalibrationAsync(calibration, cancellationToken);
        }
    }

    private sealed class UnwritableVerdicts : IStoredVerdictStore
    {
        public int Attempts { get; private set; }

        public Task<StoredVerdict?> GetStoredVerdictAsync(string agent, string suite, CancellationToken cancellationToken = default) => Task.FromResult<StoredVerdict?>(null);

        public Task PutStoredVerdictAsync(StoredVerdict verdict, CancellationToken cancellationToken = default)
        {
            Attempts++;
            throw new InvalidInputException("dw.db: cannot write to the database: read-only");
        }
    }

    /// <summary>Days of one run each of 10 tasks, output tokens down 40% from day 20; the last run's last trial left pending.</summary>
    private static async Task<(long RunId, PlannedTrial Planned, DateTimeOffset At)> FillAsync(SqliteResultStore store, int days)
    {
        var rng = new Rng(5);
        var owner = new RunOwner("elsewhere", 1, Start);
        (long, PlannedTrial, DateTimeOffset) pending = default;
        for (var day = 0; day < days; day++)
        {
            var started = Start.AddDays(day);
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
                Seed = day,
                SandboxMode = "none",
                Trials = [.. Tasks.Select((t, i) => new PlannedTrial(t, 0, i, TaskCategory.Generation, "python"))],
            };
            var runId = await store.CreateRunAsync(plan, new RunFingerprint { AgentVersion = "1.0", Models = ImmutableArray.Create("model-a") }, started, owner, Ct);
            foreach (var planned in plan.Trials)
            {
                if (day == days - 1 && planned.Sequence == Tasks.Length - 1)
                {
                    pending = (runId, planned, started);
                    continue;
                }
                var tokens = (200 + 20 * planned.Sequence) * (day >= 20 ? 0.6 : 1.0) * Math.Exp(0.1 * rng.NextNormal());
                await store.RecordTrialAsync(Trial(runId, planned, rng.NextDouble() < 0.7 ? TrialOutcome.Pass : TrialOutcome.Fail, started, Math.Round(tokens)), [], null, Ct);
            }
            if (day < days - 1)
                await store.FinishRunAsync(runId, RunStatus.Complete, started.AddMinutes(5), Ct);
        }
        return pending;
    }

    private static Trial Trial(long runId, PlannedTrial planned, TrialOutcome outcome, DateTimeOffset at, double tokens) => new()
    {
        RunId = runId,
        TaskId = planned.TaskId,
        TrialIndex = planned.TrialIndex,
        Sequence = planned.Sequence,
        Category = planned.Category,
        Language = planned.Language,
        Outcome = outcome,
        StartedAt = at,
        FinishedAt = at.AddSeconds(2),
        DurationMs = 2000,
        Metrics = MetricDictionary.Of([KeyValuePair.Create("outputTokens", tokens)]),
    };
}
