using Driftwatch.Core;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Shouldly;

namespace Driftwatch.Storage.Tests.Contract;

/// <summary>The contract of ingested runs (docs/ingest.md): each once, kept with its source, nothing written on a conflict.</summary>
public abstract partial class StoreContractTests
{
    private static IngestedRun Ingested(string key, int day, params (string Task, TrialOutcome Outcome)[] trials) => new()
    {
        Format = "jsonl",
        Key = key,
        Path = "/results/trials.jsonl",
        Agent = "other-agent",
        Suite = "other-suite",
        StartedAt = Start.AddDays(day),
        FinishedAt = Start.AddDays(day).AddHours(1),
        Trials = [.. trials.Select((t, i) => new IngestedTrial(new Trial
        {
            RunId = 0,
            TaskId = t.Task,
            TrialIndex = 1,
            Sequence = 0,
            Category = TaskCategory.Other,
            Language = "",
            Outcome = t.Outcome,
            TestsPassed = t.Outcome == TrialOutcome.Pass ? 1 : 0,
            TestsTotal = 1,
            StartedAt = Start.AddDays(day),
            FinishedAt = Start.AddDays(day).AddMinutes(3),
            DurationMs = 180_000,
            Usage = new AgentUsage { OutputTokens = 500 + i },
            ErrorKind = t.Outcome == TrialOutcome.Error ? "ingested" : null,
            Source = $"trials.jsonl:{i + 1}",
        }))],
    };

    private static IngestedRun Totals(string key, int day, RunTotals totals) => new()
    {
        Format = "margin",
        Key = key,
        Path = $"/results/{key}",
        Agent = "tracker-agent",
        Suite = "swe",
        StartedAt = Start.AddDays(day),
        Totals = totals,
        TotalUsage = new AgentUsage { InputTokens = 1000, CostUsd = 1.25m },
        DurationMs = 3_600_000,
    };

