using System.Globalization;
using System.Text.Json;

namespace Driftwatch.Web.Pages;

/// <summary>One block of a transcript as the page shows it (<see cref="Components.Transcript"/>).</summary>
/// <param name="Class">The turn's class (system, assistant, user, tool, thinking, result); null for a line shown as it was recorded.</param>
/// <param name="Who">Whose turn it is, as its heading says.</param>
internal sealed record TranscriptBlock(string? Class, string Who)
{
    /// <summary>Text shown as it is inside the turn (a system event's summary).</summary>
    public string? Text { get; init; }

    /// <summary>A paragraph (a result's figures).</summary>
    public string? Paragraph { get; init; }

    /// <summary>Preformatted text: a message, a tool call's input, a tool's output.</summary>
    public string? Pre { get; init; }

    /// <summary>When set, <see cref="Pre"/> sits in a collapsible block with this summary.</summary>
    public string? Details { get; init; }

    /// <summary>Whether that block starts open.</summary>
    public bool Open { get; init; }
}

/// <summary>
/// A transcript made readable: a JSON-lines event stream (Claude Code's stream-json, and agents
/// that print the same shapes) becomes turns — the assistant's text, each tool call with its
/// input, tool results, the final result — and anything else is shown as it was recorded.
/// The text stays plain: <see cref="Components.Transcript"/> writes it, escaped.
/// </summary>
internal static class TranscriptReader
{
    private const int MaxBlock = 20_000;

    /// <summary>The blocks of <paramref name="transcript"/>, or null when it is not (mostly) JSON lines and is shown whole (<see cref="Plain"/>).</summary>
    public static IReadOnlyList<TranscriptBlock>? Read(string transcript)
    {
        var events = transcript.Split('\n').Where(l => l.Length > 0).ToList();
        var parsed = events.Select(TryParse).ToList();
        if (parsed.Count == 0 || parsed.Count(p => p is not null) * 2 < parsed.Count)
        {
            foreach (var doc in parsed)
                doc?.Dispose();
            return null;
        }

        var blocks = new List<TranscriptBlock>();
        for (var i = 0; i < events.Count; i++)
        {
            if (parsed[i] is not { } doc)
            {
                blocks.Add(new TranscriptBlock(null, "") { Pre = Cap(events[i]) });
                continue;
            }
            using (doc)
                Event(blocks, doc.RootElement);
        }
        return blocks;
    }

    /// <summary>A transcript shown whole, as it was recorded (capped).</summary>
    public static string Plain(string transcript) => Cap(transcript);

    private static void Event(List<TranscriptBlock> blocks, JsonElement e)
    {
        var type = String(e, "type");
        switch (type)
        {
            case "system":
                var model = String(e, "model");
                var tools = e.TryGetProperty("tools", out var t) && t.ValueKind == JsonValueKind.Array ? t.GetArrayLength() : 0;
                blocks.Add(new TranscriptBlock("system", "system") { Text = $"{String(e, "subtype") ?? "system"}{(model is null ? "" : $": model {model}")}{(tools > 0 ? $", {tools} tools" : "")}" });
                break;
            case "assistant" or "user" when e.TryGetProperty("message", out var message):
                Message(blocks, type, message);
                break;
            case "result":
                var summary = new List<string>();
                foreach (var name in new[] { "subtype", "num_turns", "total_cost_usd", "duration_ms", "is_error" })
                {
                    if (e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
                        summary.Add($"{name}: {Scalar(value)}");
                }
                var result = String(e, "result");
                blocks.Add(new TranscriptBlock("result", "result") { Paragraph = string.Join(" · ", summary), Pre = result is null ? null : Cap(result) });
                break;
            default:
                blocks.Add(new TranscriptBlock("system", type ?? "event") { Pre = Cap(Pretty(e)) });
                break;
        }
    }

    private static void Message(List<TranscriptBlock> blocks, string role, JsonElement message)
    {
        if (message.TryGetProperty("content", out var content))
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                blocks.Add(new TranscriptBlock(role, role) { Pre = Cap(content.GetString()!) });
                return;
            }
            if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (var block in content.EnumerateArray())
                {
                    switch (String(block, "type"))
                    {
                        case "text":
                            blocks.Add(new TranscriptBlock(role, role) { Pre = Cap(String(block, "text") ?? "") });
                            break;
                        case "thinking":
                            blocks.Add(new TranscriptBlock(role, "thinking") { Details = "thinking", Pre = Cap(String(block, "thinking") ?? "") });
                            break;
                        case "tool_use":
                            var input = block.TryGetProperty("input", out var i) ? Pretty(i) : "";
                            blocks.Add(new TranscriptBlock("tool", $"tool call: {String(block, "name")}") { Pre = Cap(input) });
                            break;
                        case "tool_result":
                            var body = block.TryGetProperty("content", out var c) ? c.ValueKind switch
                            {
                                JsonValueKind.String => c.GetString()!,
                                JsonValueKind.Array => string.Join("\n", c.EnumerateArray().Select(x => String(x, "text") ?? Pretty(x))),
                                _ => Pretty(c),
                            } : "";
                            var error = block.TryGetProperty("is_error", out var ie) && ie.ValueKind == JsonValueKind.True;
                            blocks.Add(new TranscriptBlock("tool", error ? "tool result (error)" : "tool result")
                            {
                                Details = string.Create(CultureInfo.InvariantCulture, $"{body.Length:N0} characters"),
                                Open = body.Length < 400,
                                Pre = Cap(body),
                            });
                            break;
                        default:
                            blocks.Add(new TranscriptBlock(role, String(block, "type") ?? role) { Pre = Cap(Pretty(block)) });
                            break;
                    }
                }
                return;
            }
        }
        blocks.Add(new TranscriptBlock(role, role) { Pre = Cap(Pretty(message)) });
    }

    private static JsonDocument? TryParse(string line)
    {
        var trimmed = line.TrimStart();
        if (!trimmed.StartsWith('{'))
            return null;
        try
        {
            return JsonDocument.Parse(trimmed);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Scalar(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static string Pretty(JsonElement e) => JsonSerializer.Serialize(e, PrettyOptions);

    private static readonly JsonSerializerOptions PrettyOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Cap(string text) =>
        text.Length <= MaxBlock ? text : text[..MaxBlock] + string.Create(CultureInfo.InvariantCulture, $"\n… ({text.Length - MaxBlock:N0} more characters)");
}
