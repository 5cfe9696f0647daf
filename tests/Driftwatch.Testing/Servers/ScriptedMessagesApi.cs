using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Driftwatch.Testing.Servers;

/// <summary>A content block of a scripted reply.</summary>
public abstract record ScriptedBlock;

public sealed record TextBlock(string Text) : ScriptedBlock;

public sealed record ToolUseBlock(string Id, string Name, JsonObject Input) : ScriptedBlock;

/// <summary>What the scripted model answers to one request.</summary>
public abstract record ScriptedReply;

public sealed record MessageReply(IReadOnlyList<ScriptedBlock> Content, string StopReason = "end_turn") : ScriptedReply
{
    /// <summary>A pause before each streamed event, as a model that thinks and writes slowly (a session of minutes).</summary>
    public TimeSpan EventDelay { get; init; }

    public int InputTokens { get; init; } = 1000;
    public int OutputTokens { get; init; } = 200;
    public int CacheReadTokens { get; init; } = 50;
    public int CacheCreationTokens { get; init; }
    public string? Model { get; init; }
}

public sealed record ErrorReply(int Status, string Type, string Message) : ScriptedReply
{
    /// <summary>The retry-after header, in seconds (429 and 529 carry one).</summary>
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>The connection is reset before any answer.</summary>
public sealed record ResetReply : ScriptedReply;

/// <summary>The reply starts streaming, then after <paramref name="Events"/> events the connection is reset.</summary>
public sealed record BreakAfterEvents(MessageReply Reply, int Events) : ScriptedReply;

/// <summary>The reply starts streaming, then after <paramref name="Events"/> events nothing more comes (the connection stays open).</summary>
public sealed record StallAfterEvents(MessageReply Reply, int Events) : ScriptedReply;

/// <summary>No answer at all: the request hangs until the client gives up (an API that stopped responding).</summary>
public sealed record HangReply : ScriptedReply;

/// <summary>One request to the Messages API as the script sees it.</summary>
public sealed partial record MessagesCall(int Number, JsonObject Body)
{
    public bool Stream => Body["stream"]?.GetValue<bool>() ?? false;
    public string Model => Body["model"]?.GetValue<string>() ?? "unknown";
    public bool HasTools => Body["tools"] is JsonArray { Count: > 0 };

    /// <summary>How many times the assistant has answered in this conversation so far.</summary>
    public int AssistantTurns => (Body["messages"] as JsonArray)?.Count(m => m?["role"]?.GetValue<string>() == "assistant") ?? 0;

    /// <summary>The working directory Claude Code announces in its first user message.</summary>
    public string? WorkingDirectory
    {
        get
        {
            var match = WorkingDirectoryPattern().Match(Body["messages"]?.ToJsonString() ?? "");
            return match.Success ? Regex.Unescape(match.Groups[1].Value) : null;
        }
    }

    /// <summary>The text of every tool_result block in the last user message.</summary>
    public IReadOnlyList<string> LastToolResults
    {
        get
        {
            var last = (Body["messages"] as JsonArray)?.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user");
            if (last?["content"] is not JsonArray blocks)
                return [];
            return [.. blocks.Where(b => b?["type"]?.GetValue<string>() == "tool_result").Select(b => b!["content"]?.ToJsonString() ?? "")];
        }
    }

    [GeneratedRegex(@"Primary working directory: ([^\s\\]+)")]
    private static partial Regex WorkingDirectoryPattern();
}

/// <summary>
/// A scripted stand-in for the Anthropic Messages API on 127.0.0.1 that speaks the real protocol:
/// POST /v1/messages, JSON or Server-Sent Events (message_start, content_block_start/delta/stop,
/// message_delta, message_stop) with text and tool_use blocks, error bodies with the API's status
/// codes (429, 500, 529…), and /v1/messages/count_tokens. The script decides each reply.
/// </summary>
public sealed class ScriptedMessagesApi : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private int _calls;

    private ScriptedMessagesApi(LoopbackServer server) => _server = server;

    public string BaseUrl => _server.BaseUrl;
    public IReadOnlyList<RecordedRequest> Requests => _server.Requests;
    public int Calls => _calls;

