using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Driftwatch.Web.Tests.Api;
using Driftwatch.Web.Views;
using Shouldly;

namespace Driftwatch.Web.Tests.Pages;

/// <summary>Two agents on one suite: the seeded "steady" history and a "rival" with other luck, 30 days each.</summary>
public sealed class TwoAgentDatabase : IDisposable
{
    public const string Rival = "rival";

    private readonly TempDirectory _directory = new("web-two-agents");

    public TwoAgentDatabase()
    {
        Path = _directory.Combine("driftwatch.db");
        SeededDatabase.WriteAsync(Path).GetAwaiter().GetResult();
        SeededDatabase.WriteAsync(Path, agent: Rival, seed: 5).GetAwaiter().GetResult();
    }

    public string Path { get; }

    /// <summary>Every trial of <paramref name="agent"/> with the day of its run, read straight from the store.</summary>
    public async Task<IReadOnlyList<(DateOnly Day, Trial Trial)>> TrialsAsync(string agent)
    {
        using var store = SqliteResultStore.Open(Path);
        var trials = new List<(DateOnly, Trial)>();
        foreach (var run in await store.ListRunsAsync(new RunQuery(agent, SeededDatabase.Suite)))
            trials.AddRange((await store.GetTrialsAsync(run.Id)).Select(t => (DateOnly.FromDateTime(run.StartedAt.UtcDateTime), t)));
        return trials;
    }

    public void Dispose() => _directory.Dispose();
}

