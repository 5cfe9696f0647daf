using Driftwatch.Storage.Sqlite;
using Driftwatch.Web.Serving;
using Driftwatch.Web.Views;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace Driftwatch.Web.Tests.Api;

/// <summary>The dashboard in-process (TestServer) on a database file, optionally with a bearer token and verdicts of the test's own.</summary>
public sealed class DashboardFactory(string databasePath, string? token = null, VerdictSource? judge = null) : WebApplicationFactory<DashboardFactory>
{
    protected override IHostBuilder CreateHostBuilder() =>
        DashboardHost.CreateBuilder(new DashboardOptions
        {
            OpenStore = () => SqliteResultStore.Open(databasePath),
            Token = token,
            Judge = judge,
            Time = new FixedTime(new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero)),
        });

    // The dashboard serves no files: the test folder will do as content root (the factory would look for a project folder).
    protected override IHost CreateHost(IHostBuilder builder) =>
        base.CreateHost(builder.UseContentRoot(AppContext.BaseDirectory));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
