using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Driftwatch.Testing;
using Driftwatch.Web.Tests.Pages;
using Shouldly;

namespace Driftwatch.Web.Tests.Api;

/// <summary>
/// A long history (#20): every list the dashboard answers with is a page or a window, so that no
/// answer grows with the history — /api/runs pages back through a Link header, the series page
/// through `?before=`, the overview lists its latest runs, /api/overview and /api/verdicts hold the
/// last `days` days (90 unless asked, `all` for every one).
/// </summary>
public sealed partial class PagingTests(PagingTests.LongHistory history, SeededDatabase seeded) : IClassFixture<PagingTests.LongHistory>, IClassFixture<SeededDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The seeded agent × suite over 130 days: one run a day, more than a page of runs and than the 90 days of the overview's window.</summary>
    public sealed class LongHistory : IDisposable
    {
        public const int Days = 130;
        private readonly TempDirectory _directory = new("web-long");

        public LongHistory()
        {
            Path = _directory.Combine("long.db");
            RunIds = SeededDatabase.WriteAsync(Path, days: Days).GetAwaiter().GetResult();
        }

        public string Path { get; }

        public IReadOnlyList<long> RunIds { get; }

        public void Dispose() => _directory.Dispose();
    }

    private static async Task<(JsonElement Json, string? Link)> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
        var link = response.Headers.TryGetValues("Link", out var values) ? string.Join(",", values) : null;
        return (JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone(), link);
    }

    [GeneratedRegex("^<(?<url>[^>]+)>; rel=\"next\"$")]
    private static partial Regex NextLink();

    private static long[] Ids(JsonElement runs) => [.. runs.EnumerateArray().Select(r => r.GetProperty("id").GetInt64())];

    [Fact]
    public async Task Runs_come_a_page_at_a_time_newest_page_first_with_a_link_to_the_next_older_page()
    {
        // Given the dashboard on 130 runs
        await using var factory = new DashboardFactory(history.Path);
        var client = factory.CreateClient();

        // When the runs are listed with no limit, then 50 at a time following each page's Link, and the first page asked again
        var (unasked, unaskedLink) = await GetJsonAsync(client, "/api/runs");
        var pages = new List<long[]>();
        var links = new List<string>();
        string? url = "/api/runs?agent=steady&limit=50";
        while (url is not null)
        {
            var (page, link) = await GetJsonAsync(client, url);
            pages.Add(Ids(page));
            url = link is null ? null : NextLink().Match(link).Groups["url"].Value;
            if (link is not null)
                links.Add(link);
        }
        var (_, keptLink) = await GetJsonAsync(client, "/api/runs?agent=steady&limit=50");

        // Then no answer holds more than its page; together the pages are every run once, newest page first, each oldest first
        Ids(unasked).ShouldBe(history.RunIds.Skip(LongHistory.Days - 100));
        unaskedLink.ShouldBe($"</api/runs?limit=100&before={history.RunIds[LongHistory.Days - 100]}>; rel=\"next\"");
        pages.Select(p => p.Length).ShouldBe([50, 50, 30]);
        pages.AsEnumerable().Reverse().SelectMany(p => p).ShouldBe(history.RunIds);
        links.Count.ShouldBe(2);
        links[0].ShouldBe($"</api/runs?agent=steady&limit=50&before={history.RunIds[80]}>; rel=\"next\"");
        keptLink.ShouldBe(links[0]);
    }

    [Fact]
    public async Task A_short_list_of_runs_is_one_page_without_a_link_and_a_bad_cursor_is_a_400()
    {
        await using var factory = new DashboardFactory(seeded.Path);
        var client = factory.CreateClient();

        var (all, link) = await GetJsonAsync(client, "/api/runs");
        var (last, lastLink) = await GetJsonAsync(client, "/api/runs?last=2");
        using var bad = await client.GetAsync(new Uri("/api/runs?before=latest", UriKind.Relative), Ct);
        using var badLimit = await client.GetAsync(new Uri("/api/runs?limit=0", UriKind.Relative), Ct);

        Ids(all).ShouldBe(seeded.RunIds);
        link.ShouldBeNull();
        Ids(last).ShouldBe(seeded.RunIds.TakeLast(2));
        lastLink.ShouldBe($"</api/runs?limit=2&before={seeded.RunIds[^2]}>; rel=\"next\"");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync(Ct)).ShouldContain("before");
        badLimit.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badLimit.Content.ReadAsStringAsync(Ct)).ShouldContain("limit");
    }

    [Fact]
    public async Task The_overview_and_the_verdicts_hold_the_last_days_asked_for_90_unless_asked_and_every_day_for_all()
    {
        // Given the seeded 30 days with signals over every day, and 130 days
        await using var withSignals = new DashboardFactory(seeded.Path, judge: SignalVerdicts.Judge);
        var client = withSignals.CreateClient();
        await using var longFactory = new DashboardFactory(history.Path);
        var longClient = longFactory.CreateClient();

        // When the overview and the verdicts are read with no window, the last 10 days and every day
        var (ten, _) = await GetJsonAsync(client, "/api/overview?days=10");
        var (unasked, _) = await GetJsonAsync(client, "/api/overview");
        var (verdictsTen, _) = await GetJsonAsync(client, "/api/verdicts?days=10");
        var (longUnasked, _) = await GetJsonAsync(longClient, "/api/overview");
        var (longAll, _) = await GetJsonAsync(longClient, "/api/overview?days=all");
        using var bad = await client.GetAsync(new Uri("/api/verdicts?days=0", UriKind.Relative), Ct);

        // Then each history's days and its signals' days are those of its last N days
        var lastDay = SignalVerdicts.First.AddDays(SeededDatabase.Days - 1);
        static string[] DaysOf(JsonElement days) => [.. days.EnumerateArray().Select(d => d.GetProperty("day").GetString()!)];
        var series = ten.EnumerateArray().ShouldHaveSingleItem();
        DaysOf(series.GetProperty("days")).ShouldBe([.. Enumerable.Range(SeededDatabase.Days - 10, 10).Select(i => SignalVerdicts.First.AddDays(i).ToString("yyyy-MM-dd"))]);
        foreach (var verdict in new[] { series.GetProperty("verdict"), verdictsTen.EnumerateArray().ShouldHaveSingleItem() })
        {
            var signals = verdict.GetProperty("signals").EnumerateArray().ToList();
            signals.Count.ShouldBe(3);
            foreach (var signal in signals)
                DaysOf(signal.GetProperty("days")).ShouldBe([.. Enumerable.Range(0, 10).Select(i => lastDay.AddDays(i - 9).ToString("yyyy-MM-dd"))]);
        }
        var whole = unasked.EnumerateArray().ShouldHaveSingleItem();
        whole.GetProperty("days").GetArrayLength().ShouldBe(SeededDatabase.Days);
        whole.GetProperty("verdict").GetProperty("signals")[0].GetProperty("days").GetArrayLength().ShouldBe(SeededDatabase.Days);
        longUnasked[0].GetProperty("days").GetArrayLength().ShouldBe(90);
        longAll[0].GetProperty("days").GetArrayLength().ShouldBe(LongHistory.Days);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync(Ct)).ShouldContain("days");
    }

    [Fact]
    public async Task The_series_page_lists_its_latest_runs_with_a_link_to_older_ones_and_its_api_the_same_page()
    {
        // Given the dashboard on 130 runs
        await using var factory = new DashboardFactory(history.Path);
        var client = factory.CreateClient();

        // When the series page is read, and the older runs it links to, as pages and through the API
        var latest = await client.GetStringAsync(new Uri("/agents/steady/core", UriKind.Relative), Ct);
        var olderHref = OlderRuns().Match(latest).Groups["href"].Value;
        var older = await client.GetStringAsync(new Uri(System.Net.WebUtility.HtmlDecode(olderHref), UriKind.Relative), Ct);
        var (api, _) = await GetJsonAsync(client, "/api/agents/steady/core");
        var (apiOlder, _) = await GetJsonAsync(client, $"/api/agents/steady/core?before={api.GetProperty("olderRunsBefore").GetInt64()}");
        using var bad = await client.GetAsync(new Uri("/agents/steady/core?before=x", UriKind.Relative), Ct);

        // Then the page lists the latest 100 of 130 and links to the 30 before them, which link back
        RunRows(latest).ShouldBe(100);
        latest.ShouldContain("The latest 100 of 130.");
        olderHref.ShouldBe($"/agents/steady/core?before={history.RunIds[30]}#runs");
        RunRows(older).ShouldBe(30);
        older.ShouldContain($"30 of 130, before run {history.RunIds[30]}.");
        older.ShouldContain("class=\"newest-runs\" href=\"/agents/steady/core#runs\"");
        older.ShouldNotContain("older-runs");
        Ids(api.GetProperty("runs")).ShouldBe(history.RunIds.Skip(30));
        api.GetProperty("runCount").GetInt32().ShouldBe(130);
        Ids(apiOlder.GetProperty("runs")).ShouldBe(history.RunIds.Take(30));
        apiOlder.GetProperty("olderRunsBefore").ValueKind.ShouldBe(JsonValueKind.Null);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_overview_lists_each_historys_latest_runs_and_links_to_the_rest()
    {
        await using var factory = new DashboardFactory(history.Path);

        var html = await factory.CreateClient().GetStringAsync(new Uri("/", UriKind.Relative), Ct);

        var runs = html[html.IndexOf("<details><summary>Runs</summary>", StringComparison.Ordinal)..];
        Regex.Count(runs, "<tr><td><a href=\"/runs/").ShouldBe(30);
        runs.ShouldContain($"<a href=\"/runs/{history.RunIds[^1]}\">");
        runs.ShouldNotContain($"<a href=\"/runs/{history.RunIds[^31]}\">");
        runs.ShouldContain("The latest 30 of 130 runs; every run is on <a href=\"/agents/steady/core#runs\">its page</a>.");
    }

    [GeneratedRegex("class=\"older-runs\" href=\"(?<href>[^\"]+)\"")]
    private static partial Regex OlderRuns();

    private static int RunRows(string html)
    {
        var section = html[html.IndexOf("<section id=\"runs\">", StringComparison.Ordinal)..];
        return Regex.Count(section[..section.IndexOf("</section>", StringComparison.Ordinal)], "<tr><td><a href=\"/runs/");
    }
}
