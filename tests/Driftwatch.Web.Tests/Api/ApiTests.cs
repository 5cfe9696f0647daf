using System.Net;
using System.Text.Json;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Web.Tests.Api;

public sealed class ApiTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    [Fact]
    public async Task Runs_lists_every_run_with_the_spec_fields_and_honours_last()
    {
        // Given the seeded database behind the dashboard
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        // When the runs are listed, all and the last two
        var all = await GetJsonAsync(client, "/api/runs");
        var last = await GetJsonAsync(client, "/api/runs?last=2&agent=steady");

        // Then every run is there, oldest first, with the header fields of `runs --json`
        all.GetArrayLength().ShouldBe(SeededDatabase.Days);
        var first = all[0];
        foreach (var field in new[] { "id", "agent", "suite", "status", "startedAt", "summary" })
            first.TryGetProperty(field, out _).ShouldBeTrue(field);
        first.GetProperty("agent").GetString().ShouldBe("steady");
        first.GetProperty("status").GetString().ShouldBe("complete");
        first.GetProperty("summary").GetProperty("total").GetInt32().ShouldBe(10);
        last.GetArrayLength().ShouldBe(2);
        last[1].GetProperty("id").GetInt64().ShouldBe(seeded.RunIds[^1]);
    }

    [Fact]
    public async Task A_run_without_a_sandbox_says_UNCONFINED_on_its_page()
    {
        // Given the seeded runs, made with --sandbox none
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        // When a run's page is shown
        var page = await client.GetStringAsync(new Uri($"/runs/{seeded.RunIds[0]}", UriKind.Relative), Ct);

        // Then it says so where the run's facts are
        page.ShouldContain("none: UNCONFINED");
    }

    [Fact]
    public async Task A_bad_last_is_a_400_naming_the_parameter()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        using var response = await factory.CreateClient().GetAsync(new Uri("/api/runs?last=many", UriKind.Relative), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("last");
    }

    [Fact]
    public async Task A_run_has_its_trials_totals_and_flips_against_the_previous_run()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        // When the run of the drop day is read
        var dropRun = seeded.RunIds[SeededDatabase.DropDay];
        var run = await GetJsonAsync(client, $"/api/runs/{dropRun}");

        // Then it carries its ten trials, sums and the run before it
        run.GetProperty("trials").GetArrayLength().ShouldBe(10);
        run.GetProperty("previousRun").GetInt64().ShouldBe(seeded.RunIds[SeededDatabase.DropDay - 1]);
        run.GetProperty("totals").GetProperty("costUsd").GetDecimal().ShouldBe(0.125m);
        var trial = run.GetProperty("trials")[0];
        foreach (var field in new[] { "task", "trial", "outcome", "testsPassed", "testsTotal", "durationMs", "inputTokens", "outputTokens", "costUsd", "agentVersion" })
            trial.TryGetProperty(field, out _).ShouldBeTrue(field);
        // and what broke is exactly the tasks whose outcome went from pass to fail
        var previous = await GetJsonAsync(client, $"/api/runs/{seeded.RunIds[SeededDatabase.DropDay - 1]}");
        var before = previous.GetProperty("trials").EnumerateArray().ToDictionary(t => t.GetProperty("task").GetString()!, t => t.GetProperty("outcome").GetString());
        var expectedBroke = run.GetProperty("trials").EnumerateArray()
            .Where(t => t.GetProperty("outcome").GetString() == "fail" && before[t.GetProperty("task").GetString()!] == "pass")
            .Select(t => t.GetProperty("task").GetString()).ToList();
        run.GetProperty("flips").GetProperty("broke").EnumerateArray().Select(e => e.GetString()).ToList().ShouldBe(expectedBroke);
        expectedBroke.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_task_page_shows_the_flags_of_its_trials()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        // When the page of task-01 is read (its last trial passed with a suspect change)
        var page = await client.GetStringAsync(new Uri($"/tasks/{SeededDatabase.Agent}/{SeededDatabase.Suite}/task-01", UriKind.Relative), Ct);

        // Then that trial carries its suspect badge, with the flags in its tooltip
        page.ShouldContain("<span class=\"flag suspect\" title=\"" + System.Net.WebUtility.HtmlEncode(string.Join("; ", SeededDatabase.SuspectPass)) + "\">");
    }

    [Fact]
    public async Task A_synthetic_run_page_says_why_its_cost_and_times_are_zero()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        var page = await client.GetStringAsync(new Uri($"/runs/{seeded.RunIds[0]}", UriKind.Relative), Ct);

        page.ShouldContain("(synthetic agent: no model was called)");
        page.ShouldContain("reuses its result, so its test time is 0)");
    }

    [Fact]
    public async Task A_run_page_says_whether_its_flips_add_up_to_more_than_chance()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        // When the run page of the drop day is read (one trial per task, ten tasks, none in error)
        var page = await client.GetStringAsync(new Uri($"/runs/{seeded.RunIds[SeededDatabase.DropDay]}", UriKind.Relative), Ct);

        // Then next to what broke and what was fixed stands the paired test of the two runs
        // (as text: the page writes −, + and – as character references)
        var match = System.Text.RegularExpressions.Regex.Match(System.Net.WebUtility.HtmlDecode(page),
            @"<strong class=""fail"">(?<broke>\d+) broke</strong>, <strong class=""pass"">(?<fixed>\d+) fixed</strong>; difference (?<d>[+−]?\d+\.\d) points \(95% CI [+−]?\d+\.\d to [+−]?\d+\.\d\), p = (?<p>[01]\.\d{3}) \(McNemar exact, one trial per task\): (?<q>within what chance gives|beyond chance)\.");
        match.Success.ShouldBeTrue(page);
        var broke = int.Parse(match.Groups["broke"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var fixedTasks = int.Parse(match.Groups["fixed"].Value, System.Globalization.CultureInfo.InvariantCulture);
        (broke + fixedTasks).ShouldBeGreaterThan(0);
        // the difference is (fixed − broke) over the ten paired tasks, and the words follow the p-value
        var difference = double.Parse(match.Groups["d"].Value.Replace('−', '-'), System.Globalization.CultureInfo.InvariantCulture);
        difference.ShouldBe((fixedTasks - broke) * 10.0, 0.05);
        var p = double.Parse(match.Groups["p"].Value, System.Globalization.CultureInfo.InvariantCulture);
        match.Groups["q"].Value.ShouldBe(p < 0.05 ? "beyond chance" : "within what chance gives");
    }

    [Fact]
    public async Task Runs_and_days_count_their_suspect_fallback_and_refused_trials()
    {
        // Given the seeded database: a fallback on day 12, a refusal on day 27, and on the last day two suspect trials (one with two suspect flags) and a scored fallback
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        // When the runs, the last run, the overview and the suspect trial are read
        var runs = await GetJsonAsync(client, "/api/runs");
        var last = await GetJsonAsync(client, $"/api/runs/{seeded.RunIds[^1]}");
        var series = (await GetJsonAsync(client, "/api/overview"))[0];
        var suspect = await GetJsonAsync(client, $"/api/runs/{seeded.RunIds[^1]}/trials/task-01/0");

        // Then every run header counts its flagged trials by kind, each trial once per kind
        static (int, int, int) Flagged(JsonElement e) =>
            (e.GetProperty("flagged").GetProperty("suspect").GetInt32(), e.GetProperty("flagged").GetProperty("fallback").GetInt32(), e.GetProperty("flagged").GetProperty("refusal").GetInt32());
        Flagged(runs[SeededDatabase.FallbackDay]).ShouldBe((0, 1, 0));
        Flagged(runs[SeededDatabase.RefusalDay]).ShouldBe((0, 0, 1));
        Flagged(runs[SeededDatabase.LastDay]).ShouldBe((2, 1, 0));
        Flagged(runs[0]).ShouldBe((0, 0, 0));
        // and so do the run, the latest run of the agent × suite, and each day
        Flagged(last).ShouldBe((2, 1, 0));
        Flagged(series.GetProperty("latest")).ShouldBe((2, 1, 0));
        var days = series.GetProperty("days").EnumerateArray().ToList();
        days.Select((d, i) => (i, Flagged(d))).Where(d => d.Item2 != (0, 0, 0)).ShouldBe(
            [(SeededDatabase.FallbackDay, (0, 1, 0)), (SeededDatabase.RefusalDay, (0, 0, 1)), (SeededDatabase.LastDay, (2, 1, 0))]);
        // and the suspect trial, not counted, has its flags and the model that served it
        var trial = suspect.GetProperty("trial");
        trial.GetProperty("outcome").GetString().ShouldBe("error");
        trial.GetProperty("errorKind").GetString().ShouldBe("suspect");
        trial.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ShouldBe(SeededDatabase.SuspectPass);
        trial.GetProperty("servedModels").EnumerateArray().Select(f => f.GetString()).ShouldBe(["model-a"]);
    }

    [Fact]
    public async Task Unknown_runs_and_trials_are_404()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();
        (await client.GetAsync(new Uri("/api/runs/9999", UriKind.Relative), Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync(new Uri($"/api/runs/{seeded.RunIds[0]}/trials/nope/0", UriKind.Relative), Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync(new Uri("/runs/9999", UriKind.Relative), Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_missing_page_is_a_404_page_that_names_what_is_missing_with_the_name_escaped()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var response = await factory.CreateClient().GetAsync(new Uri("/tasks/a/b/%3Cscript%3Ealert(1)", UriKind.Relative), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await response.Content.ReadAsStringAsync(Ct);
        html.ShouldStartWith("<!DOCTYPE html>");
        html.ShouldContain("<h1>Not found</h1>");
        html.ShouldContain("no task &lt;script&gt;alert(1) in runs of a on b");
        html.ShouldNotContain("<script>");
    }

    [Fact]
    public async Task The_overview_has_the_verdict_days_with_intervals_and_the_version_change()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var overview = await GetJsonAsync(factory.CreateClient(), "/api/overview");

        overview.GetArrayLength().ShouldBe(1);
        var series = overview[0];
        series.GetProperty("verdict").GetProperty("verdict").GetString().ShouldBe("degraded");
        var days = series.GetProperty("days");
        days.GetArrayLength().ShouldBe(SeededDatabase.Days);
        foreach (var day in days.EnumerateArray())
        {
            var rate = day.GetProperty("passRate").GetDouble();
            day.GetProperty("low").GetDouble().ShouldBeLessThanOrEqualTo(rate);
            day.GetProperty("high").GetDouble().ShouldBeGreaterThanOrEqualTo(rate);
        }
        // Day 5 had one infrastructure error: it is not scored.
        days[5].GetProperty("scored").GetInt32().ShouldBe(9);
        days[5].GetProperty("errors").GetInt32().ShouldBe(1);
        var change = series.GetProperty("changes").EnumerateArray().ShouldHaveSingleItem();
        change.GetProperty("day").GetString().ShouldBe(SeededDatabase.Start.AddDays(SeededDatabase.DropDay).ToString("yyyy-MM-dd"));
        change.GetProperty("what").GetString()!.ShouldContain("agent 1.0 → 1.1");
    }

    [Fact]
    public async Task Task_and_trial_endpoints_back_their_pages()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        var task = await GetJsonAsync(client, "/api/tasks/steady/core/task-00");
        task.GetProperty("runs").GetArrayLength().ShouldBe(SeededDatabase.Days);

        var trial = await GetJsonAsync(client, $"/api/runs/{seeded.RunIds[0]}/trials/task-00/0");
        trial.GetProperty("transcript").GetString()!.ShouldContain("I will fix task-00.");
        trial.GetProperty("diff").GetString()!.ShouldContain("+    return 0");
        trial.GetProperty("testOutput").GetString()!.ShouldContain("<in task-00>");
    }

    [Fact]
    public async Task Pages_are_html_with_server_drawn_charts_and_escaped_text()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        var overview = await client.GetStringAsync(new Uri("/", UriKind.Relative), Ct);
        overview.ShouldContain("<svg");
        overview.ShouldContain("class=\"rate\"");
        overview.ShouldContain("status degraded");
        overview.ShouldNotContain("<script");
        overview.ShouldNotContain("https://");

        var trial = await client.GetStringAsync(new Uri($"/runs/{seeded.RunIds[0]}/trials/task-00/0", UriKind.Relative), Ct);
        trial.ShouldContain("tool call: Edit");
        trial.ShouldContain("&lt;in task-00&gt;");
    }

    [Fact]
    public async Task The_link_in_alerts_leads_to_the_run_or_else_the_agents_own_page()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var toRun = await client.GetAsync(new Uri("/agents/steady/core?run=7", UriKind.Relative), Ct);
        toRun.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        toRun.Headers.Location!.ToString().ShouldBe("/runs/7");

        using var toAgent = await client.GetAsync(new Uri("/agents/steady/core", UriKind.Relative), Ct);
        toAgent.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await toAgent.Content.ReadAsStringAsync(Ct)).ShouldContain("<title>Driftwatch &#x2014; steady on core</title>");
    }

    [Fact]
    public async Task Metrics_are_openmetrics_text_ending_in_eof()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        using var response = await factory.CreateClient().GetAsync(new Uri("/metrics", UriKind.Relative), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().ShouldStartWith("application/openmetrics-text; version=1.0.0");
        var text = await response.Content.ReadAsStringAsync(Ct);
        text.ShouldEndWith("# EOF\n");
        text.ShouldContain("driftwatch_verdict{agent=\"steady\",suite=\"core\",driftwatch_verdict=\"degraded\"} 1");
        text.ShouldContain("driftwatch_run_trials{agent=\"steady\",suite=\"core\",outcome=\"pass\"}");
    }

    [Fact]
    public async Task The_api_keeps_answering_while_a_run_writes_to_the_same_database()
    {
        // Given a copy of the database served by the dashboard
        using var directory = new TempDirectory("web-wal");
        var path = seeded.CopyTo(directory.Path);
        await using var factory = new DashboardFactory(path);
        var client = factory.CreateClient();
        var before = (await GetJsonAsync(client, "/api/runs")).GetArrayLength();

        // When another store writes new runs, trial by trial, while the API is read in a loop
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writer = Task.Run(async () =>
        {
            using var store = SqliteResultStore.Open(path);
            var rng = new Rng(99);
            for (var day = SeededDatabase.Days; day < SeededDatabase.Days + 6; day++)
                await SeededDatabase.WriteRunAsync(store, SeededDatabase.Agent, day, rng, new RunOwner("elsewhere", 2, SeededDatabase.Start));
        }, Ct);
        var reads = 0;
        while (!writer.IsCompleted)
        {
            using var runs = await client.GetAsync(new Uri("/api/runs", UriKind.Relative), Ct);
            runs.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var overview = await client.GetAsync(new Uri("/", UriKind.Relative), Ct);
            overview.StatusCode.ShouldBe(HttpStatusCode.OK);
            reads++;
        }
        await writer;

        // Then every read succeeded and the new runs are visible
        reads.ShouldBeGreaterThan(0);
        (await GetJsonAsync(client, "/api/runs")).GetArrayLength().ShouldBe(before + 6);
    }
}
