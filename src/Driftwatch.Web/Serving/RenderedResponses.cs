using System.Collections.Concurrent;
using System.Globalization;
using Driftwatch.Core.Runs;
using Microsoft.AspNetCore.Http;

namespace Driftwatch.Web.Serving;

/// <summary>
/// The dashboard's answers kept as rendered (#20): a GET of a page or an API endpoint is answered
/// with the bytes (and the Link header) rendered before for the same address while the store's change stamp
/// (<see cref="IRunStore.GetChangeStampAsync"/>: any run or trial written, added or removed) and the
/// minute of the clock (pages say "as of" the minute; a run whose owner died reads as incomplete
/// without a write) are the same. Anything else is rendered again. Only successful answers are
/// kept, each up to <see cref="MaxEntryBytes"/>, all together up to <see cref="MaxTotalBytes"/>
/// (the oldest go first).
/// </summary>
internal sealed class RenderedResponses(IResultStore store, TimeProvider time)
{
    public const int MaxEntryBytes = 32 << 20;
    public const long MaxTotalBytes = 256L << 20;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private long _totalBytes;

    private sealed record Entry(string Stamp, int Status, string? ContentType, string? Link, byte[] Body);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await next(context);
            return;
        }
        var stamp = await StampAsync(context.RequestAborted);
        var address = context.Request.Path.Value + context.Request.QueryString.Value;
        if (_entries.TryGetValue(address, out var kept) && kept.Stamp == stamp)
        {
            context.Response.StatusCode = kept.Status;
            context.Response.ContentType = kept.ContentType;
            if (kept.Link is not null)
                context.Response.Headers.Link = kept.Link;
            context.Response.ContentLength = kept.Body.Length;
            await context.Response.Body.WriteAsync(kept.Body, context.RequestAborted);
            return;
        }
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        var body = buffer.ToArray();
        if (context.Response.StatusCode == StatusCodes.Status200OK && body.Length <= MaxEntryBytes)
            Keep(address, new Entry(stamp, context.Response.StatusCode, context.Response.ContentType, LinkOf(context.Response), body));
        // A 204 (the favicon) has no body, and writing even none to it throws.
        if (context.Response.StatusCode == StatusCodes.Status204NoContent)
            return;
        context.Response.ContentLength = body.Length;
        await original.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>The answer's Link header (the next page of a list), kept with its body.</summary>
    private static string? LinkOf(HttpResponse response) =>
        response.Headers.Link is { Count: > 0 } link ? link.ToString() : null;

    private async Task<string> StampAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var changes = await store.GetChangeStampAsync(cancellationToken);
        return string.Create(CultureInfo.InvariantCulture, $"{changes}@{minute:O}");
    }

    private void Keep(string address, Entry entry)
    {
        if (_entries.TryGetValue(address, out var before))
        {
            if (!_entries.TryUpdate(address, entry, before))
                return;
            Interlocked.Add(ref _totalBytes, entry.Body.Length - before.Body.Length);
        }
        else
        {
            if (!_entries.TryAdd(address, entry))
                return;
            _order.Enqueue(address);
            Interlocked.Add(ref _totalBytes, entry.Body.Length);
        }
        while (Interlocked.Read(ref _totalBytes) > MaxTotalBytes && _order.TryDequeue(out var oldest))
        {
            if (_entries.TryRemove(oldest, out var removed))
                Interlocked.Add(ref _totalBytes, -removed.Body.Length);
        }
    }
}
