using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Driftwatch.Core;
using Driftwatch.Core.Alerts;
using Driftwatch.Core.Configuration;
using Driftwatch.Formats.Alerts;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Driftwatch.Jobs.Alerts;

/// <summary>How hard a webhook delivery tries.</summary>
public sealed record DeliveryOptions
{
    /// <summary>Attempts in all (the first one included).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>First pause before a retry; doubled each time, with jitter.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest Retry-After honoured; a receiver asking for more gets this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Each attempt's time limit.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// POSTs an alert to a webhook as JSON in the sink's format (generic, Slack or Discord). Network
/// errors, timeouts, 429 and 5xx are retried with exponential backoff and jitter (Polly), a 429's
/// or 503's Retry-After honoured; other answers are final. The URL is a secret: it appears in no
/// message, log or result.
/// </summary>
internal sealed class WebhookAlertSink : IAlertSink
{
    private readonly AlertSinkKind _kind;
    private readonly Uri _url;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly DeliveryOptions _options;

    public WebhookAlertSink(AlertSinkKind kind, string name, Uri url, HttpClient http, DeliveryOptions options, TimeProvider time)
    {
        if (kind == AlertSinkKind.Console)
            throw new ArgumentException("a console sink is not a webhook", nameof(kind));
        _kind = kind;
        Name = name;
        _url = url;
        _http = http;
        _options = options;
        _time = time;
    }

    public string Name { get; }

    /// <summary>The request body this sink sends for an alert.</summary>
    public string Body(Alert alert) => _kind switch
    {
        AlertSinkKind.Slack => AlertFormats.Slack(alert).ToJsonString(),
        AlertSinkKind.Discord => AlertFormats.Discord(alert).ToJsonString(),
        _ => alert.ToJson(),
    };

    public async Task<DeliveryResult> SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var body = Body(alert);
        var attempts = 0;
        string? lastProblem = null;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(IsTransient),
                MaxRetryAttempts = Math.Max(0, _options.MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.FirstDelay,
                // Null: the exponential backoff's own delay.
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(_options.AttemptTimeout)
            .Build();
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Post, _url)
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Driftwatch", DriftwatchInfo.Version));
                try
                {
                    var answer = await _http.SendAsync(request, token).ConfigureAwait(false);
                    lastProblem = answer.IsSuccessStatusCode ? null : await Describe(answer, token).ConfigureAwait(false);
                    return answer;
                }
                catch (HttpRequestException ex)
                {
                    lastProblem = Describe(ex);
                    throw;
                }
            }, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? new DeliveryResult(Name, true, attempts, null)
                : new DeliveryResult(Name, false, attempts, lastProblem);
        }
        catch (HttpRequestException)
        {
            return new DeliveryResult(Name, false, attempts, lastProblem);
        }
        catch (TimeoutRejectedException)
        {
            return new DeliveryResult(Name, false, attempts, $"no answer within {_options.AttemptTimeout.TotalSeconds:0} s");
        }
    }

    private static bool IsTransient(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;

    /// <summary>The pause a 429 or 503 asks for (Retry-After: seconds or a date), capped; null: none asked.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response is null || response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
            return null;
        var header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        if (wait is not { } w)
            return null;
        return w < TimeSpan.Zero ? TimeSpan.Zero : w > _options.MaxRetryAfter ? _options.MaxRetryAfter : w;
    }

    /// <summary>The status and the start of the receiver's answer (Slack says why in plain text), on one line.</summary>
    private static async Task<string> Describe(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = "";
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
        }
        text = string.Join(' ', text.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        if (text.Length > 200)
            text = text[..200] + "…";
        return $"HTTP {(int)response.StatusCode}" + (text.Length > 0 ? $": {text}" : "");
    }

    /// <summary>The kind of network failure, never the exception's message (it may name the address).</summary>
    private static string Describe(HttpRequestException exception) =>
        exception.InnerException is SocketException socket
            ? $"network error: {socket.SocketErrorCode}"
            : $"network error: {exception.HttpRequestError}";
}
