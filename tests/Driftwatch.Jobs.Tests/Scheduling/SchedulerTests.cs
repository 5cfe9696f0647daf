using Driftwatch.Core.Alerts;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Driftwatch.Jobs.Scheduling;
using Shouldly;

namespace Driftwatch.Jobs.Tests.Scheduling;

/// <summary>
/// The scheduler on a fake clock: real runs of a simulated agent on a small real suite, a real
/// SQLite file, alerts to a receiver on 127.0.0.1; days pass when the test moves the clock.
/// </summary>
public sealed class SchedulerTests
{
    private static readonly DateTimeOffset March1 = new(2026, 3, 1, 5, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset SlotOfDay(int day) => new(2026, 3, day, 6, 0, 0, TimeSpan.Zero);

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Fact]
    public async Task Twelve_days_on_a_fake_clock_run_every_slot_once_across_restarts_and_alert_once_when_the_drop_is_detected()
    {
        // Given a daily 06:00 schedule of a simulated agent that loses 50 points from day 8 (4 tasks, 2 trials each)
        const int days = 12;
        var dropDay = new DateOnly(2026, 3, 8);
        await using var world = await ScheduleWorld.CreateAsync(tasks: 4, March1);
        var job = world.Job(ScheduleWorld.Agent("sim", skill: 0.85, dropFrom: dropDay, drop: 0.5), trials: 2);
        world.Start(world.Scheduler([job]));
        (await world.NextAsync<WaitingForSlot>()).Next.ShouldBe(SlotOfDay(1));

        // When the clock walks twelve days, the scheduler restarted (a new instance on the same database) after day 5
        var verdicts = new Dictionary<int, VerdictStatus>();
        var runIds = new Dictionary<int, long>();
        Log("day         slot  run  pass  verdict   alert");
        for (var day = 1; day <= days; day++)
        {
            if (day == 6)
            {
                (await world.StopAsync()).ShouldBeFalse("stopped while idle: nothing was interrupted");
                var eventsBefore = world.Events.Count;
                world.Start(world.Scheduler([job]));
                (await world.NextAsync<WaitingForSlot>()).Next.ShouldBe(SlotOfDay(6));
                world.Events.Skip(eventsBefore).OfType<SlotStarted>().ShouldBeEmpty("day 5's slot already ran");
                Log($"            restart (new scheduler, same database): day 5's slot already ran; waiting for {SlotOfDay(6):MM-dd HH:mm}");
            }
            var alertsBefore = world.Events.OfType<AlertDelivered>().Count();
            await world.MoveClockTo(SlotOfDay(day));
            var finished = await world.NextAsync<SlotFinished>();
            var waiting = await world.NextAsync<WaitingForSlot>();
            waiting.Next.ShouldBe(SlotOfDay(day).AddDays(1));
            var header = finished.Run.Header;
            finished.Slot.ShouldBe(SlotOfDay(day));
            DateOnly.FromDateTime(header.StartedAt.UtcDateTime).ShouldBe(DateOnly.FromDateTime(SlotOfDay(day).UtcDateTime));
            verdicts[day] = finished.Verdict.Status;
            runIds[day] = header.Id;
            var alert = world.Events.OfType<AlertDelivered>().Skip(alertsBefore).Select(a => a.Delivery.Alert.Event).FirstOrDefault();
            Log($"{SlotOfDay(day):yyyy-MM-dd} {SlotOfDay(day):HH:mm} {header.Id,4} {header.Summary.Pass,2}/{header.Summary.Scored}  {finished.Verdict.Status.ToString().ToLowerInvariant(),-9} {alert ?? "–",-9} {string.Join(", ", finished.Verdict.TriggeredBy)}");
        }

        // Then every slot ran exactly once, each in its own run on its own day
        var slots = await world.Store.ListSlotsAsync();
        slots.Select(s => s.Slot).ShouldBe(Enumerable.Range(1, days).Select(SlotOfDay));
        slots.ShouldAllBe(s => s.Status == SlotStatus.Complete);
        slots.Select(s => s.RunId).Distinct().Count().ShouldBe(days);
        (await world.Store.ListRunsAsync(new RunQuery())).Count.ShouldBe(days);

        // And the verdict is insufficient while the history is too short to judge (and alerts nothing),
        // not degraded before the drop, and degraded once it is detected, within five days of it (a
        // week's baseline of 8 trials a day: the pass rate's limit holds the ARL0 for this baseline,
        // raised by at most two days of evidence, and its share of the budget is half, since the
        // trials' time and tokens are watched too)
        verdicts.Where(v => v.Key < CheckOptions.MinimumDays).ShouldAllBe(v => v.Value == VerdictStatus.Insufficient);
        verdicts.Where(v => v.Key >= CheckOptions.MinimumDays).ShouldAllBe(v => v.Value != VerdictStatus.Insufficient);
        var firstDegraded = verdicts.Where(v => v.Value == VerdictStatus.Degraded).Select(v => v.Key).DefaultIfEmpty(int.MaxValue).Min();
        firstDegraded.ShouldBeInRange(dropDay.Day, dropDay.Day + 4);
        verdicts.Where(v => v.Key < dropDay.Day).ShouldAllBe(v => v.Value != VerdictStatus.Degraded);

        // And exactly one degraded alert fired, on that day, and reached the receiver and the console.
        // The simulated agent gives up more often once it is worse, and a give-up makes no tool call
        // and writes fewer tokens: that behaviour change may alarm before the pass rate does, and is
        // then told once, as changed, before the degradation.
        var all = world.Events.OfType<AlertDelivered>().ToList();
        all.Select(a => a.Delivery.Alert.Event).Where(e => e != AlertEvents.Changed).ShouldBe([AlertEvents.Degraded]);
        all.Count(a => a.Delivery.Alert.Event == AlertEvents.Changed).ShouldBeLessThanOrEqualTo(1);
        all.Where(a => a.Delivery.Alert.Event == AlertEvents.Changed).ShouldAllBe(a => a.Delivery.Alert.Slot < SlotOfDay(firstDegraded));
        var delivered = all.Where(a => a.Delivery.Alert.Event == AlertEvents.Degraded).ToList();
        var sent = delivered[0].Delivery.Alert;
        sent.RunId.ShouldBe(runIds[firstDegraded]);
        sent.Slot.ShouldBe(SlotOfDay(firstDegraded));
        sent.Effect!.Value.ShouldBeLessThan(0);
        sent.Low!.Value.ShouldBeLessThan(sent.High!.Value);
        sent.ChangeDay!.Value.ShouldBeGreaterThanOrEqualTo(dropDay.AddDays(-1));
        sent.FlippedTasks.ShouldNotBeEmpty();
        sent.DashboardUrl.ShouldBe($"http://127.0.0.1:5170/runs/{runIds[firstDegraded]}");
        delivered[0].Delivery.Results.ShouldAllBe(r => r.Delivered);
        world.Receiver.Requests.Count.ShouldBe(all.Count);
        var request = world.Receiver.Requests.Single(r => r.Body!["event"]!.GetValue<string>() == "degraded");
        request.Path.ShouldBe("/alerts");
        request.Body!["previousVerdict"]!.GetValue<string>().ShouldBe(Alert.Name(verdicts[firstDegraded - 1]));
        request.Body!["runId"]!.GetValue<long>().ShouldBe(runIds[firstDegraded]);
        world.Console.ToString().ShouldContain("Driftwatch: sim on mini: DEGRADED");
        Log("");
        Log("alert delivered to the receiver on 127.0.0.1 (" + request.Path + "):");
        Log(request.RawBody);
        Log("");
        Log("console sink:");
        Log(world.Console.ToString().TrimEnd());

        // And a further restart judges the same verdict again without a second alert
        await world.StopAsync();
        world.Start(world.Scheduler([job]));
        await world.NextAsync<WaitingForSlot>();
        (await world.Store.ListAlertsAsync()).Count.ShouldBe(all.Count);
        world.Receiver.Requests.Count.ShouldBe(all.Count);
    }

