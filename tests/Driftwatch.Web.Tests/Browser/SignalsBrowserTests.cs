using Driftwatch.Storage.Sqlite;
using Driftwatch.Web.Serving;
using Driftwatch.Web.Tests.Commands;
using Driftwatch.Web.Tests.Pages;
using Microsoft.Playwright;
using Shouldly;

namespace Driftwatch.Web.Tests.Browser;

/// <summary>The agent × suite page with a verdict that has signals, in a real headless Chromium.</summary>
public sealed class SignalsBrowserTests(SeededDatabase database) : IClassFixture<SeededDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_signals_section_renders_every_signal_with_both_charts_drawn_and_no_console_errors()
    {
        // Given the dashboard judging the seeded history with three signals
        var port = ServeCommandTests.FreePort();
        using var host = DashboardHost.CreateBuilder(new DashboardOptions
        {
            OpenStore = () => SqliteResultStore.Open(database.Path),
            Urls = [$"http://127.0.0.1:{port}"],
            Judge = SignalVerdicts.Judge,
        }).Build();
        await host.StartAsync(Ct);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.Find(), Headless = true });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        DashboardBrowserTests.Patient(page);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                errors.Add($"{message.Text} ({message.Location})");
        };
        page.PageError += (_, error) => errors.Add(error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
                errors.Add($"{response.Status} {response.Url}");
        };

        // When its agent × suite page is opened
        (await page.GotoAsync($"http://127.0.0.1:{port}/agents/steady/core", new PageGotoOptions { WaitUntil = WaitUntilState.Load }))!.Status.ShouldBe(200);

        // Then each signal has its article with two charts, drawn with a size and their lines
        var articles = page.Locator("#signals article.signal");
        await articles.Nth(2).WaitForAsync();
        (await articles.CountAsync()).ShouldBe(3);
        for (var i = 0; i < 3; i++)
        {
            var charts = articles.Nth(i).Locator("figure.chart svg.trend");
            (await charts.CountAsync()).ShouldBe(2);
            for (var k = 0; k < 2; k++)
            {
                var box = (await charts.Nth(k).BoundingBoxAsync())!;
                box.Width.ShouldBeGreaterThan(500);
                box.Height.ShouldBeGreaterThan(100);
            }
            (await articles.Nth(i).Locator("g.signal-value polyline").CountAsync()).ShouldBe(1);
            (await articles.Nth(i).Locator("polygon.signal-band").CountAsync()).ShouldBe(1);
            (await articles.Nth(i).Locator("line.limit").CountAsync()).ShouldBe(1);
        }
        // and the one that set the verdict is marked, visibly
        (await page.Locator("#signals article.signal.triggered .trigger").IsVisibleAsync()).ShouldBeTrue();
        (await page.Locator("#signals article.signal.triggered").GetAttributeAsync("data-signal")).ShouldBe("lintFindings");
        // and nothing went wrong in the page
        errors.ShouldBeEmpty();

        await ScreenshotAsync(page);
        await host.StopAsync(Ct);
    }

    private static async Task ScreenshotAsync(IPage page)
    {
        var folders = new[] { DashboardBrowserTests.ScreenshotDirectory, Environment.GetEnvironmentVariable("DRIFTWATCH_SCREENSHOTS") };
        foreach (var folder in folders.Where(f => !string.IsNullOrEmpty(f)))
        {
            Directory.CreateDirectory(folder!);
            await page.Locator("#signals").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(folder!, "agent-suite-signals.png") });
        }
    }
}
