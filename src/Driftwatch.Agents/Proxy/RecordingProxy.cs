using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Formats.Fingerprints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Driftwatch.Agents.Proxy;

/// <summary>
/// A reverse proxy on 127.0.0.1 that Driftwatch puts between a CLI agent and its model endpoint
/// for a run. Each trial gets its own path prefix (/t/TOKEN), so parallel trials are told apart.
/// Requests go upstream unchanged (headers, body, credentials); responses come back unchanged and
/// unbuffered, streamed events flushed as they arrive. On the side it records, per request, what
/// the harness asked the model (<see cref="HarnessRequestReader"/>) and what came back — never a
/// credential: only the body and three descriptive headers are read.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    private const int MaxRecordedResponse = 32 * 1024 * 1024;

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _client;
    private readonly ConcurrentDictionary<string, TrialRecording> _trials = new(StringComparer.Ordinal);

    private readonly TimeProvider _time;

    private RecordingProxy(WebApplication app, Uri upstream, TimeProvider time)
    {
        _app = app;
        Upstream = upstream;
        _time = time;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The model endpoint requests are forwarded to (may carry a path, e.g. https://gateway.example/anthropic).</summary>
    public Uri Upstream { get; }

    /// <summary>http://127.0.0.1:PORT</summary>
    public string Address { get; private set; } = "";

    /// <summary>Starts the proxy on a free loopback port; requests are stamped with <paramref name="time"/> (the system clock when not given).</summary>
    public static async Task<RecordingProxy> StartAsync(Uri upstream, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            options.AddServerHeader = false;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new RecordingProxy(app, upstream, time ?? TimeProvider.System);
        app.Run(proxy.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        proxy.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return proxy;
    }

    /// <summary>
    /// Starts recording one trial: its requests go to <see cref="TrialRecording.BaseUrl"/>.
    /// <paramref name="normalise"/> replaces per-trial values (paths) in recorded texts.
    /// </summary>
    public TrialRecording Begin(IReadOnlyList<(string Value, string Placeholder)> normalise)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var recording = new TrialRecording(this, token, $"{Address}/t/{token}", normalise);
        _trials[token] = recording;
        return recording;
    }

    internal void End(string token) => _trials.TryRemove(token, out _);

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var parts = path.Split('/', 4);
        if (parts.Length < 3 || parts[1] != "t" || !_trials.TryGetValue(parts[2], out var recording))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var rest = (parts.Length == 4 ? "/" + parts[3] : "") + context.Request.QueryString.Value;
        var clock = Stopwatch.StartNew();
        var startedAt = _time.GetUtcNow();
        var sequence = recording.NextSequence();
        using var inFlight = recording.Track(sequence);

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();
        using var upstreamRequest = new HttpRequestMessage(new HttpMethod(context.Request.Method), Upstream.AbsoluteUri.TrimEnd('/') + rest);
        if (body.Length > 0 || context.Request.ContentLength is not null)
            upstreamRequest.Content = new ByteArrayContent(body);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHop.Contains(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                continue;
            if (!upstreamRequest.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                upstreamRequest.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }

        // Sent first, read while the upstream works: recording adds nothing to the wait for the answer.
        var sending = _client.SendAsync(upstreamRequest, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var (request, texts) = HarnessRequestReader.Read(context.Request.Method, rest, headers, body, recording.Normalise, startedAt, sequence);
        HttpResponseMessage response;
        try
        {
            response = await sending.ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // The upstream could not be reached: the client must see what it would have seen
            // without the proxy, a broken connection, not an answer.
            recording.Add(request with { Status = 0, FirstByteMs = clock.ElapsedMilliseconds, DurationMs = clock.ElapsedMilliseconds }, texts);
            inFlight.Answered();
            context.Abort();
            return;
        }

        using (response)
        {
            inFlight.Heard();
            var firstByte = clock.ElapsedMilliseconds;
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name))
                    context.Response.Headers[name] = values.ToArray();
            }
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

            using var copy = new MemoryStream();
            var aborted = false;
            await using (var upstreamBody = await response.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false))
            {
                var chunk = new byte[16 * 1024];
                try
                {
                    int read;
                    while ((read = await upstreamBody.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
                    {
                        inFlight.Heard();
                        await context.Response.Body.WriteAsync(chunk.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                        if (copy.Length + read <= MaxRecordedResponse)
                            copy.Write(chunk, 0, read);
                    }
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
                {
                    // The upstream broke off mid-stream, or the client went away: pass the break on.
                    aborted = true;
                    if (!context.RequestAborted.IsCancellationRequested)
                        inFlight.Answered();
                    context.Abort();
                }
            }
            if (!aborted)
                inFlight.Answered();
            var answer = HarnessResponseReader.Read(copy.ToArray(), response.Content.Headers.ContentType?.ToString(), string.Join(",", response.Content.Headers.ContentEncoding));
            recording.Add(request with
            {
                Status = (int)response.StatusCode,
                Streamed = request.Streamed || answer.Streamed,
                ResponseModel = answer.Model,
                InputTokens = answer.InputTokens,
                OutputTokens = answer.OutputTokens,
                CacheReadTokens = answer.CacheReadTokens,
                CacheWriteTokens = answer.CacheWriteTokens,
                StopReason = aborted ? answer.StopReason ?? "aborted" : answer.StopReason,
                FirstByteMs = firstByte,
                DurationMs = clock.ElapsedMilliseconds,
            }, texts);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }
}

/// <summary>One trial's requests through the proxy.</summary>
public sealed class TrialRecording
{
    private readonly RecordingProxy _proxy;
    private readonly ConcurrentQueue<HarnessRequest> _requests = new();
    private readonly ConcurrentDictionary<string, HarnessText> _texts = new(StringComparer.Ordinal);
    private int _sequence = -1;

    internal TrialRecording(RecordingProxy proxy, string token, string baseUrl, IReadOnlyList<(string Value, string Placeholder)> normalise)
    {
        _proxy = proxy;
        Token = token;
        BaseUrl = baseUrl;
        Normalise = normalise;
    }

    public string Token { get; }

    /// <summary>What the agent uses as its API base URL for this trial, on the host.</summary>
    public string BaseUrl { get; }

    /// <summary>The path of this trial's requests on the proxy (/t/TOKEN), to append to wherever the agent reaches the proxy.</summary>
    public string PathPrefix => $"/t/{Token}";

    /// <summary>The proxy's port on the host's loopback.</summary>
    public int Port => new Uri(BaseUrl).Port;

    internal IReadOnlyList<(string Value, string Placeholder)> Normalise { get; }

    internal int NextSequence() => Interlocked.Increment(ref _sequence);

    private readonly ConcurrentDictionary<int, InFlightRequest> _inFlight = new();

    private long _abandonedSilenceTicks;

    /// <summary>Marks a request as waiting on the upstream until the result is disposed.</summary>
    internal InFlightRequest Track(int sequence) => _inFlight[sequence] = new InFlightRequest(request =>
    {
        _inFlight.TryRemove(sequence, out _);
        // Given up by the agent (killed at its timeout, say) while the upstream said nothing: remembered.
        if (!request.HasAnswered)
            InterlockedMax(ref _abandonedSilenceTicks, request.Silent.Ticks);
    });

    /// <summary>
    /// How long the upstream had said nothing on a request the agent was still waiting for, in
    /// flight now or given up unanswered (the longest): a model API that stalled. Null when none.
    /// </summary>
    public TimeSpan? Stalled()
    {
        var longest = Math.Max(Interlocked.Read(ref _abandonedSilenceTicks), _inFlight.Values.Select(r => r.Silent.Ticks).DefaultIfEmpty().Max());
        return longest > 0 ? TimeSpan.FromTicks(longest) : null;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    internal void Add(HarnessRequest request, IReadOnlyList<HarnessText> texts)
    {
        _requests.Enqueue(request);
        foreach (var text in texts)
            _texts.TryAdd(text.Hash, text);
    }

    /// <summary>Stops recording and returns what was recorded, in request order.</summary>
    public HarnessCapture Finish()
    {
        _proxy.End(Token);
        return new HarnessCapture([.. _requests.OrderBy(r => r.Sequence)], [.. _texts.Values.OrderBy(t => t.Hash, StringComparer.Ordinal)]);
    }
}

/// <summary>A request the proxy is carrying: when the upstream last sent anything, and whether its answer ended.</summary>
internal sealed class InFlightRequest(Action<InFlightRequest> done) : IDisposable
{
    private long _lastHeard = Stopwatch.GetTimestamp();
    private long _silentAtEnd = -1;

    /// <summary>The upstream sent something (headers, or a piece of the body).</summary>
    public void Heard() => Interlocked.Exchange(ref _lastHeard, Stopwatch.GetTimestamp());

    /// <summary>The upstream's answer ended (completely, or broken off by the upstream itself).</summary>
    public void Answered() => HasAnswered = true;

    public bool HasAnswered { get; private set; }

    /// <summary>How long the upstream has said nothing (fixed once the request ended).</summary>
    public TimeSpan Silent => TimeSpan.FromTicks(Interlocked.Read(ref _silentAtEnd) is >= 0 and var ended ? ended : Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastHeard)).Ticks);

    public void Dispose()
    {
        Interlocked.Exchange(ref _silentAtEnd, Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastHeard)).Ticks);
        done(this);
    }
}