    [Fact]
    public async Task Slots_missed_while_down_collapse_into_the_latest_one_on_start()
    {
        // Given a scheduler that ran day 1's slot and was then down until after day 4's slot
        await using var world = await ScheduleWorld.CreateAsync(tasks: 2, March1);
        var job = world.Job(ScheduleWorld.Agent("sim"));
        world.Start(world.Scheduler([job]));
        await world.NextAsync<WaitingForSlot>();
        await world.MoveClockTo(SlotOfDay(1));
        await world.NextAsync<SlotFinished>();
        await world.NextAsync<WaitingForSlot>();
        await world.StopAsync();
        await world.MoveClockTo(SlotOfDay(4).AddHours(1));

        // When it starts again (catch_up: latest)
        world.Start(world.Scheduler([job], CatchUp.Latest));
        var missed = await world.NextAsync<SlotsMissed>();
        var finished = await world.NextAsync<SlotFinished>();
        var waiting = await world.NextAsync<WaitingForSlot>();

        // Then days 2 and 3 are reported missed, only day 4's slot runs, and it waits for day 5
        missed.Count.ShouldBe(2);
        missed.Latest.ShouldBe(SlotOfDay(4));
        finished.Slot.ShouldBe(SlotOfDay(4));
        waiting.Next.ShouldBe(SlotOfDay(5));
        (await world.Store.ListSlotsAsync()).Select(s => s.Slot).ShouldBe([SlotOfDay(1), SlotOfDay(4)]);
        (await world.Store.ListRunsAsync(new RunQuery())).Count.ShouldBe(2);
    }

