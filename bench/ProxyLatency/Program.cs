// Added latency of the recording proxy (issue: harness fingerprint). Sends the same streamed
// Messages API request N times straight to a scripted server on 127.0.0.1 and N times through the
// proxy, alternating, and reports per-request latency to the first byte and to the last, with the
// difference. The request body is the size of a real Claude Code request (~50 KB).
//
// Usage: dotnet run -c Release --project bench/ProxyLatency -- [REQUESTS]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Driftwatch.Agents.Proxy;
using Driftwatch.Testing.Servers;

var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
await using var api = await ScriptedMessagesApi.StartAsync(_ => new MessageReply([new TextBlock(new string('x', 2000))]));
await using var proxy = await RecordingProxy.StartAsync(new Uri(api.BaseUrl), CancellationToken.None);
var recording = proxy.Begin([]);

var body = new JsonObject
{
    ["model"] = "claude-bench",
    ["max_tokens"] = 32000,
    ["stream"] = true,
    ["system"] = new string('s', 7000),
    ["tools"] = new JsonArray([.. Enumerable.Range(0, 14).Select(i => (JsonNode)new JsonObject { ["name"] = $"Tool{i}", ["description"] = new string('d', 2500), ["input_schema"] = new JsonObject { ["type"] = "object" } })]),
    ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new string('u', 8000) }),
}.ToJsonString();
using var client = new HttpClient();

async Task<(double FirstByte, double Total, int Bytes)> SendAsync(string baseUrl)
{
    var clock = Stopwatch.StartNew();
    using var message = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/v1/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    message.Headers.Add("x-api-key", "sk-bench");
    using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
    var firstByte = clock.Elapsed.TotalMilliseconds;
    var bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
    return (firstByte, clock.Elapsed.TotalMilliseconds, bytes);
}

// Warm-up: JIT, connection pools, the proxy's upstream connection.
for (var i = 0; i < 50; i++)
{
    await SendAsync(api.BaseUrl);
    await SendAsync(recording.BaseUrl);
}

var direct = new List<(double FirstByte, double Total, int Bytes)>();
var proxied = new List<(double FirstByte, double Total, int Bytes)>();
for (var i = 0; i < requests; i++)
{
    direct.Add(await SendAsync(api.BaseUrl));
    proxied.Add(await SendAsync(recording.BaseUrl));
}
if (direct.Zip(proxied).Any(p => p.First.Bytes != p.Second.Bytes))
    throw new InvalidOperationException("a proxied response differs in length from the direct one");

static double Percentile(IEnumerable<double> values, double q)
{
    var sorted = values.Order().ToArray();
    var rank = q * (sorted.Length - 1);
    var low = (int)Math.Floor(rank);
    var high = (int)Math.Ceiling(rank);
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

string Row(string name, Func<(double FirstByte, double Total, int Bytes), double> pick)
{
    var d = direct.Select(pick).ToList();
    var p = proxied.Select(pick).ToList();
    var added = direct.Zip(proxied, (a, b) => pick(b) - pick(a)).ToList();
    return string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {Percentile(d, 0.5):0.00} / {Percentile(d, 0.95):0.00} | {Percentile(p, 0.5):0.00} / {Percentile(p, 0.95):0.00} | {Percentile(added, 0.5):0.00} / {Percentile(added, 0.95):0.00} |");
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{requests} streamed requests each way, request body {Encoding.UTF8.GetByteCount(body) / 1024.0:0.0} KiB, response {direct[0].Bytes / 1024.0:0.0} KiB, {Environment.ProcessorCount} cores"));
Console.WriteLine("| latency (ms) | direct median / p95 | through the proxy median / p95 | added median / p95 |");
Console.WriteLine("| --- | --- | --- | --- |");
Console.WriteLine(Row("to first byte", r => r.FirstByte));
Console.WriteLine(Row("to last byte", r => r.Total));
Console.WriteLine($"recorded requests: {recording.Finish().Requests.Length}");
