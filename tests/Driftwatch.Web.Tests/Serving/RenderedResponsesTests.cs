using System.Text;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Driftwatch.Web.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace Driftwatch.Web.Tests.Serving;

/// <summary>
/// The dashboard answers again with what it rendered while the store and the minute are unchanged
/// (#20), and renders again after any write, a new minute, or for anything but a successful GET.
/// </summary>
public sealed class RenderedResponsesTests : IDisposable
{
    private readonly TempDirectory _temp = new("rendered");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_page_is_rendered_once_per_change_of_the_store_or_of_the_minute()
    {
        // Given the dashboard's keeper of answers on a store with a run, in front of a page that counts its renderings
        using var store = SqliteResultStore.Open(_temp.Combine("dw.db"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 12, 0, 10, TimeSpan.Zero));
        var plan = new RunPlan
        {
            AgentName = "agent",
            AgentKind = "simulated",
            AgentConfigJson = "{}",
            Synthetic = true,
            SuiteName = "core",
            SuitePath = "/nowhere",
            SuiteRevision = "rev-1",
            TrialsPerTask = 1,
            Seed = 1,
            SandboxMode = "none",
            Trials = [new PlannedTrial("a", 0, 0, TaskCategory.Generation, "python")],
        };
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), time.GetUtcNow(), new RunOwner("elsewhere", 1, time.GetUtcNow()));
        var rendered = new RenderedResponses(store, time);
        var renderings = 0;
        Task Page(HttpContext context)
        {
            renderings++;
            context.Response.StatusCode = context.Request.Path == "/missing" ? 404 : 200;
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync($"page {context.Request.Path}{context.Request.QueryString} #{renderings}");
        }

        // When pages are asked for again and again, around a write, a new minute and other requests
        var first = await Get(rendered, Page, "/");
        var again = await Get(rendered, Page, "/");
        var otherAddress = await Get(rendered, Page, "/?days=30");
        await store.RecordTrialAsync(new Trial
        {
            RunId = runId, TaskId = "a", TrialIndex = 0, Sequence = 0, Category = TaskCategory.Generation, Language = "python",
            Outcome = TrialOutcome.Pass, StartedAt = time.GetUtcNow(), FinishedAt = time.GetUtcNow(), DurationMs = 1,
        }, []);
        var afterWrite = await Get(rendered, Page, "/");
        var sameMinute = await Get(rendered, Page, "/");
        time.Advance(TimeSpan.FromMinutes(1));
        var nextMinute = await Get(rendered, Page, "/");
        var missing1 = await Get(rendered, Page, "/missing");
        var missing2 = await Get(rendered, Page, "/missing");
        var posted = await Get(rendered, Page, "/", method: "POST");

        // Then each is rendered once per state, and what is kept is answered as rendered
        first.ShouldBe((200, "text/html; charset=utf-8", "page / #1"));
        again.ShouldBe(first);
        otherAddress.Body.ShouldBe("page /?days=30 #2");
        afterWrite.Body.ShouldBe("page / #3");
        sameMinute.ShouldBe(afterWrite);
        nextMinute.Body.ShouldBe("page / #4");
        (missing1.Status, missing1.Body, missing2.Body).ShouldBe((404, "page /missing #5", "page /missing #6"));
        posted.Body.ShouldBe("page / #7");
    }

    private static async Task<(int Status, string? ContentType, string Body)> Get(RenderedResponses rendered, RequestDelegate page, string address, string method = "GET")
    {
        var context = new DefaultHttpContext();
        var query = address.IndexOf('?', StringComparison.Ordinal);
        context.Request.Method = method;
        context.Request.Path = query < 0 ? address : address[..query];
        context.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(address[query..]);
        using var body = new MemoryStream();
        context.Response.Body = body;
        await rendered.InvokeAsync(context, page);
        return (context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()));
    }
}
