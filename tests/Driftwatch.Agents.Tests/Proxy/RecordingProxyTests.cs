using System.Text;
using System.Text.Json.Nodes;
using Driftwatch.Agents.ClaudeCode;
using Driftwatch.Agents.Common;
using Driftwatch.Agents.Proxy;
using Driftwatch.Core.Runs;
using Driftwatch.Testing.Servers;
using Microsoft.AspNetCore.Http;
using Shouldly;

namespace Driftwatch.Agents.Tests.Proxy;

/// <summary>
/// The recording proxy between the real claude CLI and a scripted Messages API on 127.0.0.1:
/// results unchanged, the stream unchanged and unbuffered, the harness recorded, no credential kept.
/// </summary>
public sealed class RecordingProxyTests : IDisposable
{
    private readonly AgentHarness _harness = new("proxy");

    public void Dispose() => _harness.Dispose();

    private static void RequireCli() =>
        Assert.SkipWhen(AgentExecutables.Find(null, "claude", ClaudeCodeAgent.RepositoryCopy) is null, "the claude CLI is not installed (npm ci in tools/claude-code)");

    private ClaudeCodeAgent Agent(string baseUrl, bool proxy) => new(AgentHarness.Definition("claude-code", new JsonObject
    {
        ["base_url"] = baseUrl,
        ["api_key_env"] = _harness.Variable(_harness.PlantedKey),
        ["model"] = "claude-sonnet-4-5",
        ["max_retries"] = "0",
        ["proxy"] = proxy ? "true" : "false",
    }));

    [Fact]
    public async Task A_trial_through_the_proxy_has_the_same_result_and_its_harness_is_recorded()
    {
        RequireCli();
        // Given a scripted model that solves the task with the CLI's Read and Write tools
        await using var api = await ScriptedMessagesApi.StartAsync(ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { ["calc.py"] = AgentHarness.Solution }));

        // When the same task runs twice with the proxy and once without it
        await using var direct = Agent(api.BaseUrl, proxy: false);
        var (_, withoutProxy) = await _harness.RunAsync(direct);
        await using var recorded = Agent(api.BaseUrl, proxy: true);
        var (run, withProxy) = await _harness.RunAsync(recorded, trials: 2);

        // Then the results are the same
        withoutProxy.Single().Outcome.ShouldBe(TrialOutcome.Pass);
        withProxy.ShouldAllBe(t => t.Outcome == TrialOutcome.Pass);
        withProxy.ShouldAllBe(t => t.Usage.InputTokens == withoutProxy[0].Usage.InputTokens && t.Usage.OutputTokens == withoutProxy[0].Usage.OutputTokens);

        // And every request the CLI sent was recorded, with what the server answered
        var requests = await _harness.Store.GetHarnessRequestsAsync(run.Id);
        var main = requests.Where(r => r.Request.IsMainLoop).Select(r => r.Request).ToList();
        main.Count.ShouldBe(6);
        main.ShouldAllBe(r => r.Model == "claude-sonnet-4-5" && r.Status == 200 && r.Streamed && r.InputTokens == 1000 && r.OutputTokens == 200);
        main.Select(r => r.StopReason).ShouldBe(["tool_use", "tool_use", "end_turn", "tool_use", "tool_use", "end_turn"]);
        main.ShouldAllBe(r => r.UserAgent!.StartsWith("claude-cli/2.1.332", StringComparison.Ordinal));
        main[0].ToolNames.ShouldContain("Read");
        main[0].ToolNames.ShouldContain("Write");
        main[0].Betas.ShouldNotBeEmpty();

        // And the run's fingerprint has one system prompt, one context and one tool set for both trials
        var harness = run.Fingerprint.Harness.ShouldNotBeNull().Main.ShouldNotBeNull();
        harness.SystemPrompts.ShouldHaveSingleItem();
        harness.Contexts.ShouldHaveSingleItem();
        harness.Tools.ShouldHaveSingleItem();
        harness.Models.ShouldBe(["claude-sonnet-4-5"]);
        var texts = await _harness.Store.GetHarnessTextsAsync([harness.SystemPrompts[0], harness.Contexts[0]]);
        texts[harness.SystemPrompts[0]].ShouldContain("Claude");
        // (the workspace is at one fixed path in every sandboxed trial, and normalised without a sandbox)
        texts[harness.Contexts[0]].ShouldContain(run.SandboxMode == "none" ? "<workspace>" : "/workspace");
        run.Fingerprint.Agent["permissionMode"].ShouldBe("acceptEdits");
        run.Fingerprint.Agent["initModel"].ShouldBe("claude-sonnet-4-5");

