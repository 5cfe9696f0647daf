using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Driftwatch.Core.Detection;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Driftwatch.Web.Report;
using Driftwatch.Web.Tests.Api;
using Driftwatch.Web.Views;
using Shouldly;

namespace Driftwatch.Web.Tests.Pages;

/// <summary>
/// The agent × suite page, the overview, the API and the static report given a verdict with signals
/// (<see cref="SignalVerdicts"/>): each signal's value over time with its band and baseline, its
/// statistic against its limit, its status and change, and which signals set the verdict.
/// </summary>
public sealed partial class SignalPagesTests(SeededDatabase database) : IClassFixture<SeededDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> GetAsync(string url, VerdictSource? judge = null)
    {
        await using var factory = new DashboardFactory(database.Path, judge: judge ?? SignalVerdicts.Judge);
        using var response = await factory.CreateClient().GetAsync(new Uri(url, UriKind.Relative), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>The article of one signal on the page.</summary>
    private static string Article(string html, string signal)
    {
        var start = html.IndexOf($"data-signal=\"{signal}\"", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, $"no article for {signal}");
        start = html.LastIndexOf("<article", start, StringComparison.Ordinal);
        return html[start..(html.IndexOf("</article>", start, StringComparison.Ordinal) + "</article>".Length)];
    }

    [Fact]
    public async Task Each_signal_has_its_value_over_time_with_band_and_baseline_and_its_statistic_against_its_limit()
    {
        var html = await GetAsync("/agents/steady/core");

        html.ShouldContain("<section id=\"signals\">", Case.Sensitive);
        foreach (var signal in new[] { SignalVerdicts.LintFindings, SignalVerdicts.OutputTokens, SignalVerdicts.Cost })
        {
            var article = Article(html, signal.Signal);
            var text = WebUtility.HtmlDecode(article);
            // the value per day, every day drawn, with the band of a baseline day and the baseline value
            article.ShouldContain($"data-chart=\"series-signal-{signal.Signal}-steady--core\"", Case.Sensitive);
            article.ShouldContain($"<g class=\"signal-value\" data-points=\"{SeededDatabase.Days}\">", Case.Sensitive);
            article.ShouldContain("<polygon class=\"signal-band\"", Case.Sensitive);
            article.ShouldContain("<line class=\"baseline\"", Case.Sensitive);
            // the statistic after each monitored day against its limit
            article.ShouldContain($"data-chart=\"series-signal-{signal.Signal}-statistic-steady--core\"", Case.Sensitive);
            article.ShouldContain($"<g class=\"statistic\" data-points=\"{SeededDatabase.Days - SignalVerdicts.BaselineDays}\">", Case.Sensitive);
            text.ShouldContain($"<title>alarm limit {signal.Threshold!.Value.ToString("0.00", CultureInfo.InvariantCulture)}</title>", Case.Sensitive);
            // and its status
            article.ShouldContain($"<span class=\"status {signal.Status.ToString().ToLowerInvariant()}\">", Case.Sensitive);
        }
        // the baseline rule says its value in the signal's unit
        Article(html, "lintFindings").ShouldContain("<title>baseline 1.5 findings</title>", Case.Sensitive);
    }

    [Fact]
    public async Task Each_signal_says_its_change_with_its_interval_and_since_when()
    {
        var html = WebUtility.HtmlDecode(await GetAsync("/agents/steady/core"));

        html.ShouldContain($"output tokens −34% since {SignalVerdicts.ChangeDay:yyyy-MM-dd} (95% CI −40% to −28%); alarm on {SignalVerdicts.AlarmDay.AddDays(1):yyyy-MM-dd}.", Case.Sensitive);
        html.ShouldContain($"lint findings +2.5 findings since {SignalVerdicts.ChangeDay:yyyy-MM-dd} (95% CI +1.75 findings to +3.25 findings); alarm on {SignalVerdicts.AlarmDay:yyyy-MM-dd}.", Case.Sensitive);
        html.ShouldContain("cost: no change measured.", Case.Sensitive);
        html.ShouldContain("baseline 1,200 tokens, recent 792 tokens", Case.Sensitive);
        html.ShouldContain("baseline $0.0420, recent $0.0430", Case.Sensitive);
    }

    [Fact]
    public async Task The_signals_and_the_pass_rate_that_set_the_verdict_are_marked_and_the_others_are_not()
    {
        var html = await GetAsync("/agents/steady/core");

        Article(html, "lintFindings").ShouldContain("<article class=\"signal triggered\"", Case.Sensitive);
        Article(html, "lintFindings").ShouldContain("<span class=\"trigger\">triggered the verdict</span>", Case.Sensitive);
        Article(html, "outputTokens").ShouldNotContain("triggered the verdict", Case.Sensitive);
        Article(html, "costUsd").ShouldNotContain("triggered the verdict", Case.Sensitive);
        html.ShouldContain("<h2>Pass rate<span class=\"trigger\">triggered the verdict</span></h2>", Case.Sensitive);
        WebUtility.HtmlDecode(html).ShouldContain("<span class=\"triggered-by\"> by pass rate, lint findings</span></h1>", Case.Sensitive);
    }

    [Fact]
    public async Task The_pass_rate_is_not_marked_when_only_a_signal_set_the_verdict()
    {
        var html = await GetAsync("/agents/steady/core", (history, options) => SignalVerdicts.With(Checker.Check(history, options)) with { TriggeredBy = ["lintFindings"] });

        html.ShouldContain("<h2>Pass rate</h2>", Case.Sensitive);
        Article(html, "lintFindings").ShouldContain("triggered the verdict", Case.Sensitive);
    }

    [Fact]
    public async Task The_overview_row_says_which_signals_set_a_status_other_than_ok()
    {
        var html = WebUtility.HtmlDecode(await GetAsync("/"));

        SummaryRow().Match(html).Value.ShouldContain("<span class=\"status degraded\">degraded</span><span class=\"triggered-by\"> by pass rate, lint findings</span>", Case.Sensitive);
    }

    [Fact]
    public async Task The_suite_page_row_of_the_agent_says_which_signals_set_its_status()
    {
        var html = WebUtility.HtmlDecode(await GetAsync("/suites/core"));

        AgentRow().Match(html).Value.ShouldContain("<span class=\"status degraded\">degraded</span><span class=\"triggered-by\"> by pass rate, lint findings</span>", Case.Sensitive);
    }

    [Fact]
    public async Task An_ok_verdict_names_no_trigger()
    {
        var html = await GetAsync("/", (history, options) => SignalVerdicts.With(Checker.Check(history, options)) with { Status = VerdictStatus.Ok });

        html.ShouldContain("<span class=\"status ok\">ok</span></td>", Case.Sensitive);
        html.ShouldNotContain("<span class=\"triggered-by\">", Case.Sensitive);
    }

    [Fact]
    public async Task Without_signals_the_page_has_no_signals_section()
    {
        var html = await GetAsync("/agents/steady/core", Checker.Check);

        html.ShouldNotContain("<section id=\"signals\">", Case.Sensitive);
        // (the heading is marked: the seeded drop degraded the pass rate, which set the verdict)
        html.ShouldContain("<h2>Pass rate<span class=\"trigger\">triggered the verdict</span></h2>", Case.Sensitive);
    }

    [Fact]
    public async Task The_api_of_the_agent_page_has_each_signal_with_the_field_names_of_the_verdict_and_what_triggered_it()
    {
        using var json = JsonDocument.Parse(await GetAsync("/api/agents/steady/core"));

        var root = json.RootElement;
        root.GetProperty("triggeredBy").EnumerateArray().Select(e => e.GetString()).ShouldBe(["passRate", "lintFindings"]);
        var signals = root.GetProperty("signals").EnumerateArray().ToList();
        signals.Select(s => s.GetProperty("signal").GetString()).ShouldBe(["lintFindings", "outputTokens", "costUsd"]);
        var tokens = signals[1];
        foreach (var field in new[] { "signal", "label", "kind", "polarity", "unit", "status", "direction", "baselineValue", "recentValue", "change", "low", "high", "relative", "changeDay", "alarmDay", "statistic", "threshold", "arl0", "days" })
            tokens.TryGetProperty(field, out _).ShouldBeTrue(field);
        (tokens.GetProperty("label").GetString(), tokens.GetProperty("kind").GetString(), tokens.GetProperty("polarity").GetString(), tokens.GetProperty("status").GetString())
            .ShouldBe(("output tokens", "behaviour", "neutral", "warning"));
        tokens.GetProperty("change").GetDouble().ShouldBe(-0.34);
        tokens.GetProperty("changeDay").GetString().ShouldBe($"{SignalVerdicts.ChangeDay:yyyy-MM-dd}");
        var days = tokens.GetProperty("days").EnumerateArray().ToList();
        days.Count.ShouldBe(SeededDatabase.Days);
        foreach (var field in new[] { "day", "value", "trials", "bandLow", "bandHigh", "down", "up" })
            days[^1].TryGetProperty(field, out _).ShouldBeTrue(field);
        days[0].GetProperty("down").ValueKind.ShouldBe(JsonValueKind.Null);
        days[^1].GetProperty("bandHigh").GetDouble().ShouldBe(1300);
    }

    [Fact]
    public async Task The_static_report_has_the_same_signals_section_with_each_chart_as_a_file()
    {
        using var directory = new TempDirectory("report-signals");
        using var store = SqliteResultStore.Open(database.Path);

        await StaticReport.WriteAsync(new DashboardReader(store, new CheckOptions(), SignalVerdicts.Judge), directory.Path, "test", trialPages: false, Ct);

        var page = File.ReadAllText(Path.Combine(directory.Path, "series-steady--core.html"));
        page.ShouldContain("<section id=\"signals\">", Case.Sensitive);
        Article(page, "lintFindings").ShouldContain("<span class=\"trigger\">triggered the verdict</span>", Case.Sensitive);
        var charts = Path.Combine(directory.Path, "charts");
        foreach (var signal in new[] { "lintFindings", "outputTokens", "costUsd" })
        {
            var value = Directory.GetFiles(charts, $"*signal-{signal}-*.svg").Where(f => !f.Contains("-statistic-", StringComparison.Ordinal)).ShouldHaveSingleItem();
            File.ReadAllText(value).ShouldContain("<polygon class=\"signal-band\"", Case.Sensitive);
            var evidence = Directory.GetFiles(charts, $"*signal-{signal}-statistic-*.svg").ShouldHaveSingleItem();
            File.ReadAllText(evidence).ShouldContain("<line class=\"limit\"", Case.Sensitive);
        }
    }

    [GeneratedRegex("<tr data-series=\"steady--core\">.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex SummaryRow();

    [GeneratedRegex("<tr data-agent=\"steady\">.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex AgentRow();
}
