using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Driftwatch.Testing.Servers;

/// <summary>
/// A scripted OpenAI-compatible chat endpoint on 127.0.0.1: POST /v1/chat/completions answered with
/// the script's text (or an error status), with a usage block, as vLLM, Ollama or OpenAI do.
/// </summary>
public sealed class ScriptedChatApi : IAsyncDisposable
{
    private readonly LoopbackServer _server;

    private ScriptedChatApi(LoopbackServer server) => _server = server;

    /// <summary>The endpoint to configure (ends in /v1).</summary>
    public string BaseUrl => _server.BaseUrl + "/v1";
    public IReadOnlyList<RecordedRequest> Requests => _server.Requests;

    /// <summary>The script gets the request number and body; it returns text, or a negative number as an error status.</summary>
    public static async Task<ScriptedChatApi> StartAsync(Func<int, JsonObject, (int Status, string Text)> script)
    {
        var calls = 0;
        var server = await LoopbackServer.StartAsync(async (request, context) =>
        {
            if (!request.Path.StartsWith("/v1/chat/completions", StringComparison.Ordinal) || request.Body is not JsonObject body)
            {
                context.Response.StatusCode = 404;
                return;
            }
            var (status, text) = script(Interlocked.Increment(ref calls), body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            var reply = status == 200
                ? new JsonObject
                {
                    ["id"] = $"chatcmpl-{calls}",
                    ["object"] = "chat.completion",
                    ["created"] = 1_760_000_000,
                    ["model"] = body["model"]?.GetValue<string>(),
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
                        ["finish_reason"] = "stop",
                    }),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = 700, ["completion_tokens"] = 150, ["total_tokens"] = 850 },
                }
                : new JsonObject { ["error"] = new JsonObject { ["message"] = text, ["type"] = "server_error" } };
            await context.Response.WriteAsync(reply.ToJsonString());
        });
        return new ScriptedChatApi(server);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
