using System.Net;
using System.Text.Json;
using Driftwatch.Cli.Tests;
using Driftwatch.Testing;
using Driftwatch.Web.Tests.Api;
using Shouldly;

namespace Driftwatch.Web.Tests.Pages;

/// <summary>Five days of the seeded agent: fewer than a judgement needs.</summary>
public sealed class ShortHistoryDatabase : IDisposable
{
    public const int Days = 5;

    private readonly TempDirectory _directory = new("web-short-history");

    public ShortHistoryDatabase()
    {
        Path = _directory.Combine("driftwatch.db");
        SeededDatabase.WriteAsync(Path, days: Days).GetAwaiter().GetResult();
    }

    public string Path { get; }

    public void Dispose() => _directory.Dispose();
}

/// <summary>A history too short to judge shows as insufficient in a neutral grey on every page, never as ok.</summary>
public sealed class InsufficientPagesTests(ShortHistoryDatabase database) : IClassFixture<ShortHistoryDatabase>
{
    private const string Pill = "<span class=\"status insufficient\">insufficient</span>";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        await using var factory = new DashboardFactory(database.Path);
        using var response = await factory.CreateClient().GetAsync(new Uri(url, UriKind.Relative), Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_overview_badge_says_insufficient_in_grey_with_the_reason_and_never_ok()
    {
        var (status, html) = await GetAsync("/");

        status.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain(Pill, Case.Sensitive);
        html.ShouldContain(".status.insufficient{background:#757575}", Case.Sensitive);
        WebUtility.HtmlDecode(html).ShouldContain($"not enough history to judge: {ShortHistoryDatabase.Days} day(s) since the last declared change, 8 needed", Case.Sensitive);
        html.ShouldNotContain("<span class=\"status ok\">", Case.Sensitive);
    }

    [Fact]
    public async Task The_status_filter_offers_insufficient_and_finds_the_short_history_there_not_under_ok()
    {
        var (_, insufficient) = await GetAsync("/?status=insufficient");
        var (_, ok) = await GetAsync("/?status=ok");

        insufficient.ShouldContain("<option value=\"insufficient\" selected>insufficient</option>", Case.Sensitive);
        insufficient.ShouldContain("<tr data-series=\"steady--core\">", Case.Sensitive);
        ok.ShouldNotContain("<tr data-series=", Case.Sensitive);
    }

    [Fact]
    public async Task The_agent_page_says_insufficient_and_why()
    {
        var (status, html) = await GetAsync("/agents/steady/core");

        status.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain(Pill, Case.Sensitive);
        html.ShouldNotContain("<span class=\"status ok\">", Case.Sensitive);
        WebUtility.HtmlDecode(html).ShouldContain("No monitored days yet: not enough history to judge", Case.Sensitive);
    }

    [Fact]
    public async Task The_api_says_insufficient()
    {
        var (_, body) = await GetAsync("/api/agents/steady/core");

        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("series").GetProperty("verdict").GetProperty("verdict").GetString().ShouldBe("insufficient");
    }

    [Fact]
    public async Task The_static_report_says_insufficient_on_the_overview_and_the_agent_page()
    {
        using var directory = new TempDirectory("report-short");

        var result = await new CliHarness(directory.Path).RunAsync("report", "--out", "site", "--db", database.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        var pages = Directory.GetFiles(directory.Combine("site"), "*.html").Select(File.ReadAllText).ToList();
        File.ReadAllText(Path.Combine(directory.Combine("site"), "index.html")).ShouldContain(Pill, Case.Sensitive);
        pages.Count(p => p.Contains(Pill, StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(2);
        pages.ShouldAllBe(p => !p.Contains("<span class=\"status ok\">", StringComparison.Ordinal));
    }
}
