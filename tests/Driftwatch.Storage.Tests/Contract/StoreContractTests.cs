using Driftwatch.Core;
using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Driftwatch.Core.Stores;
using Driftwatch.Core.Suites;
using Driftwatch.Testing;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace Driftwatch.Storage.Tests.Contract;

/// <summary>
/// What every store must do, whatever holds the data: a store passes by deriving from this class
/// and saying how to open it. Each test gets fresh, empty storage; <see cref="Open"/> called again
/// in one test opens another instance on the same data (a second process, a second worker).
/// </summary>
public abstract partial class StoreContractTests : IDisposable
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);

    /// <summary>A process on another machine: never provably dead from here, only its lease frees its runs.</summary>
    private static readonly RunOwner Remote = new("contract-remote-host", 4242, Start);

    private static readonly RunOwner Resumer = new("contract-resumer-host", 7, Start);

    protected TempDirectory Temp { get; } = new("contract");

    /// <summary>The clock of leases and of everything the store stamps itself.</summary>
    protected FakeTimeProvider Time { get; } = new(Start);

    /// <summary>
    /// Opens the storage of this test. <paramref name="isOwnerAlive"/> stands for the check whether
    /// an owner is a live process (null: the real one, under which an owner on another machine is
    /// alive and only its lease can run out).
    /// </summary>
    protected abstract DriftwatchStore Open(Func<RunOwner, bool>? isOwnerAlive = null);

    public virtual void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    private static RunPlan Plan(int tasks = 3, int k = 2, string agent = "contract-agent") => new()
    {
        AgentName = agent,
        AgentKind = "simulated",
        AgentConfigJson = """{"name":"contract-agent","kind":"simulated","options":{}}""",
        Synthetic = true,
        SuiteName = "mini",
        SuitePath = "/suites/mini",
        SuiteRevision = new string('c', 64),
        TrialsPerTask = k,
        Seed = 42,
        SandboxMode = "none",
        Trials = [.. Enumerable.Range(0, tasks).SelectMany(t => Enumerable.Range(0, k).Select(i => new PlannedTrial($"task-{t}", i, t * k + i, TaskCategory.Generation, "python")))],
    };

    private static Trial Finished(long runId, PlannedTrial planned, TrialOutcome outcome, DateTimeOffset? at = null) => new()
    {
        RunId = runId,
        TaskId = planned.TaskId,
        TrialIndex = planned.TrialIndex,
        Sequence = planned.Sequence,
        Category = planned.Category,
        Language = planned.Language,
        Outcome = outcome,
        TestsPassed = outcome == TrialOutcome.Pass ? 3 : 1,
        TestsTotal = 3,
        StartedAt = at ?? Start,
        FinishedAt = (at ?? Start).AddSeconds(2),
        DurationMs = 2000,
        AgentDurationMs = 1500,
        TestDurationMs = 400,
        Usage = new AgentUsage { InputTokens = 100, OutputTokens = 20, CostUsd = 0.001m, Turns = 2 },
        AgentVersion = "contract 1.0",
        Model = "contract-model",
        ErrorKind = outcome == TrialOutcome.Error ? "api-529" : null,
        Attempts = 1,
    };

    [Fact]
    public async Task A_new_run_has_every_planned_trial_pending_in_its_order()
    {
        // Given an empty store
        using var store = Open();
        var plan = Plan();

        // When a run is created
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);

        // Then every planned trial is pending, in the planned order, and none is finished
        (await store.Trials.GetPendingTrialsAsync(runId)).ShouldBe(plan.Trials);
        (await store.Trials.GetTrialsAsync(runId)).ShouldBeEmpty();
        var header = (await store.Runs.GetRunAsync(runId)).ShouldNotBeNull();
        header.PlannedTrials.ShouldBe(6);
        header.Summary.Pending.ShouldBe(6);
    }

    [Fact]
    public async Task A_recorded_trial_is_no_longer_pending_and_reads_back_equal_with_its_artifacts()
    {
        // Given a run
        using var store = Open();
        var plan = Plan();
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        var trial = Finished(runId, plan.Trials[2], TrialOutcome.Pass);

        // When one trial is recorded with its diff
        var result = await store.Trials.RecordTrialAsync(trial, [new TrialArtifact(ArtifactKind.Diff, "+ fixed ✓")]);

        // Then it is recorded, reads back field for field, and only the others are pending
        result.ShouldBe(RecordResult.Recorded);
        (await store.Trials.GetTrialsAsync(runId)).ShouldHaveSingleItem().ShouldBe(trial);
        (await store.Trials.GetPendingTrialsAsync(runId)).ShouldBe(plan.Trials.RemoveAt(2));
        (await store.Trials.GetArtifactAsync(runId, trial.Key, ArtifactKind.Diff)).ShouldBe("+ fixed ✓");
    }

    [Fact]
    public async Task Recording_the_same_trial_twice_keeps_one_row_and_the_first_recording()
    {
        // Given a trial recorded as a pass
        using var store = Open();
        var plan = Plan();
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        var first = Finished(runId, plan.Trials[0], TrialOutcome.Pass);
        await store.Trials.RecordTrialAsync(first, [new TrialArtifact(ArtifactKind.TestOutput, "first")]);

        // When the same trial is delivered again, finished otherwise
        var again = await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Fail), [new TrialArtifact(ArtifactKind.TestOutput, "second")]);

        // Then nothing changed: one row, the first outcome and the first artifact
        again.ShouldBe(RecordResult.AlreadyRecorded);
        (await store.Trials.GetTrialsAsync(runId)).ShouldHaveSingleItem().ShouldBe(first);
        (await store.Trials.GetArtifactAsync(runId, first.Key, ArtifactKind.TestOutput)).ShouldBe("first");
        (await store.Runs.GetRunAsync(runId))!.Summary.ShouldBe(new RunSummary(Total: 1, Pass: 1, Fail: 0, Timeout: 0, Error: 0, Pending: 5));
    }

    [Fact]
    public async Task A_trials_metrics_read_back_equal_and_a_second_recording_does_not_rewrite_them()
    {
        // Given a trial recorded with two metrics, one of them fractional
        using var store = Open();
        var plan = Plan();
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        var trial = Finished(runId, plan.Trials[1], TrialOutcome.Pass) with { Metrics = MetricDictionary.Of([new("durationMs", 2000), new("passShare", 0.125)]) };
        await store.Trials.RecordTrialAsync(trial, []);

        // When the same trial is delivered again with other metrics
        var again = await store.Trials.RecordTrialAsync(trial with { Metrics = MetricDictionary.Of([new("durationMs", 9)]) }, []);

        // Then the metrics read back equal to the first recording's, name for name
        again.ShouldBe(RecordResult.AlreadyRecorded);
        var read = (await store.Trials.GetTrialsAsync(runId)).ShouldHaveSingleItem();
        read.Metrics.ShouldBe(trial.Metrics);
        read.ShouldBe(trial);
    }

    [Fact]
    public async Task A_retried_trials_new_recording_keeps_only_its_own_metrics()
    {
        // Given a trial in infrastructure error recorded with a metric
        using var store = Open();
        var plan = Plan(1, 1);
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Error) with { Metrics = MetricDictionary.Of([new("stale", 1)]) }, []);

        // When it is run again and recorded with another
        var redone = Finished(runId, plan.Trials[0], TrialOutcome.Pass) with { Metrics = MetricDictionary.Of([new("durationMs", 2000)]) };
        await store.Trials.RecordTrialAsync(redone, []);

        // Then only the new recording's metrics are read back
        (await store.Trials.GetTrialsAsync(runId)).ShouldHaveSingleItem().Metrics.ShouldBe(redone.Metrics);
    }

    [Fact]
    public async Task A_trial_in_infrastructure_error_is_pending_again_and_its_new_recording_replaces_the_error()
    {
        // Given a trial whose last attempt was an infrastructure error
        using var store = Open();
        var plan = Plan(1, 1);
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Error), []);
        (await store.Trials.GetPendingTrialsAsync(runId)).ShouldBe(plan.Trials);

        // When it is run again and recorded
        var redone = Finished(runId, plan.Trials[0], TrialOutcome.Pass);
        var result = await store.Trials.RecordTrialAsync(redone, []);

        // Then the new outcome replaces the error and nothing is pending
        result.ShouldBe(RecordResult.Recorded);
        (await store.Trials.GetTrialsAsync(runId)).ShouldHaveSingleItem().ShouldBe(redone);
        (await store.Trials.GetPendingTrialsAsync(runId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_interrupted_run_whose_owner_died_is_claimed_and_resumed_to_complete_with_each_trial_once()
    {
        // Given a run whose owner died (provably) after two of its four trials
        var died = new RunOwner("contract-local-host", 1, Start);
        using var store = Open(owner => owner != died);
        var plan = Plan(2, 2);
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, died);
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass), []);
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[1], TrialOutcome.Fail), []);

        // When it is found, claimed at once (no lease to wait for) and its pending trials finished
        (await store.Runs.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Incomplete);
        (await store.Runs.FindLatestResumableRunAsync()).ShouldBe(runId);
        await store.Runs.ClaimRunAsync(runId, Resumer);
        var pending = await store.Trials.GetPendingTrialsAsync(runId);
        foreach (var trial in pending)
            await store.Trials.RecordTrialAsync(Finished(runId, trial, TrialOutcome.Pass), []);
        await store.Runs.FinishRunAsync(runId, RunStatus.Complete, Start.AddMinutes(5));

        // Then exactly the missing trials ran, the run has each planned trial once and nothing to resume
        pending.ShouldBe(plan.Trials[2..]);
        (await store.Trials.GetTrialsAsync(runId)).Select(t => t.Key).ShouldBe(plan.Trials.Select(t => new TrialKey(t.TaskId, t.TrialIndex)));
        (await store.Runs.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Complete);
        (await store.Runs.FindLatestResumableRunAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task A_run_under_a_live_lease_cannot_be_claimed()
    {
        // Given a run of an owner on another machine that renewed its lease a moment ago
        using var store = Open();
        var runId = await store.Runs.CreateRunAsync(Plan(), new RunFingerprint(), Start, Remote);
        Time.Advance(RunLease.Length - TimeSpan.FromSeconds(10));
        (await store.Runs.RenewLeaseAsync(runId, Remote)).ShouldBeTrue();
        Time.Advance(RunLease.Length - TimeSpan.FromSeconds(10));

        // When another owner tries to take it over
        Func<Task> claim = () => store.Runs.ClaimRunAsync(runId, Resumer);

        // Then it is refused, and the run stays running and not resumable
        (await Should.ThrowAsync<InvalidInputException>(claim)).Message.ShouldContain("still running");
        (await store.Runs.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Running);
        (await store.Runs.FindLatestResumableRunAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task A_run_whose_lease_expired_is_claimed_by_another_owner_and_its_first_owner_loses_it()
    {
        // Given a run of an owner on another machine that stopped beating
        using var store = Open();
        var plan = Plan();
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);

        (await store.Runs.GetOwnerAsync(runId)).ShouldBe(Remote);
        (await store.Runs.GetOwnerAsync(runId + 1)).ShouldBeNull();

        // When its lease runs out and another owner claims it
        Time.Advance(RunLease.Length + TimeSpan.FromSeconds(1));
        (await store.Runs.FindLatestResumableRunAsync()).ShouldBe(runId);
        await store.Runs.ClaimRunAsync(runId, Resumer);

        // Then it is the new owner's: running, named as its owner, its heartbeat accepted, the old owner's refused
        (await store.Runs.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Running);
        (await store.Runs.GetOwnerAsync(runId)).ShouldBe(Resumer);
        (await store.Runs.RenewLeaseAsync(runId, Resumer)).ShouldBeTrue();
        (await store.Runs.RenewLeaseAsync(runId, Remote)).ShouldBeFalse();
        (await store.Trials.GetPendingTrialsAsync(runId)).ShouldBe(plan.Trials);
    }

    [Fact]
    public async Task Two_writers_recording_different_trials_of_one_run_at_once_lose_nothing()
    {
        // Given one run and two store instances on the same data (two workers)
        using var first = Open();
        using var second = Open();
        var plan = Plan(20, 2);
        var runId = await first.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);

        // When each records half of the trials, in parallel
        Task RecordAsync(DriftwatchStore store, int parity) => Parallel.ForEachAsync(
            plan.Trials.Where(t => t.Sequence % 2 == parity), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (trial, token) => (await store.Trials.RecordTrialAsync(Finished(runId, trial, TrialOutcome.Pass), [new TrialArtifact(ArtifactKind.Diff, trial.TaskId)], null, token))
                .ShouldBe(RecordResult.Recorded));
        await Task.WhenAll(RecordAsync(first, 0), RecordAsync(second, 1));

        // Then every trial is there once, with its artifact, as both instances see it
        foreach (var store in new[] { first, second })
        {
            (await store.Trials.GetTrialsAsync(runId)).Select(t => $"{t.TaskId}#{t.TrialIndex}").Order(StringComparer.Ordinal)
                .ShouldBe(plan.Trials.Select(t => $"{t.TaskId}#{t.TrialIndex}").Order(StringComparer.Ordinal));
            (await store.Trials.GetPendingTrialsAsync(runId)).ShouldBeEmpty();
        }
        (await second.Trials.GetArtifactAsync(runId, new TrialKey("task-19", 1), ArtifactKind.Diff)).ShouldBe("task-19");
    }

    [Fact]
    public async Task Two_writers_recording_the_same_trial_at_once_store_it_once()
    {
        // Given one pending trial and two store instances (a job delivered twice)
        using var first = Open();
        using var second = Open();
        var plan = Plan(1, 1);
        var runId = await first.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);

        // When both record it at the same moment, with different outcomes
        var results = await Task.WhenAll(
            Task.Run(() => first.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass), [])),
            Task.Run(() => second.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Fail), [])));

        // Then exactly one recording won, and the stored trial is the winner's
        results.Count(r => r == RecordResult.Recorded).ShouldBe(1);
        results.Count(r => r == RecordResult.AlreadyRecorded).ShouldBe(1);
        var stored = (await first.Trials.GetTrialsAsync(runId)).ShouldHaveSingleItem();
        stored.Outcome.ShouldBe(results[0] == RecordResult.Recorded ? TrialOutcome.Pass : TrialOutcome.Fail);
    }

    [Fact]
    public async Task History_returns_each_run_of_the_agent_on_the_suite_with_what_was_recorded_oldest_first()
    {
        // Given three days of runs of one agent (stored out of order) and a run of another agent
        using var store = Open();
        var days = new[] { 2, 0, 1 };
        var ids = new Dictionary<int, long>();
        foreach (var day in days)
        {
            var plan = Plan(2, 1);
            var at = Start.AddDays(day);
            var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), at, Remote);
            ids[day] = runId;
            await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass, at), []);
            await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[1], day == 2 ? TrialOutcome.Fail : TrialOutcome.Pass, at), []);
            await store.Runs.FinishRunAsync(runId, RunStatus.Complete, at.AddMinutes(1));
        }
        await store.Runs.CreateRunAsync(Plan(2, 1, agent: "someone-else"), new RunFingerprint(), Start, Remote);

        // When its history is read
        var history = await store.History.GetHistoryAsync("contract-agent", "mini");

        // Then it has the agent's three runs, oldest first, with their days and outcomes
        history.Runs.Select(r => r.Id).ShouldBe([ids[0], ids[1], ids[2]]);
        history.Runs.Select(r => r.Day).ShouldBe([.. Enumerable.Range(0, 3).Select(d => DateOnly.FromDateTime(Start.AddDays(d).UtcDateTime))]);
        history.Runs[2].Trials.OrderBy(t => t.TaskId).ShouldBe([("task-0", TrialOutcome.Pass), ("task-1", TrialOutcome.Fail)]);
        history.Runs[0].Trials.ShouldAllBe(t => t.Outcome == TrialOutcome.Pass);
    }

    [Fact]
    public async Task History_read_with_metrics_carries_every_metric_of_every_recorded_trial_by_name()
    {
        // Given a run whose two trials carry metrics, one of them a name no code knows yet
        using var store = Open();
        var plan = Plan(2, 1);
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass) with { Metrics = MetricDictionary.Of([new("durationMs", 1500), new("lintFindings", 3)]) }, []);
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[1], TrialOutcome.Fail) with { Metrics = MetricDictionary.Of([new("durationMs", 900)]) }, []);

        // When the history is read with its metrics
        var run = (await store.History.GetHistoryAsync("contract-agent", "mini", withMetrics: true)).Runs.ShouldHaveSingleItem();

        // Then each trial's metrics are there, under their own names, with no schema of their own
        run.Metrics.OrderBy(m => m.TaskId).Select(m => (m.TaskId, m.TrialIndex, m.Metrics)).ShouldBe([
            ("task-0", 0, MetricDictionary.Of([new("durationMs", 1500), new("lintFindings", 3)])),
            ("task-1", 0, MetricDictionary.Of([new("durationMs", 900)])),
        ]);
        // and a read for outcomes alone leaves them out
        (await store.History.GetHistoryAsync("contract-agent", "mini")).Runs.ShouldHaveSingleItem().Metrics.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_schedule_slot_is_claimed_once_and_never_runs_again_once_done()
    {
        // Given a slot claimed by a live scheduler
        using var store = Open();
        var slot = Start.AddHours(1);
        var first = await store.Schedule.ClaimSlotAsync("nightly", slot, Remote, slot);

        // When another scheduler claims it while it runs, and after it finished
        var whileRunning = await store.Schedule.ClaimSlotAsync("nightly", slot, Resumer, slot.AddMinutes(1));
        await store.Schedule.FinishSlotAsync("nightly", slot, SlotStatus.Complete, null, slot.AddMinutes(5));
        var afterwards = await store.Schedule.ClaimSlotAsync("nightly", slot, Resumer, slot.AddMinutes(6));

        // Then only the first claim won; the slot is stored once, complete
        first.Result.ShouldBe(ClaimResult.New);
        whileRunning.Result.ShouldBe(ClaimResult.Busy);
        afterwards.Result.ShouldBe(ClaimResult.Done);
        (await store.Schedule.ListSlotsAsync("nightly")).ShouldHaveSingleItem().Status.ShouldBe(SlotStatus.Complete);
    }

    [Fact]
    public async Task An_alert_about_a_run_is_recorded_once_per_event()
    {
        // Given a run
        using var store = Open();
        var runId = await store.Runs.CreateRunAsync(Plan(), new RunFingerprint(), Start, Remote);
        var alert = new Alert { Event = "incomplete-run", Agent = "contract-agent", Suite = "mini", RunId = runId, At = Start };

        // When the same alert is raised twice (a run closed again after a crash), and another event once
        var firstId = await store.Alerts.AddRunAlertOnceAsync(alert);
        var secondId = await store.Alerts.AddRunAlertOnceAsync(alert with { At = Start.AddMinutes(1) });
        var otherId = await store.Alerts.AddRunAlertOnceAsync(alert with { Event = "suspect-trials" });

        // Then the first is stored, the repeat is not, the other event is
        firstId.ShouldNotBeNull();
        secondId.ShouldBeNull();
        otherId.ShouldNotBeNull();
        var alerts = await store.Alerts.ListAlertsAsync();
        alerts.Select(a => a.Event).ShouldBe(["incomplete-run", "suspect-trials"]);
        alerts[0].CreatedAt.ShouldBe(Start);
    }

    [Fact]
    public async Task A_verdict_state_keeps_its_behaviour_alarms_and_its_alerts_in_order()
    {
        // Given no verdict recorded yet
        using var store = Open();
        (await store.Alerts.GetVerdictStateAsync("contract-agent", "mini")).ShouldBeNull();

        // When a verdict with an output-token alarm is recorded with two alerts, then one without any alarm
        var alert = new Alert { Event = AlertEvents.Recovered, Agent = "contract-agent", Suite = "mini", At = Start };
        var ids = await store.Alerts.RecordVerdictAsync("contract-agent", "mini", new VerdictState(VerdictStatus.Warning, ["outputTokens down", "turns up"]),
            Start, [alert, alert with { Event = AlertEvents.Changed }]);
        var withAlarms = await store.Alerts.GetVerdictStateAsync("contract-agent", "mini");
        await store.Alerts.RecordVerdictAsync("contract-agent", "mini", new VerdictState(VerdictStatus.Ok, []), Start.AddDays(1), []);
        var without = await store.Alerts.GetVerdictStateAsync("contract-agent", "mini");

        // Then each reads back as recorded, and the alerts are stored in the order given
        ids.Count.ShouldBe(2);
        withAlarms!.Status.ShouldBe(VerdictStatus.Warning);
        withAlarms.BehaviourAlarms.ShouldBe(["outputTokens down", "turns up"]);
        without!.Status.ShouldBe(VerdictStatus.Ok);
        without.BehaviourAlarms.ShouldBeEmpty();
        (await store.Alerts.ListAlertsAsync()).Select(a => a.Event).ShouldBe([AlertEvents.Recovered, AlertEvents.Changed]);
    }
}