    /// <summary>
    /// Starts the server. With <paramref name="rejectChunkedBodies"/> it answers a request whose body
    /// comes chunked (no Content-Length) with 411, as some gateways do.
    /// </summary>
    public static async Task<ScriptedMessagesApi> StartAsync(Func<MessagesCall, ScriptedReply> script, bool rejectChunkedBodies = false)
    {
        ScriptedMessagesApi? api = null;
        var server = await LoopbackServer.StartAsync(async (request, context) =>
        {
            if (rejectChunkedBodies && request.Headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                await WriteJson(context, 411, Error("invalid_request_error", "Length Required: chunked request bodies are not accepted"));
                return;
            }
            if (request.Path.StartsWith("/v1/messages/count_tokens", StringComparison.Ordinal))
            {
                await WriteJson(context, 200, new JsonObject { ["input_tokens"] = 1000 });
                return;
            }
            if (!request.Path.StartsWith("/v1/messages", StringComparison.Ordinal) || request.Body is not JsonObject body)
            {
                await WriteJson(context, 404, Error("not_found_error", $"no route {request.Path}"));
                return;
            }
            var call = new MessagesCall(Interlocked.Increment(ref api!._calls), body);
            switch (script(call))
            {
                case HangReply:
                    try
                    {
                        await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        // the client went away, or the server is stopping
                    }
                    break;
                case ErrorReply error:
                    if (error.RetryAfterSeconds is { } retryAfter)
                        context.Response.Headers["retry-after"] = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await WriteJson(context, error.Status, Error(error.Type, error.Message));
                    break;
                case ResetReply:
                    context.Abort();
                    break;
                case BreakAfterEvents broken:
                    await WriteEvents(context, call, broken.Reply, broken.Events);
                    context.Abort();
                    break;
                case StallAfterEvents stalled:
                    await WriteEvents(context, call, stalled.Reply, stalled.Events);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        // the client gave up, or the server is stopping
                    }
                    break;
                case MessageReply reply when call.Stream:
                    await WriteEvents(context, call, reply);
                    break;
                case MessageReply reply:
                    await WriteJson(context, 200, Message(call, reply, final: true));
                    break;
            }
        });
        api = new ScriptedMessagesApi(server);
        return api;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>
    /// A model that solves a task the way Claude Code does it: for each file, Read it (the Write
    /// tool wants a file read first) and then Write its new content; then say it is done.
    /// </summary>
    public static Func<MessagesCall, ScriptedReply> SolveByWriting(IReadOnlyDictionary<string, string> files) => call =>
    {
        if (!call.HasTools)
            return new MessageReply([new TextBlock("ok")]);
        var directory = call.WorkingDirectory ?? throw new InvalidOperationException("the request names no working directory");
        var steps = files.SelectMany(f => new[] { ("Read", f.Key, (string?)null), ("Write", f.Key, f.Value) }).ToList();
        var turn = call.AssistantTurns;
        if (turn >= steps.Count)
            return new MessageReply([new TextBlock("The change is made.")]);
        var (tool, path, content) = steps[turn];
        var input = new JsonObject { ["file_path"] = Path.Combine(directory, path) };
        if (content is not null)
            input["content"] = content;
        return new MessageReply([new TextBlock($"{tool} {path}."), new ToolUseBlock($"toolu_{turn:00}", tool, input)], "tool_use");
    };

    private static JsonObject Error(string type, string message) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
    };

    private static JsonObject Message(MessagesCall call, MessageReply reply, bool final) => new()
    {
        ["id"] = $"msg_{call.Number:0000}",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = reply.Model ?? call.Model,
        ["content"] = final ? new JsonArray([.. reply.Content.Select(Block)]) : new JsonArray(),
        ["stop_reason"] = final ? reply.StopReason : null,
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = reply.InputTokens,
            ["output_tokens"] = final ? reply.OutputTokens : 1,
            ["cache_read_input_tokens"] = reply.CacheReadTokens,
            ["cache_creation_input_tokens"] = reply.CacheCreationTokens,
        },
    };

    private static JsonNode Block(ScriptedBlock block) => block switch
    {
        TextBlock text => new JsonObject { ["type"] = "text", ["text"] = text.Text },
        ToolUseBlock tool => new JsonObject { ["type"] = "tool_use", ["id"] = tool.Id, ["name"] = tool.Name, ["input"] = tool.Input.DeepClone() },
        _ => throw new ArgumentOutOfRangeException(nameof(block)),
    };

    /// <summary>Streams the reply as Server-Sent Events; with <paramref name="limit"/>, only that many events.</summary>
    private static async Task WriteEvents(HttpContext context, MessagesCall call, MessageReply reply, int limit = int.MaxValue)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var sent = 0;
        async Task Send(string name, JsonObject data)
        {
            if (sent >= limit)
                return;
            if (reply.EventDelay > TimeSpan.Zero)
                await Task.Delay(reply.EventDelay, context.RequestAborted);
            data["type"] = name;
            await context.Response.WriteAsync($"event: {name}\ndata: {data.ToJsonString()}\n\n", Encoding.UTF8);
            await context.Response.Body.FlushAsync();
            sent++;
        }
        await Send("message_start", new JsonObject { ["message"] = Message(call, reply, final: false) });
        for (var i = 0; i < reply.Content.Count; i++)
        {
            switch (reply.Content[i])
            {
                case TextBlock text:
                    await Send("content_block_start", new JsonObject { ["index"] = i, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } });
                    foreach (var piece in Pieces(text.Text))
                        await Send("content_block_delta", new JsonObject { ["index"] = i, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece } });
                    break;
                case ToolUseBlock tool:
                    await Send("content_block_start", new JsonObject
                    {
                        ["index"] = i,
                        ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = tool.Id, ["name"] = tool.Name, ["input"] = new JsonObject() },
                    });
                    foreach (var piece in Pieces(tool.Input.ToJsonString()))
                        await Send("content_block_delta", new JsonObject { ["index"] = i, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece } });
                    break;
            }
            await Send("content_block_stop", new JsonObject { ["index"] = i });
        }
        await Send("message_delta", new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = reply.StopReason, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = reply.OutputTokens },
        });
        await Send("message_stop", []);
    }

    /// <summary>Splits a text into a few pieces, as a real stream delivers it.</summary>
    private static IEnumerable<string> Pieces(string text)
    {
        var size = Math.Max(1, text.Length / 3 + 1);
        for (var i = 0; i < text.Length; i += size)
            yield return text.Substring(i, Math.Min(size, text.Length - i));
    }

    private static async Task WriteJson(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