    [Fact]
    public async Task An_ingested_run_is_stored_closed_with_its_source_and_its_trials_sources()
    {
        // Given a run of another harness with a pass, a fail and an infrastructure error
        using var store = Open();
        var run = Ingested("other-agent/other-suite/2026-11-20", 0, ("a", TrialOutcome.Pass), ("b", TrialOutcome.Fail), ("c", TrialOutcome.Error));

        // When it is ingested
        var result = (await store.Ingest.IngestAsync([run])).ShouldHaveSingleItem();

        // Then it is a closed run like any other, with its source, and each trial with its record
        result.Added.ShouldBeTrue();
        var header = (await store.Runs.GetRunAsync(result.RunId)).ShouldNotBeNull();
        header.Status.ShouldBe(RunStatus.Complete);
        header.Agent.ShouldBe("other-agent");
        header.Suite.ShouldBe("other-suite");
        header.Source.ShouldBe(new RunSource("jsonl", "other-agent/other-suite/2026-11-20", "/results/trials.jsonl"));
        header.Summary.ShouldBe(new RunSummary(3, 1, 1, 0, 1, 0));
        header.FinishedAt.ShouldBe(Start.AddHours(1));
        var trials = await store.Trials.GetTrialsAsync(result.RunId);
        trials.Select(t => (t.TaskId, t.Outcome, t.Source)).ShouldBe([("a", TrialOutcome.Pass, "trials.jsonl:1"), ("b", TrialOutcome.Fail, "trials.jsonl:2"), ("c", TrialOutcome.Error, "trials.jsonl:3")]);
        trials[1].Metrics.Get(new OutputTokens().Name).ShouldBe(501);
        (await store.Runs.FindLatestResumableRunAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task Ingesting_the_same_run_again_adds_nothing()
    {
        // Given an ingested run
        using var store = Open();
        var run = Ingested("k1", 0, ("a", TrialOutcome.Pass));
        var first = (await store.Ingest.IngestAsync([run])).ShouldHaveSingleItem();

        // When the same run is ingested again, read from another path
        var again = (await store.Ingest.IngestAsync([run with { Path = "/elsewhere/copy.jsonl" }])).ShouldHaveSingleItem();

        // Then it is the run already there, and there is still one run
        again.Added.ShouldBeFalse();
        again.RunId.ShouldBe(first.RunId);
        (await store.Runs.ListRunsAsync(new RunQuery())).ShouldHaveSingleItem().Source!.Path.ShouldBe("/results/trials.jsonl");
    }

    [Fact]
    public async Task The_same_trials_as_csv_after_jsonl_are_the_run_already_there()
    {
        // Given a run ingested from a JSON Lines file
        using var store = Open();
        var run = Ingested("k1", 0, ("a", TrialOutcome.Pass), ("b", TrialOutcome.Fail));
        var first = (await store.Ingest.IngestAsync([run])).ShouldHaveSingleItem();

        // When the same trials come as CSV from a renamed file (their records on other lines)
        var csv = run with
        {
            Format = "csv",
            Path = "/results/renamed.csv",
            Trials = [.. run.Trials.Select((t, i) => t with { Trial = t.Trial with { Source = $"renamed.csv:{i + 2}" } })],
        };
        var again = (await store.Ingest.IngestAsync([csv])).ShouldHaveSingleItem();

        // Then it is the same run, not a second copy of the day
        again.Added.ShouldBeFalse();
        again.RunId.ShouldBe(first.RunId);
        (await store.Runs.ListRunsAsync(new RunQuery())).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_run_ingested_again_with_other_content_is_refused_and_nothing_of_the_batch_is_written()
    {
        // Given an ingested run
        using var store = Open();
        await store.Ingest.IngestAsync([Ingested("k1", 0, ("a", TrialOutcome.Pass))]);

        // When a batch brings a new run and the first one changed (a pass became a fail)
        var ex = await Should.ThrowAsync<InvalidInputException>(() =>
            store.Ingest.IngestAsync([Ingested("k2", 1, ("a", TrialOutcome.Pass)), Ingested("k1", 0, ("a", TrialOutcome.Fail))]));

        // Then the message names the file and the run, and the new run was not written either
        ex.Message.ShouldContain("/results/trials.jsonl");
        ex.Message.ShouldContain("'k1'");
        ex.Message.ShouldContain("nothing was written");
        (await store.Runs.ListRunsAsync(new RunQuery())).ShouldHaveSingleItem().Source!.Key.ShouldBe("k1");
    }

    [Fact]
    public async Task A_run_the_harness_had_not_finished_is_replaced_when_it_is_read_again_finished()
    {
        // Given a run read while the other harness was still at it: incomplete, one trial of two
        using var store = Open();
        var running = Ingested("job-1", 0, ("a", TrialOutcome.Pass)) with { Status = RunStatus.Incomplete };
        var first = (await store.Ingest.IngestAsync([running])).ShouldHaveSingleItem();

        // When the same job is read again, finished, with both trials
        var finished = Ingested("job-1", 0, ("a", TrialOutcome.Pass), ("b", TrialOutcome.Fail));
        var again = (await store.Ingest.IngestAsync([finished])).ShouldHaveSingleItem();

        // Then the finished run takes the unfinished one's place: one run, complete, both trials
        again.Added.ShouldBeTrue();
        again.Replaced.ShouldBe(first.RunId);
        var runs = await store.Runs.ListRunsAsync(new RunQuery());
        var run = runs.ShouldHaveSingleItem();
        run.Id.ShouldBe(again.RunId);
        run.Status.ShouldBe(RunStatus.Complete);
        (await store.Trials.GetTrialsAsync(run.Id)).Select(t => t.TaskId).ShouldBe(["a", "b"]);
        (await store.Trials.GetTrialsAsync(first.RunId)).ShouldBeEmpty();

        // and a finished run is never replaced again
        await Should.ThrowAsync<InvalidInputException>(() =>
            store.Ingest.IngestAsync([Ingested("job-1", 0, ("a", TrialOutcome.Fail), ("b", TrialOutcome.Fail))]));
    }

    [Fact]
    public async Task A_run_known_by_its_totals_only_has_them_as_its_summary_and_in_its_history()
    {
        // Given a per-run aggregate: 30 passed, 15 failed their tests, 5 infrastructure failures
        using var store = Open();
        var result = (await store.Ingest.IngestAsync([Totals("run-20261120-060000", 0, new RunTotals(30, 15, 0, 5))])).ShouldHaveSingleItem();

        // When it is read back
        var header = (await store.Runs.GetRunAsync(result.RunId)).ShouldNotBeNull();
        var history = await store.History.GetHistoryAsync("tracker-agent", "swe");

        // Then its counts are its summary (errors not scored), it has no trials, and detection sees its totals
        header.Summary.ShouldBe(new RunSummary(50, 30, 15, 0, 5, 0));
        header.Summary.PassRate.ShouldBe(30.0 / 45);
        header.PlannedTrials.ShouldBe(50);
        header.Totals.ShouldBe(new RunTotals(30, 15, 0, 5));
        (await store.Trials.GetTrialsAsync(result.RunId)).ShouldBeEmpty();
        var run = history.Runs.ShouldHaveSingleItem();
        run.TotalsOnly.ShouldBeTrue();
        run.Trials.Count.ShouldBe(50);
        run.Trials.ShouldAllBe(t => t.TaskId == HistoryRun.TotalsTask);
        run.Trials.Count(t => t.Outcome == TrialOutcome.Pass).ShouldBe(30);
    }
}