    [Fact]
    public async Task With_catch_up_none_a_slot_missed_while_down_is_not_run()
    {
        // Given a schedule whose day 1 slot passed before the scheduler ever started
        await using var world = await ScheduleWorld.CreateAsync(tasks: 2, SlotOfDay(1).AddHours(2));
        var job = world.Job(ScheduleWorld.Agent("sim"));

        // When it starts with catch_up: none
        world.Start(world.Scheduler([job], CatchUp.None));
        var waiting = await world.NextAsync<WaitingForSlot>();

        // Then nothing runs until the next slot, which then runs
        waiting.Next.ShouldBe(SlotOfDay(2));
        (await world.Store.ListRunsAsync(new RunQuery())).ShouldBeEmpty();
        await world.MoveClockTo(SlotOfDay(2));
        (await world.NextAsync<SlotFinished>()).Slot.ShouldBe(SlotOfDay(2));
        (await world.Store.ListSlotsAsync()).Select(s => s.Slot).ShouldBe([SlotOfDay(2)]);
    }

    [Fact]
    public async Task A_slot_stopped_mid_run_has_its_run_resumed_by_the_next_scheduler_not_made_again()
    {
        // Given a slow agent whose run is under way when the scheduler is stopped
        const int tasks = 3, trials = 4;
        await using var world = await ScheduleWorld.CreateAsync(tasks, March1);
        var job = world.Job(ScheduleWorld.Agent("slow", delayMs: 150), trials: trials);
        world.Start(world.Scheduler([job]));
        await world.NextAsync<WaitingForSlot>();
        await world.MoveClockTo(SlotOfDay(1));
        var started = await world.NextAsync<SlotStarted>();
        while ((await world.Store.GetTrialsAsync(started.RunId)).Count < 2)
            await Task.Delay(20);
        var interrupted = await world.StopAsync();
        var kept = await world.Store.GetTrialsAsync(started.RunId);

        // When a new scheduler starts on the same database
        world.Start(world.Scheduler([job]));
        var resumed = await world.NextAsync<SlotStarted>();
        var finished = await world.NextAsync<SlotFinished>();

        // Then the stop interrupted the run, and the new scheduler finished that same run: every trial exactly once
        interrupted.ShouldBeTrue();
        world.Events.OfType<SlotInterrupted>().ShouldHaveSingleItem().RunId.ShouldBe(started.RunId);
        kept.Count.ShouldBeLessThan(tasks * trials);
        resumed.Resumed.ShouldBeTrue();
        resumed.RunId.ShouldBe(started.RunId);
        resumed.TrialsLeft.ShouldBe(tasks * trials - kept.Count);
        finished.Run.Header.Id.ShouldBe(started.RunId);
        finished.Run.Header.Status.ShouldBe(RunStatus.Complete);
        finished.Run.Trials.Select(t => (t.TaskId, t.TrialIndex)).Distinct().Count().ShouldBe(tasks * trials);
        foreach (var trial in kept)
            finished.Run.Trials.ShouldContain(t => t.TaskId == trial.TaskId && t.TrialIndex == trial.TrialIndex && t.Outcome == trial.Outcome);
        (await world.Store.ListRunsAsync(new RunQuery())).ShouldHaveSingleItem();
        (await world.Store.ListSlotsAsync()).ShouldHaveSingleItem().Status.ShouldBe(SlotStatus.Complete);
    }

