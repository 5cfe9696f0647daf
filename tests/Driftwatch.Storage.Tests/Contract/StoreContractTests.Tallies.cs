using Driftwatch.Core.Runs;
using Shouldly;

namespace Driftwatch.Storage.Tests.Contract;

/// <summary>
/// Run headers read each run's counts from a table the store keeps as trials are written (#20):
/// whatever path wrote them, the counts are those of the trials themselves.
/// </summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_runs_counts_follow_its_trials_through_planning_recording_retries_ingest_and_replacement()
    {
        // Given runs written every way a store is written: planned, recorded, recorded twice, an
        // infrastructure error retried, flagged, ingested, and an ingested run replaced by its finished read
        using var store = Open();
        var plan = Plan(tasks: 4, k: 3);
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        var outcomes = new[] { TrialOutcome.Pass, TrialOutcome.Fail, TrialOutcome.Timeout, TrialOutcome.Error, TrialOutcome.Pass, TrialOutcome.Pass, TrialOutcome.Error };
        // Flags of every kind, two of one kind on one trial (counted once), an unknown one (not counted),
        // and a flagged error that is retried without its flags
        string[][] flags = [[], ["suspect:tests-changed"], ["refusal"], ["fallback:model-a\u2192model-b", "suspect:a", "suspect:b"], ["SUSPECT:not-a-prefix", "refusals"], ["refusal: asked to stop"], []];
        for (var i = 0; i < outcomes.Length; i++)
            await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[i], outcomes[i]) with { Flags = [.. flags[i]] }, []);
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Fail), []);   // already recorded: no change
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[3], TrialOutcome.Pass), []);   // the error retried
        var other = await store.Runs.CreateRunAsync(Plan(tasks: 2, k: 1, agent: "other"), new RunFingerprint(), Start.AddHours(1), Remote);
        var unfinished = (await store.Ingest.IngestAsync([Ingested("job-9", 1, ("a", TrialOutcome.Pass), ("b", TrialOutcome.Error)) with { Status = RunStatus.Incomplete }])).ShouldHaveSingleItem();
        var replaced = (await store.Ingest.IngestAsync([Ingested("job-9", 1, ("a", TrialOutcome.Pass), ("b", TrialOutcome.Fail), ("c", TrialOutcome.Timeout))])).ShouldHaveSingleItem();
        replaced.Replaced.ShouldBe(unfinished.RunId);

        // When the runs are listed, and read one by one
        var headers = await store.Runs.ListRunsAsync(new RunQuery());

        // Then every count is the count of the run's own trials
        headers.Select(h => h.Id).ShouldBe([runId, other, replaced.RunId]);
        headers[0].PlannedTrials.ShouldBe(12);
        headers[0].Summary.ShouldBe(new RunSummary(Total: 7, Pass: 4, Fail: 1, Timeout: 1, Error: 1, Pending: 5));
        headers[0].Flagged.ShouldBe(new FlagCounts(Suspect: 1, Fallback: 0, Refusal: 2));
        headers[1].Summary.ShouldBe(new RunSummary(Total: 0, Pass: 0, Fail: 0, Timeout: 0, Error: 0, Pending: 2));
        headers[1].Flagged.ShouldBe(FlagCounts.None);
        headers[2].Summary.ShouldBe(new RunSummary(Total: 3, Pass: 1, Fail: 1, Timeout: 1, Error: 0, Pending: 0));
        foreach (var header in headers)
        {
            var trials = await store.Trials.GetTrialsAsync(header.Id);
            header.Summary.Pass.ShouldBe(trials.Count(t => t.Outcome == TrialOutcome.Pass));
            header.Summary.Error.ShouldBe(trials.Count(t => t.Outcome == TrialOutcome.Error));
            header.Flagged.ShouldBe(FlagCounts.Of(trials), $"run {header.Id}");
            var one = (await store.Runs.GetRunAsync(header.Id)).ShouldNotBeNull();
            (one.Summary, one.PlannedTrials, one.Flagged).ShouldBe((header.Summary, header.PlannedTrials, header.Flagged));
        }
        (await store.Runs.GetRunAsync(unfinished.RunId)).ShouldBeNull();

        // And each history's outcomes, read from the counts per run and task, are its trials' own
        foreach (var (agent, suite) in headers.Select(h => (h.Agent, h.Suite)).Distinct())
        {
            var history = await store.History.GetHistoryAsync(agent, suite);
            foreach (var run in history.Runs.Where(r => !r.TotalsOnly))
            {
                var trials = await store.Trials.GetTrialsAsync(run.Id);
                run.Trials.Order().ShouldBe(trials.Select(t => (t.TaskId, t.Outcome)).Order(), $"run {run.Id}");
            }
        }
        var first = (await store.History.GetHistoryAsync("contract-agent", "mini")).Runs.ShouldHaveSingleItem();
        first.Trials.Order().ShouldBe([("task-0", TrialOutcome.Pass), ("task-0", TrialOutcome.Fail), ("task-0", TrialOutcome.Timeout),
            ("task-1", TrialOutcome.Pass), ("task-1", TrialOutcome.Pass), ("task-1", TrialOutcome.Pass), ("task-2", TrialOutcome.Error)]);
    }

    [Fact]
    public async Task The_latest_runs_are_the_newest_by_start_oldest_first_with_or_without_an_agent()
    {
        // Given five runs of two agents, started out of id order
        using var store = Open();
        var ids = new List<long>();
        foreach (var (agent, hour) in new[] { ("a", 3), ("b", 1), ("a", 5), ("a", 2), ("b", 4) })
            ids.Add(await store.Runs.CreateRunAsync(Plan(tasks: 1, k: 1, agent: agent), new RunFingerprint(), Start.AddHours(hour), Remote));

        // When the latest two are asked for, of every agent and of agent a
        var latest = await store.Runs.ListRunsAsync(new RunQuery(Limit: 2));
        var latestOfA = await store.Runs.ListRunsAsync(new RunQuery(Agent: "a", Limit: 2));

        // Then they are the two started last, oldest first
        latest.Select(r => r.Id).ShouldBe([ids[4], ids[2]]);
        latestOfA.Select(r => r.Id).ShouldBe([ids[0], ids[2]]);
        (await store.Runs.ListRunsAsync(new RunQuery(Agent: "a"))).Select(r => r.Id).ShouldBe([ids[3], ids[0], ids[2]]);
    }

    [Fact]
    public async Task Runs_before_a_run_page_back_by_start_then_id_with_or_without_an_agent()
    {
        // Given six runs of two agents, started out of id order, two of them at the same moment
        using var store = Open();
        var ids = new List<long>();
        foreach (var (agent, hour) in new[] { ("a", 3), ("b", 1), ("a", 5), ("a", 2), ("b", 4), ("a", 3) })
            ids.Add(await store.Runs.CreateRunAsync(Plan(tasks: 1, k: 1, agent: agent), new RunFingerprint(), Start.AddHours(hour), Remote));
        // In start order: ids[1] (1h), ids[3] (2h), ids[0] (3h), ids[5] (3h, a higher id), ids[4] (4h), ids[2] (5h)

        // When pages of two are read back from the newest, of every agent and of agent a
        var first = await store.Runs.ListRunsAsync(new RunQuery(Limit: 2));
        var second = await store.Runs.ListRunsAsync(new RunQuery(Limit: 2, BeforeId: first[0].Id));
        var third = await store.Runs.ListRunsAsync(new RunQuery(Limit: 2, BeforeId: second[0].Id));
        var last = await store.Runs.ListRunsAsync(new RunQuery(Limit: 2, BeforeId: third[0].Id));
        var ofA = await store.Runs.ListRunsAsync(new RunQuery(Agent: "a", Limit: 2, BeforeId: ids[5]));

        // Then each page holds the two started before the cursor, oldest first; the same start is ordered by id; none before the first
        first.Select(r => r.Id).ShouldBe([ids[4], ids[2]]);
        second.Select(r => r.Id).ShouldBe([ids[0], ids[5]]);
        third.Select(r => r.Id).ShouldBe([ids[1], ids[3]]);
        last.ShouldBeEmpty();
        ofA.Select(r => r.Id).ShouldBe([ids[3], ids[0]]);
        (await store.Runs.ListRunsAsync(new RunQuery(Agent: "a", BeforeId: ids[2]))).Select(r => r.Id).ShouldBe([ids[3], ids[0], ids[5]]);
        (await store.Runs.ListRunsAsync(new RunQuery(BeforeId: ids.Max() + 100))).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_runs_write_count_grows_with_every_write_to_it_or_its_trials_and_only_then()
    {
        // Given a run
        using var store = Open();
        var plan = Plan(tasks: 2, k: 1);
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        async Task<long> Writes() => (await store.Runs.GetRunAsync(runId))!.WriteCount;
        var seen = new List<long> { await Writes() };

        // When it is read again, then written every way: a trial, a trial delivered twice, its fingerprint, its end
        var unchanged = await Writes();
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass), []);
        seen.Add(await Writes());
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Fail), []);
        var afterDuplicate = await Writes();
        await store.Runs.UpdateFingerprintAsync(runId, new RunFingerprint { AgentVersion = "2.0" });
        seen.Add(await Writes());
        await store.Runs.FinishRunAsync(runId, RunStatus.Incomplete, Start.AddMinutes(5));
        seen.Add(await Writes());

        // Then reading changed nothing, a refused duplicate wrote nothing, and each write made it grow
        unchanged.ShouldBe(seen[0]);
        afterDuplicate.ShouldBe(seen[1]);
        seen.ShouldBe(seen.Order().Distinct());
        seen.Count.ShouldBe(4);
        (await store.Runs.ListRunsAsync(new RunQuery())).ShouldHaveSingleItem().WriteCount.ShouldBe(seen[^1]);
    }

    [Fact]
    public async Task The_change_stamp_holds_while_nothing_is_written_and_changes_with_every_write()
    {
        // Given an empty store, then each kind of write in turn
        using var store = Open();
        var stamps = new List<string> { await store.Runs.GetChangeStampAsync() };
        var plan = Plan(tasks: 1, k: 2);
        var runId = await store.Runs.CreateRunAsync(plan, new RunFingerprint(), Start, Remote);
        stamps.Add(await store.Runs.GetChangeStampAsync());
        var unchanged = await store.Runs.GetChangeStampAsync();
        await store.Trials.RecordTrialAsync(Finished(runId, plan.Trials[0], TrialOutcome.Pass), []);
        stamps.Add(await store.Runs.GetChangeStampAsync());
        await store.Runs.FinishRunAsync(runId, RunStatus.Complete, Start.AddMinutes(1));
        stamps.Add(await store.Runs.GetChangeStampAsync());
        var unfinished = (await store.Ingest.IngestAsync([Ingested("job-3", 1, ("a", TrialOutcome.Pass)) with { Status = RunStatus.Incomplete }])).ShouldHaveSingleItem();
        stamps.Add(await store.Runs.GetChangeStampAsync());
        (await store.Ingest.IngestAsync([Ingested("job-3", 1, ("a", TrialOutcome.Pass))])).ShouldHaveSingleItem().Replaced.ShouldBe(unfinished.RunId);
        stamps.Add(await store.Runs.GetChangeStampAsync());

        // Then reading changed nothing, and every write gave a stamp never seen before
        unchanged.ShouldBe(stamps[1]);
        stamps.Distinct().Count().ShouldBe(stamps.Count, string.Join(" ", stamps));
    }
}
