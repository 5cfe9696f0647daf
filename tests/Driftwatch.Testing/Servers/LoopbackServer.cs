using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Driftwatch.Testing.Servers;

/// <summary>A request a test server received: path, headers and JSON body.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, JsonNode? Body, string RawBody);

/// <summary>
/// A Kestrel server on 127.0.0.1 (a free port) for protocol tests: it records every request and
/// hands it to the test's handler. Only ever bound to loopback.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private LoopbackServer(WebApplication app)
    {
        _app = app;
    }

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<LoopbackServer> StartAsync(Func<RecordedRequest, HttpContext, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var raw = await reader.ReadToEndAsync();
            JsonNode? body = null;
            try
            {
                body = raw.Length > 0 ? JsonNode.Parse(raw) : null;
            }
            catch (System.Text.Json.JsonException)
            {
            }
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
            var request = new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body, raw);
            server._requests.Enqueue(request);
            await handle(request, context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/');
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
