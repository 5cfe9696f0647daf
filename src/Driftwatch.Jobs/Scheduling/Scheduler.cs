using Driftwatch.Core;
using Driftwatch.Core.Alerts;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Driftwatch.Core.Stores;
using Driftwatch.Formats.Suites;
using Driftwatch.Jobs.Alerts;
using Driftwatch.Jobs.Ingesting;
using Driftwatch.Jobs.Running;

namespace Driftwatch.Jobs.Scheduling;

/// <summary>
/// `driftwatch schedule`: runs each entry of the schedule once per cron slot, on the clock of a
/// <see cref="TimeProvider"/>. A slot is claimed in the database before its run is made, so a
/// slot that ran is never run again, also across restarts, and one interrupted by a stop has its
/// run resumed rather than made twice. On start, an entry's slots missed while the scheduler was
/// down collapse into one: the latest runs (catch_up: latest) or none does (catch_up: none); an
/// entry that never ran waits for its next slot. A slot a stop interrupted is finished first.
/// After every run the agent × suite is judged; a change of verdict, a run that ended
/// incomplete, and a run with suspect trials or trials served by a fallback model or refused
/// become alerts, stored before they are sent (so each fires once).
/// </summary>
public sealed class Scheduler
{
    private readonly IReadOnlyList<ScheduledJob> _jobs;
    private readonly IResultStore _results;
    private readonly IScheduleStore _slots;
    private readonly IAlertStore _alerts;
    private readonly AlertOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly RunOwner _owner;
    private readonly SchedulerOptions _options;
    private readonly Action<ScheduleEvent> _report;
    private readonly RunJob _runJob;

    public Scheduler(IReadOnlyList<ScheduledJob> jobs, DriftwatchStore store, IReadOnlyList<IAlertSink> sinks,
        TimeProvider time, RunOwner owner, SchedulerOptions options, Action<ScheduleEvent> report, Action<string> warn)
    {
        _jobs = jobs;
        _results = store.Results;
        _slots = store.Schedule;
        _alerts = store.Alerts;
        _outbox = new AlertOutbox(store.Alerts, sinks, time);
        _time = time;
        _owner = owner;
        _options = options;
        _report = report;
        _runJob = new RunJob(store.Results, time, owner, warn) { Dispatcher = options.Dispatcher };
    }

    /// <summary>
    /// Runs until cancelled. Returns true when the stop interrupted a run (left resumable), false
    /// when it came while the scheduler was idle.
    /// </summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DeliverAsync(cancellationToken).ConfigureAwait(false);
            // Verdicts may have changed while it was down (runs by hand, a crash before judging).
            foreach (var pair in Pairs())
                await JudgeAsync(pair.Agent, pair.Suite, new AlertContext(_time.GetUtcNow(), DashboardUrl: _options.DashboardUrl), cancellationToken).ConfigureAwait(false);
            if ((await ResumeInterruptedAsync(cancellationToken).ConfigureAwait(false)).Interrupted)
                return true;