    [Fact]
    public async Task A_slot_whose_run_is_taken_over_after_its_lease_expired_is_left_to_the_new_owner_and_the_scheduler_goes_on()
    {
        // Given a slow agent whose run is under way
        await using var world = await ScheduleWorld.CreateAsync(3, March1);
        var job = world.Job(ScheduleWorld.Agent("slow", delayMs: 300), trials: 4);
        world.Start(world.Scheduler([job]));
        await world.NextAsync<WaitingForSlot>();
        await world.MoveClockTo(SlotOfDay(1));
        var started = await world.NextAsync<SlotStarted>();

        // When another process, whose clock is past the run's lease (the world's store stamps leases
        // in real time), claims the run, and then the scheduler's heartbeat fires on its fake clock
        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow + RunLease.Length + TimeSpan.FromSeconds(1));
        using var other = Driftwatch.Storage.Sqlite.SqliteResultStore.Open(world.DatabasePath, _ => true, later);
        var resumer = new RunOwner("resumer", 2, DateTimeOffset.UnixEpoch);
        await other.ClaimRunAsync(started.RunId, resumer);
        await world.MoveClockTo(world.Time.GetUtcNow() + RunLease.HeartbeatInterval);

        // Then the slot is given up saying who has its run, the run is left unclosed to its new owner, and the scheduler waits for the next slot
        var skipped = await world.NextAsync<SlotSkipped>();
        skipped.Reason.ShouldBe($"run {started.RunId} was taken over by {resumer.Id} after its lease expired; nothing more is recorded by this process");
        await world.NextAsync<WaitingForSlot>();
        var run = (await other.GetRunAsync(started.RunId))!;
        run.Status.ShouldBe(RunStatus.Running);
        run.FinishedAt.ShouldBeNull();
        (await other.GetOwnerAsync(started.RunId)).ShouldBe(resumer);
        world.Events.OfType<SlotFinished>().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_slot_whose_scheduler_died_after_the_last_trial_has_its_run_closed_by_the_next_scheduler_not_run_again()
    {
        // Given a scheduler that died after storing the last trial of its slot's run, before closing the run
        await using var world = await ScheduleWorld.CreateAsync(tasks: 2, SlotOfDay(1).AddMinutes(30));
        var job = world.Job(ScheduleWorld.Agent("sim"), trials: 2);
        var runId = await world.WriteSlotOfAGoneSchedulerAsync(job, SlotOfDay(1));
        var stored = await world.Store.GetTrialsAsync(runId);
        var unclosed = (await world.Store.GetRunAsync(runId))!;
        unclosed.Summary.Pending.ShouldBe(0);
        unclosed.FinishedAt.ShouldBeNull();
        unclosed.Fingerprint.Models.ShouldBeEmpty();

        // When a new scheduler starts
        world.Start(world.Scheduler([job]));
        var finished = await world.NextAsync<SlotFinished>();
        await world.NextAsync<WaitingForSlot>();

        // Then that run is closed as a run is closed (complete, its fingerprint completed from its trials), no trial ran again, and the slot is complete
        finished.Slot.ShouldBe(SlotOfDay(1));
        var header = finished.Run.Header;
        header.Id.ShouldBe(runId);
        header.Status.ShouldBe(RunStatus.Complete);
        header.FinishedAt.ShouldNotBeNull();
        header.Fingerprint.Models.ShouldBe(["simulated"]);
        (await world.Store.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Complete);
        finished.Run.Trials.ShouldBe(stored);
        (await world.Store.ListRunsAsync(new RunQuery())).ShouldHaveSingleItem();
        (await world.Store.ListSlotsAsync()).ShouldHaveSingleItem().Status.ShouldBe(SlotStatus.Complete);
    }

    [Fact]
    public async Task A_slot_whose_run_was_closed_but_not_the_slot_is_closed_without_running_again()
    {
        // Given a scheduler that died after closing its slot's run, before closing the slot
        await using var world = await ScheduleWorld.CreateAsync(tasks: 2, SlotOfDay(1).AddMinutes(30));
        var job = world.Job(ScheduleWorld.Agent("sim"), trials: 2);
        var runId = await world.WriteSlotOfAGoneSchedulerAsync(job, SlotOfDay(1));
        await world.Store.FinishRunAsync(runId, RunStatus.Complete, SlotOfDay(1).AddMinutes(1));
        var closed = (await world.Store.GetRunAsync(runId))!;

        // When a new scheduler starts
        world.Start(world.Scheduler([job]));
        var finished = await world.NextAsync<SlotFinished>();
        await world.NextAsync<WaitingForSlot>();

        // Then the slot is complete with that run, as it was closed
        finished.Slot.ShouldBe(SlotOfDay(1));
        finished.Run.Header.Id.ShouldBe(runId);
        finished.Run.Header.Status.ShouldBe(RunStatus.Complete);
        finished.Run.Header.FinishedAt.ShouldBe(closed.FinishedAt);
        world.Events.OfType<SlotStarted>().ShouldBeEmpty();
        (await world.Store.ListRunsAsync(new RunQuery())).ShouldHaveSingleItem();
        (await world.Store.ListSlotsAsync()).ShouldHaveSingleItem().Status.ShouldBe(SlotStatus.Complete);
    }

