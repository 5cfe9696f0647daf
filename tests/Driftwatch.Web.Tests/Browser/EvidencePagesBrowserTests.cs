using Driftwatch.Storage.Sqlite;
using Driftwatch.Web.Serving;
using Driftwatch.Web.Tests.Commands;
using Driftwatch.Web.Tests.Pages;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using Shouldly;

namespace Driftwatch.Web.Tests.Browser;

/// <summary>
/// The agent × suite page and the suite page in a real headless Chromium, on a laptop and on a phone:
/// nothing wider than the window, filters that work with script turned off, and screenshots
/// (kept as test artifacts; written to $DRIFTWATCH_SCREENSHOTS too when it names a folder, which is
/// how docs/screenshots is made).
/// </summary>
public sealed class EvidencePagesBrowserTests(TwoAgentDatabase database) : IClassFixture<TwoAgentDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static readonly TheoryData<string, int, int> Screens = new()
    {
        { "laptop", 1280, 800 },
        { "phone", 390, 844 },
    };

    private async Task<(IHost Host, string Url)> StartAsync()
    {
        var port = ServeCommandTests.FreePort();
        var host = DashboardHost.CreateBuilder(new DashboardOptions
        {
            OpenStore = () => SqliteResultStore.Open(database.Path),
            Urls = [$"http://127.0.0.1:{port}"],
        }).Build();
        await host.StartAsync(Ct);
        return (host, $"http://127.0.0.1:{port}");
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folders = new[] { DashboardBrowserTests.ScreenshotDirectory, Environment.GetEnvironmentVariable("DRIFTWATCH_SCREENSHOTS") };
        foreach (var folder in folders.Where(f => !string.IsNullOrEmpty(f)))
        {
            Directory.CreateDirectory(folder!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder!, name + ".png"), FullPage = true });
        }
    }

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task Every_page_fits_the_window_with_every_chart_drawn(string screen, int width, int height)
    {
        var (host, url) = await StartAsync();
        using var _ = host;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.Find(), Headless = true });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, IsMobile = screen == "phone", DeviceScaleFactor = 1 });
        DashboardBrowserTests.Patient(page);

        var run = (await database.TrialsAsync(SeededDatabase.Agent))[^1].Trial.RunId;
        var pages = new[]
        {
            ("/agents/steady/core?window=7", "agent-suite", 4),
            ("/suites/core", "suite", 0),
            ("/", "overview", 2),
            ($"/runs/{run}", "run", 1),
            ("/tasks/steady/core/task-00", "task", 1),
            ($"/runs/{run}/trials/task-01/0", "trial", 0),
        };
        foreach (var (path, name, charts) in pages)
        {
            (await page.GotoAsync(url + path))!.Status.ShouldBe(200);

            // Nothing makes the page wider than the window: wide tables scroll inside their box
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            overflow.ShouldBeLessThanOrEqualTo(0, $"{path} on a {screen}");
            // and each chart is drawn across the content's width, its box no wider than the window
            // (on a phone a chart keeps a legible size and scrolls sideways inside its box)
            var figures = page.Locator("figure.chart");
            (await figures.CountAsync()).ShouldBe(charts);
            var content = (await page.Locator("body").BoundingBoxAsync())!.Width;
            for (var i = 0; i < charts; i++)
            {
                var figure = (await figures.Nth(i).BoundingBoxAsync())!;
                figure.X.ShouldBeGreaterThanOrEqualTo(0);
                (figure.X + figure.Width).ShouldBeLessThanOrEqualTo(width, $"chart {i} of {path} on a {screen}");
                // a line chart over days spans the content and stays tall enough to read
                var trend = figures.Nth(i).Locator("svg.trend");
                if (await trend.CountAsync() == 0)
                    continue;
                var chart = (await trend.BoundingBoxAsync())!;
                chart.Width.ShouldBeGreaterThan(content * 0.8f, $"chart {i} of {path} on a {screen}");
                chart.Height.ShouldBeGreaterThan(screen == "phone" ? 100 : 150);
            }
            if (name is "agent-suite" or "suite")
                await ScreenshotAsync(page, $"{name}-{screen}");
        }
    }

    [Fact]
    public async Task The_filters_and_the_window_views_work_with_script_turned_off()
    {
        var (host, url) = await StartAsync();
        using var _ = host;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.Find(), Headless = true });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        DashboardBrowserTests.Patient(page);

        // On the suite page, choosing one agent and a date range and pressing apply
        await page.GotoAsync(url + "/suites/core");
        (await page.Locator("table[data-matrix='agent-by-task'] thead th").CountAsync()).ShouldBe(3);
        await page.Locator("input[name='agent'][value='rival']").CheckAsync();
        await page.Locator("input[name='from']").FillAsync("2026-03-21");
        await page.Locator("form.filters button[type='submit']").ClickAsync();
        await DashboardBrowserTests.ArrivedAsync(page, "**/suites/core?agent=rival&from=2026-03-21*");

        // leaves that agent's column and those days
        (await page.Locator("table[data-matrix='agent-by-task'] thead th").AllInnerTextsAsync()).ShouldBe(["task", "rival"]);
        (await page.Locator("table[data-matrix='agent-by-day'] tbody tr").CountAsync()).ShouldBe(10);

        // From there the agent's page, and its 30-day view
        await page.Locator("table.verdicts a", new PageLocatorOptions { HasText = "rival" }).ClickAsync();
        await DashboardBrowserTests.ArrivedAsync(page, "**/agents/rival/core");
        await page.Locator("a.view[data-window='30']").ClickAsync();
        await DashboardBrowserTests.ArrivedAsync(page, "**/agents/rival/core?window=30");
        (await page.Locator(".views .current").InnerTextAsync()).ShouldBe("30-day");

        // and an outcome filter keeps the window it is in
        await page.Locator("select[name='outcome']").SelectOptionAsync("fail");
        await page.Locator("form.filters button[type='submit']").ClickAsync();
        await DashboardBrowserTests.ArrivedAsync(page, "**/agents/rival/core?*outcome=fail*");
        page.Url.ShouldContain("window=30");
        (await page.Locator("table.tasks tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        foreach (var fails in await page.Locator("table.tasks tbody tr td:nth-child(5)").AllInnerTextsAsync())
            int.Parse(fails, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
    }
}
