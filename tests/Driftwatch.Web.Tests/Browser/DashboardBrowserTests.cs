using Driftwatch.Cli.Tests;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Web.Serving;
using Driftwatch.Web.Tests.Commands;
using Microsoft.Playwright;
using Shouldly;

namespace Driftwatch.Web.Tests.Browser;

/// <summary>The dashboard and the static report in a real headless Chromium, with screenshots kept as test artifacts.</summary>
public sealed class DashboardBrowserTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    /// <summary>
    /// Waits on the page's conditions (a URL, a locator) for up to 3 minutes instead of Playwright's
    /// 30 s: a limit only ends a hang, and on 2 cores busy with the whole test run a page
    /// navigation took longer than 30 s in CI.
    /// </summary>
    internal static void Patient(IPage page)
    {
        page.SetDefaultTimeout(180_000);
        page.SetDefaultNavigationTimeout(180_000);
    }

    /// <summary>
    /// Waits until a click has taken the page to a URL matching <paramref name="glob"/> and the new
    /// document is parsed to its footer, the last element of every page (no page has script, so
    /// that is the whole page). Playwright's own wait for the load event timed out under load in
    /// CI after the page had loaded ("NetworkIdle event fired", then nothing), three times: a race
    /// in its load-state wait, which this does not use.
    /// </summary>
    internal static async Task ArrivedAsync(IPage page, string glob)
    {
        await page.WaitForURLAsync(glob, new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.Locator("body > footer").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
    }

    private static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.Find(), Headless = true });
        return (playwright, browser);
    }

    [Fact]
    public async Task Overview_run_and_trial_pages_render_and_link_together()
    {
        // Given the dashboard on Kestrel over the seeded database, and no network beyond it
        var port = ServeCommandTests.FreePort();
        using var host = DashboardHost.CreateBuilder(new DashboardOptions
        {
            OpenStore = () => SqliteResultStore.Open(seeded.Path),
            Urls = [$"http://127.0.0.1:{port}"],
        }).Build();
        await host.StartAsync(Ct);
        var (playwright, browser) = await LaunchAsync();
        try
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
            Patient(page);
            var external = new List<string>();
            page.Request += (_, request) =>
            {
                if (!request.Url.StartsWith($"http://127.0.0.1:{port}/", StringComparison.Ordinal))
                    external.Add(request.Url);
            };

            // When the overview loads
            var response = await page.GotoAsync($"http://127.0.0.1:{port}/");
            response!.Status.ShouldBe(200);

            // Then it shows the status, the chart with its band, baseline and alarm, and the summary table
            (await page.Locator("table.summary tbody tr").CountAsync()).ShouldBe(1);
            (await page.Locator("table.summary .status").InnerTextAsync()).ShouldBe("degraded");
            (await page.Locator("figure.chart svg polygon.band").CountAsync()).ShouldBe(1);
            (await page.Locator("figure.chart svg line.baseline").CountAsync()).ShouldBe(1);
            (await page.Locator("figure.chart svg g.alarm").CountAsync()).ShouldBe(1);
            (await page.Locator("figure.chart svg g.version-change").CountAsync()).ShouldBe(1);
            (await page.Locator("figure.chart svg circle.day").CountAsync()).ShouldBe(SeededDatabase.Days);
            var box = await page.Locator("figure.chart svg").First.BoundingBoxAsync();
            box!.Width.ShouldBeGreaterThan(500);
            Directory.CreateDirectory(ScreenshotDirectory);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "overview.png"), FullPage = true });

            // When the latest run is opened from the table
            await page.Locator("table.summary a", new PageLocatorOptions { HasText = "run " }).First.ClickAsync();
            await ArrivedAsync(page, $"**/runs/{seeded.RunIds[^1]}");

            // Then its task table has a row per task with outcomes, and the outcome chart is there
            (await page.Locator("table.tasks tbody tr").CountAsync()).ShouldBe(SeededDatabase.Tasks.Length);
            (await page.Locator("figure.chart svg rect").CountAsync()).ShouldBeGreaterThan(0);
            (await page.Locator("p.flips").InnerTextAsync()).ShouldContain("Against the previous run");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "run.png"), FullPage = true });

            // When a trial is opened
            await page.Locator("tr[data-task='task-00'] a.outcome").First.ClickAsync();
            await ArrivedAsync(page, "**/trials/task-00/0");

            // Then the transcript reads as turns, with the diff and the test output
            (await page.Locator("#transcript .turn").CountAsync()).ShouldBe(5);
            (await page.Locator("#transcript").InnerTextAsync()).ShouldContain("tool call: Edit");
            (await page.Locator("#diff pre.diff .add").InnerTextAsync()).ShouldContain("+    return 0");
            (await page.Locator("#test-output pre").InnerTextAsync()).ShouldContain("<in task-00>");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "trial.png"), FullPage = true });

            // and nothing was fetched from anywhere else
            external.ShouldBeEmpty();
        }
        finally
        {
            await browser.CloseAsync();
            playwright.Dispose();
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Flagged_trials_stand_out_on_the_overview_the_run_and_the_trial_pages()
    {
        // Given the dashboard over the seeded database, whose days 12, 27 and 29 have flagged trials
        var port = ServeCommandTests.FreePort();
        using var host = DashboardHost.CreateBuilder(new DashboardOptions
        {
            OpenStore = () => SqliteResultStore.Open(seeded.Path),
            Urls = [$"http://127.0.0.1:{port}"],
        }).Build();
        await host.StartAsync(Ct);
        var (playwright, browser) = await LaunchAsync();
        try
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
            Patient(page);
            var external = new List<string>();
            page.Request += (_, request) =>
            {
                if (!request.Url.StartsWith($"http://127.0.0.1:{port}/", StringComparison.Ordinal))
                    external.Add(request.Url);
            };
            Directory.CreateDirectory(ScreenshotDirectory);
            string Day(int day) => SeededDatabase.Start.AddDays(day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

            // When the overview loads
            await page.GotoAsync($"http://127.0.0.1:{port}/");

            // Then the latest run's flagged trials are in the summary, the chart marks the three days, and a table counts them per day
            (await page.Locator("table.summary td.flagged-counts .flag.suspect").InnerTextAsync()).ShouldBe("2 suspect");
            (await page.Locator("table.summary td.flagged-counts .flag.fallback").InnerTextAsync()).ShouldBe("1 fallback model");
            (await page.Locator("figure.chart svg g.flagged").CountAsync()).ShouldBe(3);
            (await page.Locator($"figure.chart svg g.flagged[data-day='{Day(SeededDatabase.LastDay)}'] rect.mark").CountAsync()).ShouldBe(2);
            (await page.Locator($"figure.chart svg g.flagged[data-day='{Day(SeededDatabase.RefusalDay)}'] rect.mark.refusal").CountAsync()).ShouldBe(1);
            var rows = page.Locator("table.flagged-days tbody tr");
            (await rows.CountAsync()).ShouldBe(3);
            (await rows.Nth(0).GetAttributeAsync("data-day")).ShouldBe(Day(SeededDatabase.LastDay));
            (await rows.Nth(0).Locator("td[data-flag='suspect']").InnerTextAsync()).ShouldBe("2");
            (await rows.Nth(2).Locator("td[data-flag='fallback']").InnerTextAsync()).ShouldBe("1");
            (await page.Locator("p.legend .flag.suspect").CountAsync()).ShouldBe(1, "what each kind means is said once, under the table");
            await page.Locator("table.flagged-days").ScrollIntoViewIfNeededAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "flags-overview.png"), FullPage = true });

            // When the last day's run is opened from that table
            await rows.Nth(0).Locator("a").ClickAsync();
            await ArrivedAsync(page, $"**/runs/{seeded.RunIds[^1]}");

            // Then the run counts its flagged trials, says what they mean, and badges each flagged trial next to its outcome; suspect in red
            (await page.Locator("dl.facts [data-flag='suspect']").InnerTextAsync()).ShouldBe("2 suspect");
            (await page.Locator("dl.facts [data-flag='fallback']").InnerTextAsync()).ShouldBe("1 fallback model");
            (await page.Locator("dl.facts [data-flag='refusal']").InnerTextAsync()).ShouldBe("0 refused");
            (await page.Locator("#flagged").InnerTextAsync()).ShouldContain("the change touched the test machinery");
            (await page.Locator("tr[data-task='task-01'] .flag.suspect").CountAsync()).ShouldBe(1);
            (await page.Locator("tr[data-task='task-05'] .flag.suspect").CountAsync()).ShouldBe(1);
            (await page.Locator("tr[data-task='task-02'] .flag.fallback").CountAsync()).ShouldBe(1);
            (await page.Locator("tr[data-task='task-00'] .flag").CountAsync()).ShouldBe(0);
            (await page.Locator("tr[data-task='task-01'] .flag.suspect").GetAttributeAsync("title")).ShouldBe(string.Join("; ", SeededDatabase.SuspectPass));
            (await page.Locator("tr[data-task='task-01'] .flag.suspect").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor")).ShouldBe("rgb(183, 28, 28)");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "flags-run.png"), FullPage = true });

            // When the suspect trial is opened
            await page.Locator("tr[data-task='task-01'] a.outcome").ClickAsync();
            await ArrivedAsync(page, "**/trials/task-01/0");

            // Then its title carries the badge, each flag is listed with what it means, and the model that served it is shown
            (await page.Locator("h1 .flag.suspect").InnerTextAsync()).ShouldBe("suspect");
            var flags = page.Locator("#flags li.suspect");
            (await flags.CountAsync()).ShouldBe(2);
            (await flags.Nth(0).Locator("code").InnerTextAsync()).ShouldBe(SeededDatabase.SuspectPass[0]);
            (await flags.Nth(1).Locator("code").InnerTextAsync()).ShouldBe(SeededDatabase.SuspectPass[1]);
            (await page.Locator("dl.facts").InnerTextAsync()).ShouldContain("served by\nmodel-a");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "flags-trial-suspect.png"), FullPage = true });

            // When the fallback trial of day 12 is opened
            await page.GotoAsync($"http://127.0.0.1:{port}/runs/{seeded.RunIds[SeededDatabase.FallbackDay]}/trials/task-06/0");

            // Then it names the model that really served it
            (await page.Locator("#flags li.fallback code").InnerTextAsync()).ShouldBe(SeededDatabase.Fallback);
            (await page.Locator(".served.fallback").InnerTextAsync()).ShouldBe("model-b");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "flags-trial-fallback.png"), FullPage = true });

            // and nothing was fetched from anywhere else
            external.ShouldBeEmpty();
        }
        finally
        {
            await browser.CloseAsync();
            playwright.Dispose();
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_static_report_opens_from_files_with_its_charts_loaded()
    {
        // Given a report written to a folder
        using var directory = new Driftwatch.Testing.TempDirectory("report-browser");
        var result = await new CliHarness(directory.Path).RunAsync("report", "--out", "site", "--no-trials", "--db", seeded.Path);
        result.ExitCode.ShouldBe(0, result.Error);
        var (playwright, browser) = await LaunchAsync();
        try
        {
            // When its index is opened from disk
            var page = await browser.NewPageAsync();
            Patient(page);
            await page.GotoAsync(new Uri(directory.Combine("site", "index.html")).AbsoluteUri);

            // Then the chart image has loaded, and a run link leads to the run page
            var width = await page.Locator("figure.chart img").First.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0");
            width.ShouldBeGreaterThan(0);
            await page.Locator("table.summary a", new PageLocatorOptions { HasText = "run " }).First.ClickAsync();
            (await page.Locator("table.tasks tbody tr").CountAsync()).ShouldBe(SeededDatabase.Tasks.Length);

            // And the flagged trials are there as on the dashboard: marks in the chart file, a row per flagged day, badges on the run page
            await page.GoBackAsync();
            (await page.Locator("table.flagged-days tbody tr").CountAsync()).ShouldBe(3);
            var src = await page.Locator("figure.chart img").First.GetAttributeAsync("src");
            System.Text.RegularExpressions.Regex.Count(await File.ReadAllTextAsync(directory.Combine("site", src!), Ct), "<g class=\"flagged\"").ShouldBe(3);
            await page.GotoAsync(new Uri(directory.Combine("site", $"run-{seeded.RunIds[^1]}.html")).AbsoluteUri);
            (await page.Locator("tr[data-task='task-01'] .flag.suspect").CountAsync()).ShouldBe(1);
        }
        finally
        {
            await browser.CloseAsync();
            playwright.Dispose();
        }
    }
}