            // Slots after `after` are due. With catch_up: latest that is the entry's last slot that
            // ran, so the latest one missed while down runs now; an entry that never ran, or
            // catch_up: none, waits for its next slot.
            var start = _time.GetUtcNow();
            var after = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            foreach (var job in _jobs)
            {
                var stored = await _slots.ListSlotsAsync(job.Key, cancellationToken).ConfigureAwait(false);
                after[job.Key] = _options.CatchUp == CatchUp.Latest && stored.Count > 0 ? stored[^1].Slot : start;
            }
            while (true)
            {
                var now = _time.GetUtcNow();
                var due = Due(now).Where(d => d.Slot > after[d.Job.Key]).ToList();
                if (due.Count > 0)
                {
                    foreach (var (job, slot) in due)
                    {
                        var missed = job.Cron.CountBetween(after[job.Key], slot);
                        if (missed > 0)
                            _report(new SlotsMissed(_time.GetUtcNow(), job.Key, missed, slot));
                        after[job.Key] = slot;
                        var outcome = await RunSlotAsync(job, slot, cancellationToken).ConfigureAwait(false);
                        if (outcome.Interrupted)
                            return true;
                    }
                    continue;
                }
                var upcoming = _jobs.Select(j => (Job: j, Next: j.Cron.Next(now))).Where(x => x.Next is not null).ToList();
                DateTimeOffset? next = upcoming.Count == 0 ? null : upcoming.Min(x => x.Next!.Value);
                var wait = next is { } n && n - now < _options.MaxWait ? n - now : _options.MaxWait;
                // The timer is set before the report, so a clock moved on right after the report still wakes it.
                var sleep = Task.Delay(wait, _time, cancellationToken);
                _report(new WaitingForSlot(now, next, [.. upcoming.Where(x => x.Next == next).Select(x => x.Job.Key)]));
                await sleep.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// `schedule --once`: first the slots a stop interrupted (their runs resumed), then for each
    /// entry its latest slot at or before now unless it already ran; then the verdict of every
    /// scheduled agent × suite.
    /// </summary>
    public async Task<OnceResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        await DeliverAsync(cancellationToken).ConfigureAwait(false);
        var verdicts = new Dictionary<(string, string), Verdict>();
        var resumed = await ResumeInterruptedAsync(cancellationToken).ConfigureAwait(false);
        foreach (var verdict in resumed.Verdicts)
            verdicts[(verdict.Agent, verdict.Suite)] = verdict;
        var ran = resumed.Ran;
        if (resumed.Interrupted)
            return new OnceResult([.. verdicts.Values], ran, Interrupted: true);
        foreach (var (job, slot) in Due(_time.GetUtcNow()))
        {
            var outcome = await RunSlotAsync(job, slot, cancellationToken).ConfigureAwait(false);
            if (outcome.Interrupted)
                return new OnceResult([.. verdicts.Values], ran, Interrupted: true);
            if (outcome.Ran)
                ran++;
            foreach (var verdict in outcome.Verdicts)
                verdicts[(verdict.Agent, verdict.Suite)] = verdict;
        }
        foreach (var pair in Pairs().Where(p => !verdicts.ContainsKey(p)))
            verdicts[pair] = await JudgeAsync(pair.Agent, pair.Suite, new AlertContext(_time.GetUtcNow(), DashboardUrl: _options.DashboardUrl), cancellationToken).ConfigureAwait(false);
        return new OnceResult([.. verdicts.Values.OrderBy(v => v.Agent, StringComparer.Ordinal).ThenBy(v => v.Suite, StringComparer.Ordinal)], ran, Interrupted: false);
    }

    /// <summary>Finishes every slot a stop (or a crash) left unfinished, whatever its age: its run is resumed, not made again.</summary>
    private async Task<(int Ran, bool Interrupted, List<Verdict> Verdicts)> ResumeInterruptedAsync(CancellationToken cancellationToken)
    {
        var ran = 0;
        var verdicts = new List<Verdict>();
        foreach (var job in _jobs)
        {
            var unfinished = (await _slots.ListSlotsAsync(job.Key, cancellationToken).ConfigureAwait(false))
                .Where(s => s.Status is SlotStatus.Interrupted or SlotStatus.Running).ToList();
            foreach (var slot in unfinished)
            {
                var outcome = await RunSlotAsync(job, slot.Slot, cancellationToken).ConfigureAwait(false);
                if (outcome.Interrupted)
                    return (ran, true, verdicts);
                if (outcome.Ran)
                    ran++;
                verdicts.AddRange(outcome.Verdicts);
            }
        }
        return (ran, false, verdicts);
    }

    /// <summary>Each entry's latest slot at or before <paramref name="now"/>, earliest first (then in file order).</summary>
    private List<(ScheduledJob Job, DateTimeOffset Slot)> Due(DateTimeOffset now) =>
        [.. _jobs.Select((job, index) => (job, index, slot: job.Cron.Latest(now)))
            .Where(x => x.slot is not null)
            .OrderBy(x => x.slot).ThenBy(x => x.index)
            .Select(x => (x.job, x.slot!.Value))];

    /// <summary>The agent × suite pairs the schedule is known to feed: every run entry's, and an ingest entry's when it names both.</summary>
    private IEnumerable<(string Agent, string Suite)> Pairs() => _jobs
        .Select(j => j.Agent is { } agent ? (agent.Name, j.SuiteName)
            : j.Ingest?.Options is { Agent: { } a, Suite: { } s } ? (a, s) : ((string, string)?)null)
        .OfType<(string, string)>()
        .Distinct();

    private sealed record SlotOutcome(bool Ran, bool Interrupted, Verdict? Verdict)
    {
        /// <summary>Every verdict the slot produced: one after a run, one per agent × suite with new runs after an ingest.</summary>
        public IReadOnlyList<Verdict> Verdicts { get; init; } = Verdict is null ? [] : [Verdict];
    }

