using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Driftwatch.Core.Fingerprints;

namespace Driftwatch.Formats.Fingerprints;

/// <summary>
/// Reads what a harness asks its model from a request body (Anthropic Messages, OpenAI chat
/// completions and responses, Gemini generateContent): model, system prompt, the harness's own
/// context, tools and every other generation parameter. Texts are normalised so that what differs
/// only per trial (the workspace path, today's date) does not make every trial look different.
/// </summary>
public static partial class HarnessRequestReader
{
    /// <summary>Request headers worth keeping; credentials and session ids never are.</summary>
    private static readonly ImmutableHashSet<string> Ignored = ImmutableHashSet.Create(StringComparer.Ordinal,
        "model", "messages", "system", "tools", "metadata", "stream", "stream_options", "user", "input", "instructions",
        "contents", "systemInstruction", "previous_response_id", "prompt_cache_key", "safety_identifier");

    /// <summary>Reads one request. <paramref name="headers"/> have lower-case names.</summary>
    public static (HarnessRequest Request, IReadOnlyList<HarnessText> Texts) Read(
        string method, string path, IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body,
        IReadOnlyList<(string Value, string Placeholder)> normalise, DateTimeOffset startedAt, int sequence)
    {
        var api = ApiOf(path);
        var texts = new List<HarnessText>();
        var request = new HarnessRequest
        {
            Sequence = sequence,
            Api = api,
            Method = method,
            Path = path,
            StartedAt = startedAt,
            UserAgent = headers.GetValueOrDefault("user-agent"),
            ApiVersion = headers.GetValueOrDefault("anthropic-version"),
            Betas = headers.TryGetValue("anthropic-beta", out var betas)
                ? [.. betas.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]
                : [],
        };

        JsonObject? json = null;
        try
        {
            json = body.Length > 0 ? JsonNode.Parse(body) as JsonObject : null;
        }
        catch (JsonException)
        {
            // not JSON: recorded by path, status and timing only
        }
        if (json is null)
            return (request, texts);

        string? Keep(HarnessTextKind kind, string? text)
        {
            if (string.IsNullOrEmpty(text))
                return null;
            var item = HarnessText.Of(kind, Normalise(text, normalise));
            texts.Add(item);
            return item.Hash;
        }

        var tools = json["tools"] as JsonArray ?? [];
        request = request with
        {
            Model = api == "gemini" ? GeminiModel(path) : Text(json["model"]),
            Streamed = json["stream"] is JsonValue stream && stream.TryGetValue<bool>(out var streamed) ? streamed : path.Contains(":streamGenerateContent", StringComparison.Ordinal),
            SystemHash = Keep(HarnessTextKind.SystemPrompt, SystemPrompt(api, json)),
            ContextHash = Keep(HarnessTextKind.Context, api == "anthropic-messages" || api == "anthropic-count-tokens" ? AnthropicContext(json) : null),
            ToolsHash = tools.Count == 0 ? null : Keep(HarnessTextKind.Tools, CanonicalJson.Write(tools, indented: true)),
            ToolNames = [.. tools.SelectMany(ToolNames)],
            Parameters = CanonicalJson.Flatten(json, Ignored),
        };
        return (request, texts);
    }

    public static string ApiOf(string path) =>
        path.Contains("/messages/count_tokens", StringComparison.Ordinal) ? "anthropic-count-tokens"
        : path.Contains("/messages", StringComparison.Ordinal) ? "anthropic-messages"
        : path.Contains("/chat/completions", StringComparison.Ordinal) ? "openai-chat"
        : path.Contains("/responses", StringComparison.Ordinal) ? "openai-responses"
        : path.Contains(":generateContent", StringComparison.Ordinal) || path.Contains(":streamGenerateContent", StringComparison.Ordinal) ? "gemini"
        : "other";

    private static string? GeminiModel(string path)
    {
        var match = GeminiModelPattern().Match(path);
        return match.Success ? match.Groups[1].Value : null;
    }

    private static string? SystemPrompt(string api, JsonObject json)
    {
        switch (api)
        {
            case "anthropic-messages" or "anthropic-count-tokens":
                return json["system"] switch
                {
                    JsonValue value => Text(value),
                    JsonArray blocks => string.Join("\n\n", blocks.Select(b => Text(b?["text"])).OfType<string>()),
                    _ => null,
                };
            case "openai-chat":
                return Join((json["messages"] as JsonArray ?? []).Where(m => Text(m?["role"]) is "system" or "developer").Select(m => ContentText(m?["content"])));
            case "openai-responses":
                var instructions = Text(json["instructions"]);
                var developer = json["input"] is JsonArray items
                    ? Join(items.Where(m => Text(m?["role"]) is "system" or "developer").Select(m => ContentText(m?["content"])))
                    : null;
                return Join([instructions, developer]);
            case "gemini":
                return Join((json["systemInstruction"]?["parts"] as JsonArray ?? []).Select(p => Text(p?["text"])));
            default:
                return null;
        }
    }

    /// <summary>
    /// What the harness adds to the conversation before the model first answers: messages in the
    /// system role and &lt;system-reminder&gt; blocks. The task's own prompt is not part of it.
    /// </summary>
    private static string? AnthropicContext(JsonObject json)
    {
        var parts = new List<string>();
        foreach (var message in json["messages"] as JsonArray ?? [])
        {
            var role = Text(message?["role"]);
            if (role == "assistant")
                break;
            IEnumerable<string> blocks = message?["content"] switch
            {
                JsonValue value => Text(value) is { } text ? [text] : [],
                JsonArray array => array.Where(b => Text(b?["type"]) == "text").Select(b => Text(b?["text"])).OfType<string>(),
                _ => [],
            };
            foreach (var block in blocks)
            {
                if (role == "system" || block.TrimStart().StartsWith("<system-reminder>", StringComparison.Ordinal))
                    parts.Add(block);
            }
        }
        return Join(parts);
    }

    private static IEnumerable<string> ToolNames(JsonNode? tool)
    {
        if (Text(tool?["name"]) is { } name)
            return [name];
        if (Text(tool?["function"]?["name"]) is { } function)
            return [function];
        if (tool?["functionDeclarations"] is JsonArray declarations)
            return declarations.Select(d => Text(d?["name"])).OfType<string>();
        return Text(tool?["type"]) is { } type ? [type] : [];
    }

    private static string? ContentText(JsonNode? content) => content switch
    {
        JsonValue value => Text(value),
        JsonArray parts => Join(parts.Select(p => Text(p?["text"]))),
        _ => null,
    };

    private static string? Join(IEnumerable<string?> parts)
    {
        var kept = parts.OfType<string>().Where(p => p.Length > 0).ToList();
        return kept.Count == 0 ? null : string.Join("\n\n", kept);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Replaces per-trial values (paths) and dates with placeholders.</summary>
    public static string Normalise(string text, IReadOnlyList<(string Value, string Placeholder)> replacements)
    {
        var builder = new StringBuilder(text);
        foreach (var (value, placeholder) in replacements.Where(r => r.Value.Length > 0).OrderByDescending(r => r.Value.Length))
            builder.Replace(value, placeholder);
        return IsoDate().Replace(builder.ToString(), "<date>");
    }

    [GeneratedRegex(@"\b(19|20)\d\d-[01]\d-[0-3]\d\b")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"models/([^/:?]+):")]
    private static partial Regex GeminiModelPattern();
}
