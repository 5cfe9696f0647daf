using System.Net;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Driftwatch.Web.Tests.Api;
using Shouldly;

namespace Driftwatch.Web.Tests.Pages;

/// <summary>The dashboard on runs ingested from other harnesses: where they came from, and runs known by their totals only.</summary>
public sealed class IngestedRunPagesTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 5, 30, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new("web-ingested");

    public IngestedRunPagesTests()
    {
        using var store = SqliteResultStore.Open(Path);
        store.IngestAsync([
            new IngestedRun
            {
                Format = "margin",
                Key = "run-20261001-053000",
                Path = "/srv/margin/run-20261001-053000/results.json",
                Agent = "claude-code",
                Suite = "swe-pro",
                StartedAt = Start,
                Totals = new RunTotals(29, 19, 0, 2),
                TotalUsage = new AgentUsage { InputTokens = 1_200_000, OutputTokens = 400_000, CostUsd = 61.5m },
                DurationMs = 5_400_000,
            },
            new IngestedRun
            {
                Format = "jsonl",
                Key = "their-agent/their-suite/2026-10-01",
                Path = "/srv/results/trials.jsonl",
                Agent = "their-agent",
                Suite = "their-suite",
                StartedAt = Start,
                Trials = [new IngestedTrial(new Trial
                {
                    RunId = 0, TaskId = "parse-dates", TrialIndex = 1, Sequence = 0, Category = TaskCategory.Other, Language = "",
                    Outcome = TrialOutcome.Fail, TestsPassed = 0, TestsTotal = 1, StartedAt = Start, FinishedAt = Start.AddMinutes(2),
                    DurationMs = 120_000, Usage = new AgentUsage { OutputTokens = 900, CostUsd = 0.04m }, Source = "trials.jsonl:7",
                })],
            },
        ]).GetAwaiter().GetResult();
    }

    private string Path => _directory.Combine("driftwatch.db");

    public void Dispose() => _directory.Dispose();

    private async Task<string> GetAsync(string url)
    {
        await using var factory = new DashboardFactory(Path);
        using var response = await factory.CreateClient().GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_run_known_by_its_totals_shows_its_counts_usage_and_source_and_no_task_table()
    {
        var page = await GetAsync("/runs/1");

        page.ShouldContain("ingested from");
        page.ShouldContain("margin run run-20261001-053000 · /srv/margin/run-20261001-053000/results.json");
        page.ShouldContain("29 pass, 19 fail, 0 timeout, 2 error");
        page.ShouldContain("1,200,000 in, 400,000 out");
        page.ShouldContain("$61.5000");
        page.ShouldContain("duration (run)");
        page.ShouldContain("per-run totals only");
        page.ShouldNotContain("<table class=\"tasks\">");
    }

    [Fact]
    public async Task The_agent_suite_page_of_totals_counts_their_usage_per_day()
    {
        var page = await GetAsync("/agents/claude-code/swe-pro");

        page.ShouldContain("judged on daily totals only");
        page.ShouldNotContain("The agent reported no tokens or cost for these days.");
        page.ShouldContain("$61.5000");
    }

    [Fact]
    public async Task A_run_ingested_with_trials_names_its_source_and_links_its_trials()
    {
        var page = await GetAsync("/runs/2");
        var trial = await GetAsync("/runs/2/trials/parse-dates/1");

        page.ShouldContain("jsonl run their-agent/their-suite/2026-10-01 · /srv/results/trials.jsonl");
        page.ShouldContain("parse-dates");
        trial.ShouldContain("fail");
    }
}