    private async Task<SlotOutcome> RunSlotAsync(ScheduledJob job, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var claim = await _slots.ClaimSlotAsync(job.Key, slot, _owner, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (claim.Result is ClaimResult.Done or ClaimResult.Busy)
        {
            var reason = claim.Result == ClaimResult.Busy
                ? "another scheduler is running it"
                : $"already ran{(claim.Slot.RunId is { } done ? $" as run {done}" : "")} ({claim.Slot.Status.ToString().ToLowerInvariant()})";
            _report(new SlotSkipped(_time.GetUtcNow(), job.Key, slot, reason));
            return new SlotOutcome(false, false, null);
        }

        if (job.Ingest is { } ingest)
            return await IngestSlotAsync(job, ingest, slot, cancellationToken).ConfigureAwait(false);
        var agent = job.Agent ?? throw new InvalidOperationException($"schedule entry {job.Key} has neither an agent nor an ingest");
        var runId = claim.Slot.RunId;
        RunResult result;
        try
        {
            var existing = runId is { } id ? await _results.GetRunAsync(id, cancellationToken).ConfigureAwait(false) : null;
            PreparedRun prepared;
            if (existing is { Status: RunStatus.Complete, Summary: { Pending: 0, Error: 0 } })
            {
                // The run was closed when the scheduler stopped; only the slot's own closing was missed.
                var trials = await _results.GetTrialsAsync(existing.Id, CancellationToken.None).ConfigureAwait(false);
                return await CloseAsync(job, slot, new RunResult(existing, trials, false), cancellationToken).ConfigureAwait(false);
            }
            if (existing is not null)
            {
                prepared = await _runJob.ResumeAsync(existing.Id, _options.Run, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var suite = SuiteLoader.Load(job.SuitePath);
                prepared = await _runJob.CreateAsync(new NewRunRequest
                {
                    Definition = agent,
                    Agent = RunJob.CreateAgent(agent),
                    Suite = suite,
                    TrialsPerTask = job.TrialsPerTask,
                    Budget = job.Entry.Budget,
                    Tasks = job.Entry.Tasks,
                }, _options.Run, cancellationToken).ConfigureAwait(false);
                runId = prepared.RunId;
                await _slots.SetSlotRunAsync(job.Key, slot, prepared.RunId, CancellationToken.None).ConfigureAwait(false);
            }
            _report(new SlotStarted(_time.GetUtcNow(), job.Key, slot, prepared.RunId, prepared.Resumed, prepared.TrialsLeft));
            result = await _runJob.ExecuteAsync(prepared, null, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await InterruptedAsync(job, slot, runId).ConfigureAwait(false);
        }
        catch (RunLeaseLostException ex)
        {
            // Another process holds the run now (it claimed it after the lease ran out): finishing it,
            // and its slot, is that process's work. This scheduler goes on with its other slots.
            _report(new SlotSkipped(_time.GetUtcNow(), job.Key, slot, ex.Message));
            return new SlotOutcome(false, false, null);
        }
        catch (InvalidInputException ex)
        {
            // The agent or the suite cannot be used now (a key gone missing, a suite changed under
            // a half-done run): the slot is over, and people are told.
            var now = _time.GetUtcNow();
            await _slots.FinishSlotAsync(job.Key, slot, SlotStatus.Failed, ex.Message, now, CancellationToken.None).ConfigureAwait(false);
            _report(new SlotFailed(now, job.Key, slot, ex.Message));
            await _alerts.AddAlertAsync(Alert.ForFailedRun(agent.Name, job.SuiteName, ex.Message,
                new AlertContext(now, runId, job.Key, slot, _options.DashboardUrl)), CancellationToken.None).ConfigureAwait(false);
            await DeliverAsync(cancellationToken).ConfigureAwait(false);
            return new SlotOutcome(false, false, null);
        }
        if (result.Interrupted)
            return await InterruptedAsync(job, slot, result.Header.Id).ConfigureAwait(false);
        return await CloseAsync(job, slot, result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An ingest entry's slot: its files read and stored in one transaction (so a stop or a bad file
    /// leaves nothing half-written, and the next attempt adds exactly what is new), then every
    /// agent × suite with new runs judged, and alerts sent, as after a run.
    /// </summary>
    private async Task<SlotOutcome> IngestSlotAsync(ScheduledJob job, ScheduledIngest ingest, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        _report(new SlotStarted(_time.GetUtcNow(), job.Key, slot, 0, false, 0) { Ingest = ingest.Format });
        IngestSummary summary;
        try
        {
            summary = await new IngestJob(_results).RunAsync(ingest.Format, ingest.Paths, ingest.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await InterruptedAsync(job, slot, null).ConfigureAwait(false);
        }
        catch (InvalidInputException ex)
        {
            var now = _time.GetUtcNow();
            await _slots.FinishSlotAsync(job.Key, slot, SlotStatus.Failed, ex.Message, now, CancellationToken.None).ConfigureAwait(false);
            _report(new SlotFailed(now, job.Key, slot, ex.Message));
            await _alerts.AddAlertAsync(Alert.ForFailedRun(job.AgentName, job.SuiteName, $"ingest {ingest.Format}: {ex.Message}",
                new AlertContext(now, null, job.Key, slot, _options.DashboardUrl)), CancellationToken.None).ConfigureAwait(false);
            await DeliverAsync(cancellationToken).ConfigureAwait(false);
            return new SlotOutcome(false, false, null);
        }
        if (summary.Runs.Where(r => r.Added).MaxBy(r => r.Run.StartedAt) is { } newest)
            await _slots.SetSlotRunAsync(job.Key, slot, newest.RunId, CancellationToken.None).ConfigureAwait(false);
        await _slots.FinishSlotAsync(job.Key, slot, SlotStatus.Complete,
            $"ingested {summary.Added} new run(s), {summary.AlreadyThere} already there", _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        var verdicts = new List<Verdict>();
        foreach (var (agent, suite) in summary.Changed)
        {
            var newestOfPair = summary.Runs.Where(r => r.Added && r.Run.Agent == agent && r.Run.Suite == suite).MaxBy(r => r.Run.StartedAt);
            var context = new AlertContext(_time.GetUtcNow(), newestOfPair?.RunId, job.Key, slot, _options.DashboardUrl);
            verdicts.Add(await JudgeAsync(agent, suite, context, cancellationToken, deliver: false).ConfigureAwait(false));
        }
        _report(new SlotIngested(_time.GetUtcNow(), job.Key, slot, summary, verdicts));
        await DeliverAsync(cancellationToken).ConfigureAwait(false);
        return new SlotOutcome(true, false, verdicts.Count == 0 ? null : verdicts[^1]) { Verdicts = verdicts };
    }

    private async Task<SlotOutcome> InterruptedAsync(ScheduledJob job, DateTimeOffset slot, long? runId)
    {
        var now = _time.GetUtcNow();
        await _slots.FinishSlotAsync(job.Key, slot, SlotStatus.Interrupted, runId is null ? "stopped before its run was made" : "stopped during its run", now, CancellationToken.None).ConfigureAwait(false);
        _report(new SlotInterrupted(now, job.Key, slot, runId));
        return new SlotOutcome(false, true, null);
    }

    /// <summary>
    /// The run is over: its flagged trials raise their alerts (stored before the slot is closed, once
    /// per run and event, so a crash in between neither loses nor repeats them), the slot is closed,
    /// the agent × suite judged, and alerts sent.
    /// </summary>
    private async Task<SlotOutcome> CloseAsync(ScheduledJob job, DateTimeOffset slot, RunResult result, CancellationToken cancellationToken)
    {
        var header = result.Header;
        var status = header.Status == RunStatus.Complete ? SlotStatus.Complete : SlotStatus.Incomplete;
        var context = new AlertContext(_time.GetUtcNow(), header.Id, job.Key, slot, _options.DashboardUrl);
        foreach (var flagged in Alert.ForFlaggedTrials(header, result.Trials, context))
            await _alerts.AddRunAlertOnceAsync(flagged, CancellationToken.None).ConfigureAwait(false);
        await _slots.FinishSlotAsync(job.Key, slot, status, null, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        if (status == SlotStatus.Incomplete)
            await _alerts.AddAlertAsync(Alert.ForIncompleteRun(header, context), CancellationToken.None).ConfigureAwait(false);
        var verdict = await JudgeAsync(header.Agent, header.Suite, context, cancellationToken, deliver: false).ConfigureAwait(false);
        _report(new SlotFinished(_time.GetUtcNow(), job.Key, slot, result, verdict));
        await DeliverAsync(cancellationToken).ConfigureAwait(false);
        return new SlotOutcome(true, false, verdict);
    }

    /// <summary>
    /// Judges an agent × suite; a new verdict state (status or behaviour alarms) is stored with the
    /// alerts it raises (<see cref="AlertEvents.ForVerdict(VerdictState?, Verdict)"/>), then sent.
    /// </summary>
    private async Task<Verdict> JudgeAsync(string agent, string suite, AlertContext context, CancellationToken cancellationToken, bool deliver = true)
    {
        var verdict = await _runJob.VerdictAsync(agent, suite, _options.Check, cancellationToken).ConfigureAwait(false);
        var previous = await _alerts.GetVerdictStateAsync(agent, suite, cancellationToken).ConfigureAwait(false);
        var state = VerdictState.Of(verdict);
        var events = AlertEvents.ForVerdict(previous, verdict);
        if (previous is null || !previous.SameAs(state) || events.Count > 0)
        {
            var alerts = events.Select(e => Alert.ForVerdict(e, verdict, previous, context)).ToList();
            await _alerts.RecordVerdictAsync(agent, suite, state, context.At, alerts, CancellationToken.None).ConfigureAwait(false);
        }
        if (deliver)
            await DeliverAsync(cancellationToken).ConfigureAwait(false);
        return verdict;
    }

    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        foreach (var delivery in await _outbox.DeliverPendingAsync(cancellationToken).ConfigureAwait(false))
            _report(new AlertDelivered(_time.GetUtcNow(), delivery));
    }
}