    [Fact]
    public async Task A_run_that_ends_incomplete_raises_an_incomplete_alert_and_is_not_run_again()
    {
        // Given an agent whose infrastructure fails half the time, with no retries
        await using var world = await ScheduleWorld.CreateAsync(tasks: 3, March1);
        var job = world.Job(ScheduleWorld.Agent("flaky", errorRate: 0.5, seed: 3), trials: 2);
        world.Start(world.Scheduler([job], retries: 0));
        await world.NextAsync<WaitingForSlot>();

        // When its slot comes
        await world.MoveClockTo(SlotOfDay(1));
        var finished = await world.NextAsync<SlotFinished>();
        var delivered = await world.NextAsync<AlertDelivered>();

        // Then the run is incomplete and the receiver is told, with the errors and how to finish it
        finished.Run.Header.Status.ShouldBe(RunStatus.Incomplete);
        delivered.Delivery.Alert.Event.ShouldBe(AlertEvents.Incomplete);
        var body = world.Receiver.Requests.ShouldHaveSingleItem().Body!;
        body["event"]!.GetValue<string>().ShouldBe("incomplete");
        body["runStatus"]!.GetValue<string>().ShouldBe("incomplete");
        body["errors"]!.GetValue<int>().ShouldBe(finished.Run.Header.Summary.Error);
        body["errors"]!.GetValue<int>().ShouldBeGreaterThan(0);
        body["text"]!.GetValue<string>().ShouldContain($"driftwatch run --resume {finished.Run.Header.Id}");

        // And the slot counts as run: a restart neither resumes nor repeats it
        await world.NextAsync<WaitingForSlot>();
        await world.StopAsync();
        world.Start(world.Scheduler([job], retries: 0));
        (await world.NextAsync<WaitingForSlot>()).Next.ShouldBe(SlotOfDay(2));
        (await world.Store.ListRunsAsync(new RunQuery())).ShouldHaveSingleItem();
        (await world.Store.ListSlotsAsync()).ShouldHaveSingleItem().Status.ShouldBe(SlotStatus.Incomplete);
    }

    [Fact]
    public async Task A_run_with_suspect_trials_raises_one_suspect_trials_alert_that_a_restart_does_not_repeat()
    {
        // Given an agent that solves ten adders and also drops a sitecustomize.py into the eleventh, rigged task
        await using var world = await ScheduleWorld.CreateAsync(tasks: 10, March1, rigged: 1);
        var job = world.Job(ScheduleWorld.RiggingAgent("rigger"));
        world.Start(world.Scheduler([job]));
        await world.NextAsync<WaitingForSlot>();

        // When its slot comes
        await world.MoveClockTo(SlotOfDay(1));
        var finished = await world.NextAsync<SlotFinished>();
        var delivered = await world.NextAsync<AlertDelivered>();
        await world.NextAsync<WaitingForSlot>();

        // Then the rigged trial is flagged suspect in the stored run, the run still completes, and one alert says so with the flag
        var rigged = finished.Run.Trials.Single(t => t.TaskId == "rig-0");
        rigged.Flags.ShouldContain(f => f.StartsWith("suspect:site-customisation", StringComparison.Ordinal));
        finished.Run.Trials.Where(t => t.TaskId != "rig-0").ShouldAllBe(t => t.Flags.IsEmpty);
        finished.Run.Header.Status.ShouldBe(RunStatus.Complete);
        var alert = delivered.Delivery.Alert;
        alert.Event.ShouldBe(AlertEvents.SuspectTrials);
        alert.RunId.ShouldBe(finished.Run.Header.Id);
        alert.SuspectTrials.ShouldBe(1);
        alert.Trials.ShouldBe(11);
        alert.Flags.ShouldHaveSingleItem().Task.ShouldBe("rig-0");
        delivered.Delivery.Results.ShouldAllBe(r => r.Delivered);
        var body = world.Receiver.Requests.ShouldHaveSingleItem().Body!;
        body["event"]!.GetValue<string>().ShouldBe("suspect-trials");
        body["suspectTrials"]!.GetValue<int>().ShouldBe(1);
        body["flags"]![0]!["flag"]!.GetValue<string>().ShouldStartWith("suspect:site-customisation sitecustomize.py");
        world.Console.ToString().ShouldContain($"Driftwatch: rigger on mini: run {finished.Run.Header.Id} had 1 trial whose change touched the test machinery");
        Log(world.Receiver.Requests.Single().RawBody);

        // And a restart neither runs the slot again nor raises the alert again
        await world.StopAsync();
        world.Start(world.Scheduler([job]));
        (await world.NextAsync<WaitingForSlot>()).Next.ShouldBe(SlotOfDay(2));
        (await world.Store.ListAlertsAsync()).ShouldHaveSingleItem().Event.ShouldBe(AlertEvents.SuspectTrials);
        world.Receiver.Requests.Count.ShouldBe(1);
    }

