using System.Globalization;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Json;
using Driftwatch.Web.Api;
using Driftwatch.Web.Exports;
using Driftwatch.Web.Pages;
using Driftwatch.Web.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Driftwatch.Web.Serving;

/// <summary>How `serve` runs: which store, where it listens, and the token when there is one.</summary>
public sealed record DashboardOptions
{
    public required Func<IResultStore> OpenStore { get; init; }
    public IReadOnlyList<string> Urls { get; init; } = [Bindings.DefaultUrl];

    /// <summary>Required on every request when set (and `serve` sets it whenever it binds beyond loopback).</summary>
    public string? Token { get; init; }

    public CheckOptions Check { get; init; } = new();

    /// <summary>How verdicts are made: the checker when null.</summary>
    public VerdictSource? Judge { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The dashboard: Kestrel, HTML views and the JSON API under /api/ that backs each of them, and
/// /metrics for Prometheus. It only reads the store.
/// </summary>
public static class DashboardHost
{
    public static IHostBuilder CreateBuilder(DashboardOptions options) =>
        new HostBuilder()
            .ConfigureLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning))
            .ConfigureServices(services =>
            {
                services.AddSingleton(options);
                services.AddSingleton(_ => options.OpenStore());
                services.AddSingleton(sp => new DashboardReader(sp.GetRequiredService<IResultStore>(), options.Check, options.Judge));
                services.AddRouting();
            })
            .ConfigureWebHost(web => web
                .UseKestrel(kestrel => kestrel.AddServerHeader = false)
                .UseUrls([.. options.Urls])
                .Configure(app =>
                {
                    if (options.Token is { Length: > 0 } token)
                        app.Use(new BearerToken(token).InvokeAsync);
                    var rendered = new RenderedResponses(app.ApplicationServices.GetRequiredService<IResultStore>(), options.Time);
                    app.Use(rendered.InvokeAsync);
                    app.UseRouting();
                    app.UseEndpoints(endpoints => Map(endpoints, options));
                }));

    /// <summary>The names /api/runs takes its page size by: `last` (as before paging) and `limit`.</summary>
    private static readonly string[] PageSizeFields = ["last", "limit"];

