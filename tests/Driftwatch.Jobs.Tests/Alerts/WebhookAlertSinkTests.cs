using System.Diagnostics;
using Driftwatch.Core.Configuration;
using Driftwatch.Jobs.Alerts;
using Driftwatch.Testing.Servers;
using Microsoft.AspNetCore.Http;
using Shouldly;

namespace Driftwatch.Jobs.Tests.Alerts;

/// <summary>Webhook delivery against real receivers on 127.0.0.1: formats, retries, Retry-After, and URLs kept secret.</summary>
public sealed class WebhookAlertSinkTests : IDisposable
{
    private static readonly DeliveryOptions Quick = new() { MaxAttempts = 4, FirstDelay = TimeSpan.FromMilliseconds(5) };
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose() => _http.Dispose();

    private WebhookAlertSink Sink(AlertSinkKind kind, string url, DeliveryOptions? options = null) =>
        new(kind, $"{AlertSinkDefinition.KindName(kind)} (test)", new Uri(url), _http, options ?? Quick, TimeProvider.System);

    /// <summary>A receiver that answers each request with the next status of the script (then 200).</summary>
    private static Task<LoopbackServer> Receiver(params (int Status, string? RetryAfter, string Body)[] script)
    {
        var count = 0;
        return LoopbackServer.StartAsync(async (_, context) =>
        {
            var index = Interlocked.Increment(ref count) - 1;
            var (status, retryAfter, body) = index < script.Length ? script[index] : (200, null, "ok");
            context.Response.StatusCode = status;
            if (retryAfter is not null)
                context.Response.Headers.RetryAfter = retryAfter;
            await context.Response.WriteAsync(body);
        });
    }