    /// <summary>Trials as the claude-code agent stores them with on_fallback: score: add-1 served by a fallback model, add-0's first trial refused.</summary>
    private static Trial ServedElsewhere(Trial trial) => (trial.TaskId, trial.TrialIndex) switch
    {
        ("add-1", _) => trial with { Flags = ["fallback:claude-opus-5-5→claude-sonnet-5-5"], ServedModels = ["claude-sonnet-5-5"] },
        ("add-0", 0) => trial with { Flags = ["refusal"], ServedModels = ["claude-opus-5-5"] },
        _ => trial,
    };

    [Fact]
    public async Task A_run_served_by_a_fallback_model_or_refused_raises_one_model_fallback_alert_when_its_slot_is_closed()
    {
        // Given a scheduler that died after the last trial of its slot's run: add-1's two trials were served by a fallback model, one of add-0's refused
        await using var world = await ScheduleWorld.CreateAsync(tasks: 2, SlotOfDay(1).AddMinutes(30));
        var job = world.Job(ScheduleWorld.Agent("sim"), trials: 2);
        var runId = await world.WriteSlotOfAGoneSchedulerAsync(job, SlotOfDay(1), ServedElsewhere);

        // When a new scheduler starts and closes that slot
        world.Start(world.Scheduler([job]));
        var finished = await world.NextAsync<SlotFinished>();
        var delivered = await world.NextAsync<AlertDelivered>();
        await world.NextAsync<WaitingForSlot>();

        // Then one model-fallback alert counts both kinds and lists their flags, to the receiver and the console
        finished.Run.Header.Id.ShouldBe(runId);
        var alert = delivered.Delivery.Alert;
        alert.Event.ShouldBe(AlertEvents.ModelFallback);
        (alert.SuspectTrials, alert.FallbackTrials, alert.RefusedTrials).ShouldBe((null, 2, 1));
        alert.Flags.Select(f => (f.Task, f.Trial, f.Flag)).OrderBy(f => f.Task).ThenBy(f => f.Trial).ShouldBe(
            [("add-0", 0, "refusal"), ("add-1", 0, "fallback:claude-opus-5-5→claude-sonnet-5-5"), ("add-1", 1, "fallback:claude-opus-5-5→claude-sonnet-5-5")]);
        var body = world.Receiver.Requests.ShouldHaveSingleItem().Body!;
        body["event"]!.GetValue<string>().ShouldBe("model-fallback");
        body["fallbackTrials"]!.GetValue<int>().ShouldBe(2);
        body["refusedTrials"]!.GetValue<int>().ShouldBe(1);
        world.Console.ToString().ShouldContain($"run {runId} had 2 trials served by a fallback model and 1 trial refused");
        (await world.Store.ListAlertsAsync()).ShouldHaveSingleItem().RunId.ShouldBe(runId);
    }