public sealed partial class EvidencePagesTests(TwoAgentDatabase database) : IClassFixture<TwoAgentDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateOnly FirstDay = DateOnly.FromDateTime(SeededDatabase.Start.UtcDateTime);

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        await using var factory = new DashboardFactory(database.Path);
        using var response = await factory.CreateClient().GetAsync(new Uri(url, UriKind.Relative), Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<SeriesPageView> SeriesViewAsync(EvidenceFilter filter)
    {
        using var store = SqliteResultStore.Open(database.Path);
        return (await new DashboardReader(store, new CheckOptions()).SeriesPageAsync(SeededDatabase.Agent, SeededDatabase.Suite, filter, Ct))!;
    }

    [Fact]
    public async Task The_agent_page_draws_the_detectors_statistic_for_every_monitored_day_against_its_limit()
    {
        var view = await SeriesViewAsync(EvidenceFilter.All);
        var verdict = view.Series.Verdict;
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        verdict.Trace.Count.ShouldBeGreaterThan(0);

        var (status, html) = await GetAsync("/agents/steady/core");

        status.ShouldBe(HttpStatusCode.OK);
        // (marked as what set the verdict: the pass rate degraded)
        html.ShouldContain($"<h2>Detector: {verdict.Detector}<span class=\"trigger\">triggered the verdict</span></h2>");
        html.ShouldContain($"<g class=\"statistic\" data-points=\"{verdict.Trace.Count}\">");
        html.ShouldContain($"<title>alarm limit {verdict.Threshold!.Value.ToString("0.00", CultureInfo.InvariantCulture)}</title>");
        html.ShouldContain($"alarm (degraded) raised on {verdict.AlarmDay:yyyy-MM-dd}");
        // the days' statistic, as drawn, is the verdict's trace
        foreach (var (day, down, _) in verdict.Trace)
            html.ShouldContain($"{day:yyyy-MM-dd} statistic: {down.ToString("0.0", CultureInfo.InvariantCulture)}");
    }

    [Fact]
    public async Task The_7_and_30_day_views_pool_the_trials_of_the_days_up_to_each_point()
    {
        var daily = await SeriesViewAsync(EvidenceFilter.All);
        foreach (var window in new[] { 7, 30 })
        {
            var pooled = await SeriesViewAsync(EvidenceFilter.All with { Window = window });
            pooled.Window.Count.ShouldBe(daily.Days.Count(d => d.Scored > 0));
            foreach (var point in pooled.Window)
            {
                var days = daily.Days.Where(d => d.Day > point.Day.AddDays(-window) && d.Day <= point.Day).ToList();
                point.Passes.ShouldBe(days.Sum(d => d.Passes), $"{window}-day point {point.Day}");
                point.Scored.ShouldBe(days.Sum(d => d.Scored), $"{window}-day point {point.Day}");
                point.Low.ShouldBeLessThanOrEqualTo(point.Rate);
                point.High.ShouldBeGreaterThanOrEqualTo(point.Rate);
            }
        }

        var (_, html) = await GetAsync("/agents/steady/core?window=7");
        html.ShouldContain("<strong class=\"view current\" data-window=\"7\">7-day</strong>");
        html.ShouldContain("<a class=\"view\" data-window=\"1\" href=\"/agents/steady/core\">daily</a>");
        html.ShouldContain("<a class=\"view\" data-window=\"30\" href=\"/agents/steady/core?window=30\">30-day</a>");
        html.ShouldContain("pass rate of the 7 days up to each day");
    }

    [Fact]
    public async Task A_date_range_and_an_outcome_keep_only_those_days_runs_and_tasks()
    {
        var from = FirstDay.AddDays(20);
        var to = FirstDay.AddDays(24);
        var trials = (await database.TrialsAsync(SeededDatabase.Agent)).Where(t => t.Day >= from && t.Day <= to).ToList();
        var failing = trials.Where(t => t.Trial.Outcome == TrialOutcome.Fail).Select(t => t.Trial.TaskId).Distinct().Order(StringComparer.Ordinal).ToList();
        failing.Count.ShouldBeInRange(1, SeededDatabase.Tasks.Length - 1);

        var (status, html) = await GetAsync($"/agents/steady/core?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&outcome=fail");

        status.ShouldBe(HttpStatusCode.OK);
        RunRows().Count(html).ShouldBe(5);
        TaskRows().Matches(html).Select(m => m.Groups["task"].Value).ShouldBe(failing);
        foreach (var task in failing)
        {
            var its = trials.Where(t => t.Trial.TaskId == task).ToList();
            html.ShouldContain($"<td>{its.Count(t => t.Trial.Outcome == TrialOutcome.Pass)}/{its.Count(t => t.Trial.Outcome != TrialOutcome.Error)}</td>");
        }
        // the form shows what is chosen, and a way back to everything
        html.ShouldContain($"<input type=\"date\" name=\"from\" value=\"{from:yyyy-MM-dd}\" />");
        html.ShouldContain("<option value=\"fail\" selected>");
        html.ShouldContain("clear filters");
    }

    [Fact]
    public async Task The_category_filter_leaves_no_task_of_another_category()
    {
        var (status, html) = await GetAsync("/agents/steady/core?category=debugging");

        status.ShouldBe(HttpStatusCode.OK);
        TaskRows().Count(html).ShouldBe(0);
        html.ShouldContain("<h2>Tasks <span class=\"muted\">(0, debugging)</span></h2>");
    }

    [Fact]
    public async Task Tokens_and_cost_per_day_are_the_sums_of_the_days_trials()
    {
        var trials = await database.TrialsAsync(SeededDatabase.Agent);
        var view = await SeriesViewAsync(EvidenceFilter.All);

        view.Usage.Count.ShouldBe(SeededDatabase.Days);
        foreach (var day in view.Usage)
        {
            var its = trials.Where(t => t.Day == day.Day).Select(t => t.Trial).ToList();
            day.Trials.ShouldBe(its.Count);
            day.InputTokens.ShouldBe(its.Sum(t => t.Usage.InputTokens));
            day.OutputTokens.ShouldBe(its.Sum(t => t.Usage.OutputTokens));
            day.CostUsd.ShouldBe(its.Sum(t => t.Usage.CostUsd));
        }
        var (_, html) = await GetAsync("/agents/steady/core");
        html.ShouldContain($"{trials.Sum(t => t.Trial.Usage.InputTokens)!.Value.ToString("N0", CultureInfo.InvariantCulture)} tokens in");
        html.ShouldContain($"{trials.Sum(t => t.Trial.Usage.CostUsd)!.Value.ToString("$0.0000", CultureInfo.InvariantCulture)} over the days shown");
        html.ShouldContain("<g class=\"input\" data-points=\"30\">");
        html.ShouldContain("<g class=\"cost\" data-points=\"30\">");
    }

    [Theory]
    [InlineData("/agents/steady/core?from=2026-13-01", "from: &#x27;2026-13-01&#x27; is not a date (YYYY-MM-DD)")]
    [InlineData("/suites/core?window=2", "window: &#x27;2&#x27; is not one of 1, 7, 30 (days)")]
    public async Task A_filter_that_cannot_be_read_is_a_400_page_naming_the_field(string url, string message)
    {
        var (status, html) = await GetAsync(url);

        status.ShouldBe(HttpStatusCode.BadRequest);
        html.ShouldContain($"<p class=\"problem\">{message}</p>");
    }

    [Fact]
    public async Task The_suite_page_puts_the_agents_side_by_side_task_by_task_and_day_by_day()
    {
        var (status, html) = await GetAsync("/suites/core");

        status.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("<thead><tr><th>task</th><th>rival</th><th>steady</th></tr></thead>");
        foreach (var agent in new[] { TwoAgentDatabase.Rival, SeededDatabase.Agent })
        {
            var trials = await database.TrialsAsync(agent);
            foreach (var task in SeededDatabase.Tasks)
            {
                var its = trials.Where(t => t.Trial.TaskId == task).ToList();
                var cell = Regex.Match(html, $"<tr data-task=\"{task}\">.*?<td data-agent=\"{agent}\"[^>]*><a href=\"/tasks/{agent}/core/{task}\">(?<cell>[^<]*)</a>", RegexOptions.Singleline);
                cell.Success.ShouldBeTrue($"{agent} × {task}");
                cell.Groups["cell"].Value.ShouldBe($"{its.Count(t => t.Trial.Outcome == TrialOutcome.Pass)}/{its.Count(t => t.Trial.Outcome != TrialOutcome.Error)}");
            }
        }
        DayRows().Count(html).ShouldBe(SeededDatabase.Days);
        html.ShouldContain("<a href=\"/agents/rival/core\">rival</a>");
    }

    [Fact]
    public async Task Choosing_agents_on_the_suite_page_leaves_only_their_columns()
    {
        var (_, html) = await GetAsync("/suites/core?agent=rival");

        html.ShouldContain("<thead><tr><th>task</th><th>rival</th></tr></thead>");
        html.ShouldNotContain("data-agent=\"steady\"");
        html.ShouldContain("<input type=\"checkbox\" name=\"agent\" value=\"rival\" checked />");
        html.ShouldContain("<input type=\"checkbox\" name=\"agent\" value=\"steady\" />");
    }

    [Fact]
    public async Task The_api_behind_the_pages_gives_the_same_numbers()
    {
        var view = await SeriesViewAsync(EvidenceFilter.All with { Window = 7 });

        var (status, body) = await GetAsync("/api/agents/steady/core?window=7");
        status.ShouldBe(HttpStatusCode.OK);
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty("window").GetInt32().ShouldBe(7);
        json.GetProperty("passRate").EnumerateArray().Select(p => p.GetProperty("passes").GetInt32()).ShouldBe(view.Window.Select(p => p.Passes));
        json.GetProperty("statistic").GetArrayLength().ShouldBe(view.Series.Verdict.Trace.Count);
        json.GetProperty("tasks").GetArrayLength().ShouldBe(SeededDatabase.Tasks.Length);

        var (_, suite) = await GetAsync("/api/suites/core");
        var agents = JsonDocument.Parse(suite).RootElement.GetProperty("agents");
        agents.EnumerateArray().Select(a => a.GetProperty("agent").GetString()).ShouldBe([TwoAgentDatabase.Rival, SeededDatabase.Agent]);
    }

    [Fact]
    public async Task The_overview_links_each_agent_and_suite_to_their_pages_and_filters_by_agent_suite_and_status()
    {
        var (_, all) = await GetAsync("/");
        SummaryRows().Count(all).ShouldBe(2);
        all.ShouldContain("<td><a href=\"/agents/steady/core\">steady</a>");
        all.ShouldContain("<td><a href=\"/suites/core\">core</a></td>");

        var (_, rival) = await GetAsync("/?agent=rival");
        SummaryRows().Matches(rival).Select(m => m.Groups["series"].Value).ShouldBe(["rival--core"]);
        rival.ShouldNotContain("<section class=\"series\" id=\"steady--core\">");
        rival.ShouldContain("<option value=\"rival\" selected>");

        var (_, ok) = await GetAsync("/?status=ok");
        SummaryRows().Count(ok).ShouldBe(0);
        var (_, degraded) = await GetAsync("/?suite=core&status=degraded");
        SummaryRows().Count(degraded).ShouldBe(2);

        var (status, bad) = await GetAsync("/?status=bad");
        status.ShouldBe(HttpStatusCode.BadRequest);
        bad.ShouldContain("status: &#x27;bad&#x27; is not one of ok, warning, degraded, improved, insufficient");
    }

    [Fact]
    public async Task An_agent_or_suite_without_runs_is_a_404()
    {
        (await GetAsync("/agents/nobody/core")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await GetAsync("/suites/nothing")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await GetAsync("/api/suites/nothing")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [GeneratedRegex("<tr data-series=\"(?<series>[^\"]+)\">")]
    private static partial Regex SummaryRows();

    [GeneratedRegex("<tr><td><a href=\"/runs/\\d+\">run \\d+</a>")]
    private static partial Regex RunRows();

    [GeneratedRegex("<tr data-task=\"(?<task>[^\"]+)\"><td><a href=\"/tasks/")]
    private static partial Regex TaskRows();

    [GeneratedRegex("<tr data-day=\"\\d{4}-\\d{2}-\\d{2}\"><th scope=\"row\">")]
    private static partial Regex DayRows();
}
