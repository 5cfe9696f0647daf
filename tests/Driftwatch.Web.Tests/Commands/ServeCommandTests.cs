using System.Net;
using System.Net.Sockets;
using Driftwatch.Cli.Tests;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Web.Tests.Commands;

public sealed class ServeCommandTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Theory]
    [InlineData("http://0.0.0.0:5170")]
    [InlineData("http://*:5170")]
    [InlineData("http://127.0.0.1:5170;http://192.168.1.20:5170")]
    public async Task Binding_beyond_loopback_without_a_token_refuses_to_start(string urls)
    {
        using var directory = new TempDirectory("serve");

        var result = await new CliHarness(directory.Path).RunAsync("serve", "--urls", urls, "--db", seeded.Path);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("DRIFTWATCH_TOKEN");
        result.Error.ShouldContain("--urls");
    }

    [Fact]
    public async Task A_bad_address_or_missing_database_is_exit_2()
    {
        using var directory = new TempDirectory("serve");

        (await new CliHarness(directory.Path).RunAsync("serve", "--urls", "ftp://127.0.0.1:1", "--db", seeded.Path)).Error.ShouldContain("--urls: 'ftp://127.0.0.1:1'");
        var missing = await new CliHarness(directory.Path).RunAsync("serve", "--db", "none.db");
        missing.ExitCode.ShouldBe(2);
        missing.Error.ShouldContain("none.db: no database there");
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_stops_serve_before_it_listens()
    {
        using var directory = new TempDirectory("serve");
        var notDb = directory.Write("notes.db", "these are notes, not SQLite");

        var result = await new CliHarness(directory.Path).RunAsync("serve", "--urls", $"http://127.0.0.1:{FreePort()}", "--db", notDb);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("notes.db: not a SQLite database");
        File.ReadAllText(notDb).ShouldBe("these are notes, not SQLite");
    }

    [Fact]
    public async Task Serve_listens_on_kestrel_until_cancelled_and_exits_0()
    {
        // Given serve on a free loopback port
        using var directory = new TempDirectory("serve");
        var port = FreePort();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var serving = new CliHarness(directory.Path).RunAsync(stop.Token, "serve", "--urls", $"http://127.0.0.1:{port}", "--db", seeded.Path);

        // When the API is asked over real HTTP
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var body = await WaitForAsync(http, "/api/runs", null);

        // Then it answers, and Ctrl-C (cancellation) stops it with exit 0
        body.ShouldStartWith("[");
        await stop.CancelAsync();
        var result = await serving;
        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain($"http://127.0.0.1:{port}");
    }

    [Fact]
    public async Task Bound_to_every_interface_with_a_token_it_answers_401_without_it()
    {
        using var directory = new TempDirectory("serve");
        var port = FreePort();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var environment = new Dictionary<string, string> { ["DRIFTWATCH_TOKEN"] = "tok-123" };
        var serving = new CliHarness(directory.Path, environment).RunAsync(stop.Token, "serve", "--urls", $"http://0.0.0.0:{port}", "--db", seeded.Path);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitForAsync(http, "/api/runs", "tok-123");
        using var anonymous = await http.GetAsync(new Uri("/api/runs", UriKind.Relative), Ct);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await stop.CancelAsync();
        (await serving).ExitCode.ShouldBe(0);
    }

    private static async Task<string> WaitForAsync(HttpClient http, string path, string? token)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
                if (token is not null)
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request, Ct);
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                return await response.Content.ReadAsStringAsync(Ct);
            }
            catch (HttpRequestException) when (attempt < 200)
            {
                await Task.Delay(100, Ct);
            }
        }
    }
}