    private static void Map(IEndpointRouteBuilder endpoints, DashboardOptions options)
    {
        var links = ServerLinks.Instance;

        // Pages.
        endpoints.MapGet("/", async (HttpRequest request, DashboardReader reader, CancellationToken ct) =>
        {
            var (filter, error) = EvidenceQuery.ParseOverview(Query(request));
            return filter is null
                ? await BadRequestPage(error!)
                : Html(await HtmlPages.OverviewAsync(await reader.OverviewAsync(ct), links, Generated(options), filter));
        });
        endpoints.MapGet("/runs/{id:long}", async (long id, DashboardReader reader, CancellationToken ct) =>
            await reader.RunAsync(id, ct) is { } view ? Html(await HtmlPages.RunAsync(view, links)) : await NotFoundPage($"no run {id}"));
        endpoints.MapGet("/tasks/{agent}/{suite}/{task}", async (string agent, string suite, string task, DashboardReader reader, CancellationToken ct) =>
            await reader.TaskAsync(agent, suite, task, ct) is { } view ? Html(await HtmlPages.TaskAsync(view, links)) : await NotFoundPage($"no task {task} in runs of {agent} on {suite}"));
        endpoints.MapGet("/runs/{id:long}/trials/{task}/{index:int}", async (long id, string task, int index, DashboardReader reader, CancellationToken ct) =>
            await reader.TrialAsync(id, task, index, ct) is { } view ? Html(await HtmlPages.TrialAsync(view, links)) : await NotFoundPage($"no trial {task}#{index} in run {id}"));

        // The page of one agent × suite. Alerts link here with the run that raised them
        // (`dashboard_url: http://127.0.0.1:5170/agents/{agent}/{suite}?run={run}`): that goes to the run's page.
        endpoints.MapGet("/agents/{agent}/{suite}", async (string agent, string suite, HttpRequest request, DashboardReader reader, CancellationToken ct) =>
        {
            if (request.Query.TryGetValue("run", out var run) && long.TryParse(run, NumberStyles.None, CultureInfo.InvariantCulture, out var runId))
                return Results.Redirect(links.Run(runId));
            var (filter, error) = ReadFilter(request);
            var (page, pageError) = ReadRunsPage(request);
            if (filter is null || page is null)
                return await BadRequestPage((error ?? pageError)!);
            return await reader.SeriesPageAsync(agent, suite, filter, page, ct) is { } view
                ? Html(await HtmlPages.SeriesAsync(view, links))
                : await NotFoundPage($"no runs of {agent} on {suite}");
        });
        endpoints.MapGet("/suites/{suite}", async (string suite, HttpRequest request, DashboardReader reader, CancellationToken ct) =>
        {
            var (filter, error) = ReadFilter(request);
            if (filter is null)
                return await BadRequestPage(error!);
            return await reader.SuitePageAsync(suite, filter, ct) is { } view
                ? Html(await HtmlPages.SuiteAsync(view, links))
                : await NotFoundPage($"no runs on suite {suite}");
        });

        // The API behind each page.
        endpoints.MapGet("/api/runs", async (HttpRequest request, string? agent, string? suite, DashboardReader reader, CancellationToken ct) =>
        {
            // A page of runs (#20): the latest `limit` (or `last`) before the run `before`, oldest
            // first, read newest first through an index; a Link header names the next older page.
            var size = RunPage.DefaultSize;
            foreach (var name in PageSizeFields)
            {
                if (request.Query[name].LastOrDefault() is not { } text)
                    continue;
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                    return Results.Json(new { error = $"{name}: '{text}' is not a positive whole number" }, ResultJson.Options, statusCode: 400);
                size = Math.Min(n, RunPage.MaxSize);
            }
            long? before = null;
            if (request.Query["before"].LastOrDefault() is { } beforeText)
            {
                if (!long.TryParse(beforeText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
                    return Results.Json(new { error = $"before: '{beforeText}' is not a run id" }, ResultJson.Options, statusCode: 400);
                before = id;
            }
            var runs = await reader.RunsAsync(new RunQuery(agent, suite, size + 1, before), ct);
            if (runs.Count > size)
            {
                runs = [.. runs.Skip(runs.Count - size)];
                request.HttpContext.Response.Headers.Link = $"<{RunPage.Next(agent, suite, size, runs[0].Id)}>; rel=\"next\"";
            }
            return Results.Json(runs.Select(ResultJson.Header).ToArray(), ResultJson.Options);
        });
        endpoints.MapGet("/api/runs/{id:long}", async (long id, DashboardReader reader, CancellationToken ct) =>
            await reader.RunAsync(id, ct) is { } view ? Results.Json(ApiJson.Run(view), ResultJson.Options) : NotFoundJson($"no run {id}"));
        endpoints.MapGet("/api/runs/{id:long}/trials/{task}/{index:int}", async (long id, string task, int index, DashboardReader reader, CancellationToken ct) =>
            await reader.TrialAsync(id, task, index, ct) is { } view ? Results.Json(ApiJson.TrialDetail(view), ResultJson.Options) : NotFoundJson($"no trial {task}#{index} in run {id}"));
        // Each history's days (and its signals' days) within its last `days` days: 90 by default, `all` for every day (#20).
        endpoints.MapGet("/api/overview", async (HttpRequest request, DashboardReader reader, CancellationToken ct) =>
        {
            var (window, error) = ReadDays(request);
            return window is null
                ? Results.Json(new { error }, ResultJson.Options, statusCode: 400)
                : Results.Json((await reader.OverviewAsync(ct)).Select(s => ApiJson.Series(s, window.From(s))).ToArray(), ResultJson.Options);
        });
        endpoints.MapGet("/api/verdicts", async (HttpRequest request, DashboardReader reader, CancellationToken ct) =>
        {
            var (window, error) = ReadDays(request);
            return window is null
                ? Results.Json(new { error }, ResultJson.Options, statusCode: 400)
                : Results.Json((await reader.OverviewAsync(ct)).Select(s => ApiJson.Verdict(s.Verdict, window.From(s))).ToArray(), ResultJson.Options);
        });
        endpoints.MapGet("/api/tasks/{agent}/{suite}/{task}", async (string agent, string suite, string task, DashboardReader reader, CancellationToken ct) =>
            await reader.TaskAsync(agent, suite, task, ct) is { } view ? Results.Json(ApiJson.Task(view), ResultJson.Options) : NotFoundJson($"no task {task} in runs of {agent} on {suite}"));

        endpoints.MapGet("/api/agents/{agent}/{suite}", async (string agent, string suite, HttpRequest request, DashboardReader reader, CancellationToken ct) =>
        {
            var (filter, error) = ReadFilter(request);
            var (page, pageError) = ReadRunsPage(request);
            if (filter is null || page is null)
                return Results.Json(new { error = error ?? pageError }, ResultJson.Options, statusCode: 400);
            return await reader.SeriesPageAsync(agent, suite, filter, page, ct) is { } view ? Results.Json(ApiJson.SeriesPage(view), ResultJson.Options) : NotFoundJson($"no runs of {agent} on {suite}");
        });
        endpoints.MapGet("/api/suites/{suite}", async (string suite, HttpRequest request, DashboardReader reader, CancellationToken ct) =>
        {
            var (filter, error) = ReadFilter(request);
            if (filter is null)
                return Results.Json(new { error }, ResultJson.Options, statusCode: 400);
            return await reader.SuitePageAsync(suite, filter, ct) is { } view ? Results.Json(ApiJson.SuitePage(view), ResultJson.Options) : NotFoundJson($"no runs on suite {suite}");
        });

        // Prometheus / Grafana.
        endpoints.MapGet("/metrics", async (DashboardReader reader, CancellationToken ct) =>
        {
            var data = await ExportSelection.LatestOfEach.ResolveAsync(reader, ct);
            return Results.Text(Exporters.Write(new OpenMetricsExporter(), data), OpenMetricsExporter.ContentType);
        });

        // Browsers ask for an icon on every page; there is none, and a 404 would be an error in the page's console.
        endpoints.MapGet("/favicon.ico", () => Results.NoContent());
    }

    /// <summary>The page of a series' runs its page lists: the latest, or those before the run `before`; or why it cannot be read.</summary>
    private static (RunsPage? Page, string? Error) ReadRunsPage(HttpRequest request)
    {
        if (request.Query["before"].LastOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim() is not { } text)
            return (new RunsPage(RunsPage.DefaultSize), null);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= 1
            ? (new RunsPage(RunsPage.DefaultSize, id), null)
            : (null, $"before: '{text}' is not a run id");
    }

    /// <summary>The `days` of /api/overview and /api/verdicts: a window of that many days, or every day (`all`); or why it cannot be read.</summary>
    private static (DayWindow? Window, string? Error) ReadDays(HttpRequest request)
    {
        if (request.Query["days"].LastOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim() is not { } text)
            return (new DayWindow(DayWindow.DefaultDays), null);
        if (text == "all")
            return (new DayWindow(null), null);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
            ? (new DayWindow(n), null)
            : (null, $"days: '{text}' is neither a positive whole number nor 'all'");
    }

    private static string Generated(DashboardOptions options) =>
        $"as of {options.Time.GetUtcNow():yyyy-MM-dd HH:mm} UTC";

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    private static async Task<IResult> NotFoundPage(string what) =>
        Results.Content(await HtmlPages.NotFoundAsync(what, ServerLinks.Instance), "text/html; charset=utf-8", statusCode: 404);

    private static (EvidenceFilter? Filter, string? Error) ReadFilter(HttpRequest request) => EvidenceQuery.Parse(Query(request));

    /// <summary>The values of a query-string field, none when it is absent.</summary>
    private static Func<string, IReadOnlyList<string>> Query(HttpRequest request) =>
        name => request.Query.TryGetValue(name, out var values) ? [.. values.Select(v => v ?? "")] : [];

    private static async Task<IResult> BadRequestPage(string what) =>
        Results.Content(await HtmlPages.ProblemAsync("Cannot show this page", what, ServerLinks.Instance), "text/html; charset=utf-8", statusCode: 400);

    private static IResult NotFoundJson(string what) => Results.Json(new { error = what }, ResultJson.Options, statusCode: 404);
}