    [Fact]
    public async Task A_flag_alert_stored_before_a_crash_is_sent_once_and_not_raised_again_when_the_slot_is_closed()
    {
        // Given a scheduler that died after storing its run's model-fallback alert, before sending it and before closing the slot
        await using var world = await ScheduleWorld.CreateAsync(tasks: 2, SlotOfDay(1).AddMinutes(30));
        var job = world.Job(ScheduleWorld.Agent("sim"), trials: 2);
        var runId = await world.WriteSlotOfAGoneSchedulerAsync(job, SlotOfDay(1), ServedElsewhere);
        await world.Store.FinishRunAsync(runId, RunStatus.Complete, SlotOfDay(1).AddMinutes(1));
        var run = (await world.Store.GetRunAsync(runId))!;
        var stored = Alert.ForFlaggedTrials(run, await world.Store.GetTrialsAsync(runId), new AlertContext(SlotOfDay(1).AddMinutes(1), runId, job.Key, SlotOfDay(1)))
            .ShouldHaveSingleItem();
        var storedId = await world.Store.AddRunAlertOnceAsync(stored);

        // When a new scheduler starts, sends what is waiting and closes the slot
        world.Start(world.Scheduler([job]));
        var delivered = await world.NextAsync<AlertDelivered>();
        await world.NextAsync<SlotFinished>();
        await world.NextAsync<WaitingForSlot>();

        // Then the stored alert went out, once, and closing the run again raised no second one
        delivered.Delivery.Stored.Id.ShouldBe(storedId!.Value);
        (await world.Store.ListAlertsAsync()).ShouldHaveSingleItem().Id.ShouldBe(storedId.Value);
        world.Receiver.Requests.ShouldHaveSingleItem().Body!["event"]!.GetValue<string>().ShouldBe("model-fallback");
        (await world.Store.ListSlotsAsync()).ShouldHaveSingleItem().Status.ShouldBe(SlotStatus.Complete);
    }

    [Fact]
    public async Task A_slot_whose_agent_cannot_run_fails_with_an_alert_that_says_why()
    {
        // Given an entry whose agent's program is not installed
        await using var world = await ScheduleWorld.CreateAsync(tasks: 1, March1);
        var ghost = new AgentDefinition("ghost", "command", new System.Text.Json.Nodes.JsonObject { ["command"] = "no-such-agent-program-7f3 {prompt}" }, "test");
        world.Start(world.Scheduler([world.Job(ghost)]));
        await world.NextAsync<WaitingForSlot>();

        // When its slot comes
        await world.MoveClockTo(SlotOfDay(1));
        var failed = await world.NextAsync<SlotFailed>();
        var delivered = await world.NextAsync<AlertDelivered>();

        // Then the slot is over as failed, no run was made, and the alert carries the problem
        failed.Problem.ShouldContain("no-such-agent-program-7f3");
        delivered.Delivery.Alert.Event.ShouldBe(AlertEvents.Failed);
        delivered.Delivery.Alert.Problem.ShouldBe(failed.Problem);
        world.Receiver.Requests.ShouldHaveSingleItem().Body!["problem"]!.GetValue<string>().ShouldBe(failed.Problem);
        (await world.Store.ListSlotsAsync()).ShouldHaveSingleItem().Status.ShouldBe(SlotStatus.Failed);
        (await world.Store.ListRunsAsync(new RunQuery())).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_alert_stored_but_not_sent_before_a_crash_goes_out_on_the_next_start()
    {
        // Given a verdict change stored with its alert by a scheduler that died before sending it
        await using var world = await ScheduleWorld.CreateAsync(tasks: 1, March1);
        var alert = Alerts.SampleAlerts.Degraded();
        var id = (await world.Store.RecordVerdictAsync(alert.Agent, alert.Suite, new VerdictState(VerdictStatus.Degraded, []), alert.At, [alert])).Single();

        // When a scheduler starts
        world.Start(world.Scheduler([world.Job(ScheduleWorld.Agent("sim"))]));
        var delivered = await world.NextAsync<AlertDelivered>();

        // Then that alert is sent, once, and closed in the store with each sink's outcome (names, not URLs)
        delivered.Delivery.Stored.Id.ShouldBe(id);
        world.Receiver.Requests.ShouldHaveSingleItem().Body!["agent"]!.GetValue<string>().ShouldBe("claude-code");
        var stored = (await world.Store.ListAlertsAsync()).ShouldHaveSingleItem();
        stored.DeliveredAt.ShouldNotBeNull();
        stored.Deliveries!.ShouldContain("\"sink\":\"webhook (test receiver)\"");
        stored.Deliveries!.ShouldContain("\"delivered\":true");
        stored.Deliveries!.ShouldNotContain(world.Receiver.BaseUrl);
        await world.NextAsync<WaitingForSlot>();
        world.Receiver.Requests.Count.ShouldBe(1);
    }
}
