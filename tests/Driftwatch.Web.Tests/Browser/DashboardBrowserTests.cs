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
            await page.WaitForURLAsync($"**/runs/{seeded.RunIds[^1]}");

            // Then its task table has a row per task with outcomes, and the outcome chart is there
            (await page.Locator("table.tasks tbody tr").CountAsync()).ShouldBe(SeededDatabase.Tasks.Length);
            (await page.Locator("figure.chart svg rect").CountAsync()).ShouldBeGreaterThan(0);
            (await page.Locator("p.flips").InnerTextAsync()).ShouldContain("Against the previous run");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "run.png"), FullPage = true });

            // When a trial is opened
            await page.Locator("tr[data-task='task-00'] a.outcome").First.ClickAsync();
            await page.WaitForURLAsync("**/trials/task-00/0");

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
            await page.GotoAsync(new Uri(directory.Combine("site", "index.html")).AbsoluteUri);

            // Then the chart image has loaded, and a run link leads to the run page
            var width = await page.Locator("figure.chart img").First.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0");
            width.ShouldBeGreaterThan(0);
            await page.Locator("table.summary a", new PageLocatorOptions { HasText = "run " }).First.ClickAsync();
            (await page.Locator("table.tasks tbody tr").CountAsync()).ShouldBe(SeededDatabase.Tasks.Length);
        }
        finally
        {
            await browser.CloseAsync();
            playwright.Dispose();
        }
    }
}