        // And the key the CLI used reached the server but is nowhere on disk
        api.Requests.Where(r => r.Path.StartsWith("/v1/messages", StringComparison.Ordinal)).ShouldAllBe(r => r.Headers["x-api-key"] == _harness.PlantedKey);
        _harness.FilesContainingPlantedKey().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_streamed_response_arrives_byte_for_byte_and_event_by_event()
    {
        // Given an upstream that sends one event, then waits until the client has it before sending the rest
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = new[]
        {
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":9}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        };
        string? upstreamKey = null;
        await using var upstream = await LoopbackServer.StartAsync(async (request, context) =>
        {
            upstreamKey = request.Headers.GetValueOrDefault("x-api-key");
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers["request-id"] = "req_123";
            await context.Response.WriteAsync(events[0]);
            await context.Response.Body.FlushAsync();
            await firstSeen.Task.WaitAsync(TimeSpan.FromSeconds(20));
            foreach (var item in events.Skip(1))
                await context.Response.WriteAsync(item);
        });
        await using var proxy = await RecordingProxy.StartAsync(new Uri(upstream.BaseUrl), CancellationToken.None);
        var recording = proxy.Begin([]);

        // When a client streams through the proxy
        using var client = new HttpClient();
        using var message = new HttpRequestMessage(HttpMethod.Post, recording.BaseUrl + "/v1/messages")
        {
            Content = new StringContent("""{"model":"m","stream":true,"messages":[]}""", Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("x-api-key", _harness.PlantedKey);
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[4096];
        var first = Encoding.UTF8.GetByteCount(events[0]);
        while (received.Length < first)
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            read.ShouldBeGreaterThan(0);
            received.Write(buffer, 0, read);
        }
        // the first event came through before the upstream finished: nothing was held back
        firstSeen.SetResult();
        await stream.CopyToAsync(received);

        // Then the client got exactly what the upstream sent, headers included, and the request was recorded without the key
        Encoding.UTF8.GetString(received.ToArray()).ShouldBe(string.Concat(events));
        response.Headers.GetValues("request-id").ShouldBe(["req_123"]);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        upstreamKey.ShouldBe(_harness.PlantedKey);
        var capture = recording.Finish();
        var recorded = capture.Requests.ShouldHaveSingleItem();
        (recorded.Status, recorded.InputTokens, recorded.OutputTokens, recorded.StopReason, recorded.Streamed).ShouldBe((200, 5L, 9L, "end_turn", true));
        System.Text.Json.JsonSerializer.Serialize(capture).ShouldNotContain(_harness.PlantedKey);
    }

    [Fact]
    public async Task Requests_for_no_trial_are_refused()
    {
        await using var upstream = await LoopbackServer.StartAsync((_, context) => context.Response.WriteAsync("should not be reached"));
        await using var proxy = await RecordingProxy.StartAsync(new Uri(upstream.BaseUrl), CancellationToken.None);
        var finished = proxy.Begin([]);
        finished.Finish();

        using var client = new HttpClient();
        (await client.GetAsync(proxy.Address + "/v1/messages")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        (await client.GetAsync(finished.BaseUrl + "/v1/messages")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        upstream.Requests.ShouldBeEmpty();
    }
    [Fact]
    public async Task An_unreachable_upstream_breaks_the_connection_as_it_would_without_the_proxy()
    {
        // Given an upstream port nobody listens on
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var proxy = await RecordingProxy.StartAsync(new Uri($"http://127.0.0.1:{port}"), CancellationToken.None);
        var recording = proxy.Begin([]);

        // When a client sends a request through the proxy
        using var client = new HttpClient();
        var sending = client.PostAsync(recording.BaseUrl + "/v1/messages", new StringContent("""{"model":"m","messages":[]}""", Encoding.UTF8, "application/json"));

        // Then it sees a broken connection (an infrastructure error for the runner), not an HTTP answer
        await Should.ThrowAsync<HttpRequestException>(sending);
        // And the attempt is recorded with no status
        var recorded = recording.Finish().Requests.ShouldHaveSingleItem();
        (recorded.Status, recorded.Model).ShouldBe((0, "m"));
    }
}
