using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Driftwatch.Web.Pages;

/// <summary>
/// A transcript made readable: a JSON-lines event stream (Claude Code's stream-json, and agents
/// that print the same shapes) becomes turns — the assistant's text, each tool call with its
/// input, tool results, the final result — and anything else is shown as it was recorded.
/// </summary>
internal static class TranscriptHtml
{
    private const int MaxBlock = 20_000;

    public static string Render(string transcript)
    {
        var lines = transcript.Split('\n');
        var events = lines.Where(l => l.Length > 0).ToList();
        var parsed = events.Select(TryParse).ToList();
        if (parsed.Count == 0 || parsed.Count(p => p is not null) * 2 < parsed.Count)
            return $"<pre class=\"transcript\">{Esc(Cap(transcript))}</pre>";

        var html = new StringBuilder("<div class=\"transcript\">");
        for (var i = 0; i < events.Count; i++)
        {
            if (parsed[i] is not { } doc)
            {
                html.Append(CultureInfo.InvariantCulture, $"<pre>{Esc(Cap(events[i]))}</pre>");
                continue;
            }
            using (doc)
                Event(html, doc.RootElement);
        }
        return html.Append("</div>").ToString();
    }

    private static void Event(StringBuilder html, JsonElement e)
    {
        var type = String(e, "type");
        switch (type)
        {
            case "system":
                var model = String(e, "model");
                var tools = e.TryGetProperty("tools", out var t) && t.ValueKind == JsonValueKind.Array ? t.GetArrayLength() : 0;
                Turn(html, "system", "system", Esc($"{String(e, "subtype") ?? "system"}{(model is null ? "" : $": model {model}")}{(tools > 0 ? $", {tools} tools" : "")}"));
                break;
            case "assistant" or "user" when e.TryGetProperty("message", out var message):
                Message(html, type, message);
                break;
            case "result":
                var summary = new List<string>();
                foreach (var name in new[] { "subtype", "num_turns", "total_cost_usd", "duration_ms", "is_error" })
                {
                    if (e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
                        summary.Add($"{name}: {Scalar(value)}");
                }
                var result = String(e, "result");
                Turn(html, "result", "result", $"<p>{Esc(string.Join(" · ", summary))}</p>{(result is null ? "" : $"<pre>{Esc(Cap(result))}</pre>")}");
                break;
            default:
                Turn(html, "system", type ?? "event", $"<pre>{Esc(Cap(Pretty(e)))}</pre>");
                break;
        }
    }

    private static void Message(StringBuilder html, string role, JsonElement message)
    {
        if (message.TryGetProperty("content", out var content))
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                Turn(html, role, role, $"<pre>{Esc(Cap(content.GetString()!))}</pre>");
                return;
            }
            if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (var block in content.EnumerateArray())
                {
                    switch (String(block, "type"))
                    {
                        case "text":
                            Turn(html, role, role, $"<pre>{Esc(Cap(String(block, "text") ?? ""))}</pre>");
                            break;
                        case "thinking":
                            Turn(html, role, "thinking", $"<details><summary>thinking</summary><pre>{Esc(Cap(String(block, "thinking") ?? ""))}</pre></details>");
                            break;
                        case "tool_use":
                            var input = block.TryGetProperty("input", out var i) ? Pretty(i) : "";
                            Turn(html, "tool", $"tool call: {String(block, "name")}", $"<pre>{Esc(Cap(input))}</pre>");
                            break;
                        case "tool_result":
                            var body = block.TryGetProperty("content", out var c) ? c.ValueKind switch
                            {
                                JsonValueKind.String => c.GetString()!,
                                JsonValueKind.Array => string.Join("\n", c.EnumerateArray().Select(x => String(x, "text") ?? Pretty(x))),
                                _ => Pretty(c),
                            } : "";
                            var error = block.TryGetProperty("is_error", out var ie) && ie.ValueKind == JsonValueKind.True;
                            Turn(html, "tool", error ? "tool result (error)" : "tool result", $"<details{(body.Length < 400 ? " open" : "")}><summary>{body.Length:N0} characters</summary><pre>{Esc(Cap(body))}</pre></details>");
                            break;
                        default:
                            Turn(html, role, String(block, "type") ?? role, $"<pre>{Esc(Cap(Pretty(block)))}</pre>");
                            break;
                    }
                }
                return;
            }
        }
        Turn(html, role, role, $"<pre>{Esc(Cap(Pretty(message)))}</pre>");
    }

    private static void Turn(StringBuilder html, string cls, string who, string inner) =>
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"turn {cls}\"><div class=\"who\">{Esc(who)}</div>{inner}</div>");

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

    private static string Cap(string text) => text.Length <= MaxBlock ? text : text[..MaxBlock] + $"\n… ({text.Length - MaxBlock:N0} more characters)";

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