    [Fact]
    public async Task A_generic_webhook_that_fails_twice_then_accepts_gets_the_documented_JSON_on_the_third_attempt()
    {
        // Given a receiver that answers 503, then 500, then 200
        await using var receiver = await Receiver((503, null, "busy"), (500, null, "oops"));
        var alert = SampleAlerts.Degraded();

        // When the alert is sent
        var result = await Sink(AlertSinkKind.Webhook, receiver.BaseUrl + "/driftwatch").SendAsync(alert, CancellationToken.None);

        // Then it is delivered on the third attempt, every attempt carrying the same documented object
        result.Delivered.ShouldBeTrue(result.Problem);
        result.Attempts.ShouldBe(3);
        receiver.Requests.Count.ShouldBe(3);
        receiver.Requests.Select(r => r.RawBody).Distinct().Count().ShouldBe(1);
        var request = receiver.Requests[^1];
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/driftwatch");
        request.Headers["content-type"].ShouldStartWith("application/json");
        request.Headers["user-agent"].ShouldStartWith("Driftwatch/");
        var body = request.Body!.AsObject();
        foreach (var field in new[] { "event", "agent", "suite", "verdict", "previousVerdict", "effect", "low", "high", "changeDay", "alarmDay",
                     "flippedTasks", "fingerprintChanges", "runId", "dashboardUrl", "title", "text", "at" })
            body.ContainsKey(field).ShouldBeTrue(field);
        body["event"]!.GetValue<string>().ShouldBe("degraded");
        body["verdict"]!.GetValue<string>().ShouldBe("degraded");
        body["previousVerdict"]!.GetValue<string>().ShouldBe("ok");
        body["effect"]!.GetValue<double>().ShouldBe(-0.125);
        body["low"]!.GetValue<double>().ShouldBe(-0.18);
        body["high"]!.GetValue<double>().ShouldBe(-0.07);
        body["changeDay"]!.GetValue<string>().ShouldBe("2026-03-10");
        body["alarmDay"]!.GetValue<string>().ShouldBe("2026-03-12");
        body["runId"]!.GetValue<long>().ShouldBe(14);
        body["flippedTasks"]![0]!["task"]!.GetValue<string>().ShouldBe("gen-word-frequencies");
        body["flippedTasks"]![0]!["passesAfter"]!.GetValue<int>().ShouldBe(0);
        body["fingerprintChanges"]![0]!.GetValue<string>().ShouldBe("agent version 2.1.0 → 2.2.0");
        body["dashboardUrl"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5170/agents/claude-code/core?run=14");
    }

    [Fact]
    public async Task A_429_is_retried_after_the_pause_its_Retry_After_header_asks_for()
    {
        // Given a receiver that first answers 429 with Retry-After: 1, and a backoff of 1 ms
        var arrivals = new List<long>();
        var count = 0;
        await using var receiver = await LoopbackServer.StartAsync(async (_, context) =>
        {
            lock (arrivals)
                arrivals.Add(Stopwatch.GetTimestamp());
            if (Interlocked.Increment(ref count) == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
            }
            await context.Response.WriteAsync("");
        });

        // When the alert is sent
        var result = await Sink(AlertSinkKind.Webhook, receiver.BaseUrl, Quick with { FirstDelay = TimeSpan.FromMilliseconds(1) })
            .SendAsync(SampleAlerts.Degraded(), CancellationToken.None);

        // Then the second attempt came no sooner than the second the receiver asked for
        result.Delivered.ShouldBeTrue(result.Problem);
        result.Attempts.ShouldBe(2);
        Stopwatch.GetElapsedTime(arrivals[0], arrivals[1]).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950));
    }

    [Fact]
    public async Task A_client_error_is_final_and_its_answer_is_reported()
    {
        // Given a receiver that rejects the payload
        await using var receiver = await Receiver((400, null, "invalid_payload"));

        // When the alert is sent
        var result = await Sink(AlertSinkKind.Slack, receiver.BaseUrl).SendAsync(SampleAlerts.Degraded(), CancellationToken.None);

        // Then there is one attempt, and the problem says what the receiver said
        result.Delivered.ShouldBeFalse();
        result.Attempts.ShouldBe(1);
        result.Problem.ShouldBe("HTTP 400: invalid_payload");
        receiver.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_unreachable_webhook_is_retried_and_its_URL_appears_in_no_problem()
    {
        // Given a webhook address where nothing listens, with a secret in its path
        int port;
        await using (var closed = await Receiver())
            port = new Uri(closed.BaseUrl).Port;
        var url = $"http://127.0.0.1:{port}/services/T000/B000/secret-token-xyz";

        // When the alert is sent
        var sink = Sink(AlertSinkKind.Slack, url);
        var result = await sink.SendAsync(SampleAlerts.Degraded(), CancellationToken.None);

        // Then every attempt was made, the problem is a network error, and neither it nor the sink's name holds the URL
        result.Delivered.ShouldBeFalse();
        result.Attempts.ShouldBe(Quick.MaxAttempts);
        result.Problem!.ShouldStartWith("network error");
        result.Problem.ShouldNotContain("secret-token-xyz");
        result.Problem.ShouldNotContain(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        sink.Name.ShouldNotContain("secret-token-xyz");
    }

    [Fact]
    public async Task Slack_receives_text_and_blocks_with_the_effect_interval_change_day_flips_fingerprint_and_link()
    {
        // Given a Slack-style receiver
        await using var receiver = await Receiver();

        // When a degradation alert is sent
        var result = await Sink(AlertSinkKind.Slack, receiver.BaseUrl + "/services/T/B/x").SendAsync(SampleAlerts.Degraded(), CancellationToken.None);

        // Then the body is {text, blocks}: a header, the facts in mrkdwn (escaped), and the dashboard link
        result.Delivered.ShouldBeTrue(result.Problem);
        var body = receiver.Requests.Single().Body!.AsObject();
        body["text"]!.GetValue<string>().ShouldBe("Driftwatch: claude-code on core: DEGRADED (was ok)");
        var blocks = body["blocks"]!.AsArray();
        blocks.Select(b => b!["type"]!.GetValue<string>()).ShouldBe(["header", "section", "context"]);
        blocks[0]!["text"]!["type"]!.GetValue<string>().ShouldBe("plain_text");
        var facts = blocks[1]!["text"]!["text"]!.GetValue<string>();
        facts.ShouldContain("*effect:* −12.5 pts since 2026-03-10 (95% CI −18.0 pts to −7.0 pts)");
        facts.ShouldContain("*change began:* 2026-03-10, alarm on 2026-03-12");
        facts.ShouldContain("gen-word-frequencies 30/30 → 0/3");
        facts.ShouldContain("debug-&lt;html&gt;-escape 28/30 → 1/3");
        facts.ShouldContain("*changed around then:* agent version 2.1.0 → 2.2.0");
        facts.ShouldContain("*changed around then:* system prompt changed on 2026-03-10 (agent 2.2.0 (Claude Code)): +3 lines, −1 line");
        TestContext.Current.TestOutputHelper?.WriteLine(receiver.Requests.Single().RawBody);
        blocks[2]!["elements"]![0]!["text"]!.GetValue<string>().ShouldBe("<http://127.0.0.1:5170/agents/claude-code/core?run=14|Open the dashboard>");
    }

    [Fact]
    public async Task Discord_receives_content_and_an_embed_with_a_field_per_fact()
    {
        // Given a Discord-style receiver
        await using var receiver = await Receiver((204, null, ""));

        // When a degradation alert is sent
        var result = await Sink(AlertSinkKind.Discord, receiver.BaseUrl + "/api/webhooks/1/x").SendAsync(SampleAlerts.Degraded(), CancellationToken.None);

        // Then the body is {content, embeds}: the title, a red embed linking the dashboard, one field per fact
        result.Delivered.ShouldBeTrue(result.Problem);
        var body = receiver.Requests.Single().Body!.AsObject();
        body["content"]!.GetValue<string>().ShouldBe("Driftwatch: claude-code on core: DEGRADED (was ok)");
        var embed = body["embeds"]!.AsArray().Single()!.AsObject();
        embed["title"]!.GetValue<string>().ShouldBe("claude-code on core: DEGRADED (was ok)");
        embed["color"]!.GetValue<int>().ShouldBe(0xD93025);
        embed["url"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5170/agents/claude-code/core?run=14");
        embed["timestamp"]!.GetValue<string>().ShouldBe("2026-03-12T06:05:00Z");
        var all = embed["fields"]!.AsArray().Select(f => (Name: f!["name"]!.GetValue<string>(), Value: f!["value"]!.GetValue<string>())).ToList();
        var fields = all.DistinctBy(f => f.Name).ToDictionary(f => f.Name, f => f.Value);
        fields["effect"].ShouldBe("−12.5 pts since 2026-03-10 (95% CI −18.0 pts to −7.0 pts)");
        fields["tasks that moved most"].ShouldContain("debug-<html>-escape 28/30 → 1/3");
        all.Where(f => f.Name == "changed around then").Select(f => f.Value)
            .ShouldBe(["agent version 2.1.0 → 2.2.0", "system prompt changed on 2026-03-10 (agent 2.2.0 (Claude Code)): +3 lines, −1 line"]);
        fields["run"].ShouldBe("14");
    }
}
