using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Driftwatch.Core.Runs;

namespace Driftwatch.Agents.Command;

/// <summary>Usage figures that CLI agents print, in the formats they print them.</summary>
internal static partial class UsageParsers
{
    public static readonly string[] Kinds = ["auto", "codex", "gemini", "aider", "claude", "none"];

    /// <summary>Tokens, cost and models from an agent's standard output; empty when it prints none.</summary>
    public static (AgentUsage Usage, IReadOnlyList<string> Models) Parse(string kind, string output) => kind switch
    {
        "none" => (AgentUsage.None, []),
        "aider" => Aider(output),
        "claude" => FromClaude(output),
        _ => Json(output),
    };

    private static (AgentUsage, IReadOnlyList<string>) FromClaude(string output)
    {
        var session = ClaudeCode.ClaudeSession.Parse(output);
        return (session.Usage, session.Models);
    }

    /// <summary>
    /// JSON output: Codex CLI's `exec --json` event lines (usage in turn.completed / token_count
    /// events, input_tokens / output_tokens / cached_input_tokens), Gemini CLI's `--output-format
    /// json` document (stats.models.NAME.tokens.prompt / candidates / cached), and the common
    /// usage shapes of APIs (prompt_tokens / completion_tokens). Figures of several lines add up.
    /// </summary>
    public static (AgentUsage Usage, IReadOnlyList<string> Models) Json(string output)
    {
        long input = 0, outputTokens = 0, cached = 0;
        var seen = false;
        var models = new SortedSet<string>(StringComparer.Ordinal);
        var documents = new List<string>();
        var trimmed = output.Trim();
        if (trimmed.StartsWith('{') && IsJson(trimmed))
            documents.Add(trimmed);
        else
            documents.AddRange(output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{')));

        foreach (var text in documents)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                continue;
            }
            using (document)
            {
                var root = document.RootElement;
                // Gemini CLI: { "response": …, "stats": { "models": { "gemini-2.5-pro": { "tokens": { … } } } } }
                if (root.TryGetProperty("stats", out var stats) && stats.TryGetProperty("models", out var perModel) && perModel.ValueKind == JsonValueKind.Object)
                {
                    foreach (var model in perModel.EnumerateObject())
                    {
                        models.Add(model.Name);
                        if (model.Value.TryGetProperty("tokens", out var tokens))
                        {
                            input += Number(tokens, "prompt");
                            outputTokens += Number(tokens, "candidates");
                            cached += Number(tokens, "cached");
                            seen = true;
                        }
                    }
                    continue;
                }
                foreach (var usage in UsageObjects(root))
                {
                    input += Number(usage, "input_tokens") + Number(usage, "prompt_tokens");
                    outputTokens += Number(usage, "output_tokens") + Number(usage, "completion_tokens");
                    cached += Number(usage, "cached_input_tokens") + Number(usage, "cache_read_input_tokens");
                    seen = true;
                }
                if (root.TryGetProperty("model", out var name) && name.ValueKind == JsonValueKind.String)
                    models.Add(name.GetString()!);
            }
        }
        return (seen ? new AgentUsage { InputTokens = input, OutputTokens = outputTokens, CacheReadTokens = cached } : AgentUsage.None, [.. models]);
    }

    /// <summary>aider: "Tokens: 2.1k sent, 345 received. Cost: $0.01 message, $0.02 session."</summary>
    public static (AgentUsage Usage, IReadOnlyList<string> Models) Aider(string output)
    {
        long sent = 0, received = 0;
        decimal cost = 0;
        var seen = false;
        foreach (Match match in AiderTokens().Matches(output))
        {
            sent += Amount(match.Groups["sent"].Value);
            received += Amount(match.Groups["received"].Value);
            if (match.Groups["cost"].Success)
                cost += decimal.Parse(match.Groups["cost"].Value, CultureInfo.InvariantCulture);
            seen = true;
        }
        var models = AiderModel().Matches(output).Select(m => m.Groups[1].Value).Distinct().ToList();
        return (seen ? new AgentUsage { InputTokens = sent, OutputTokens = received, CostUsd = cost } : AgentUsage.None, models);
    }

    private static IEnumerable<JsonElement> UsageObjects(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            yield break;
        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            yield return usage;
        // Codex token_count events nest it: { "msg": { "type": "token_count", "info": { "last_token_usage": {…} } } }
        if (root.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.Object
            && msg.TryGetProperty("info", out var info) && info.ValueKind == JsonValueKind.Object
            && info.TryGetProperty("last_token_usage", out var last) && last.ValueKind == JsonValueKind.Object)
            yield return last;
    }

    private static long Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static long Amount(string text)
    {
        var multiplier = text.EndsWith('k') ? 1_000 : text.EndsWith('M') ? 1_000_000 : 1;
        var number = double.Parse(text.TrimEnd('k', 'M').Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        return (long)Math.Round(number * multiplier);
    }

    [GeneratedRegex(@"Tokens:\s*(?<sent>[\d.,]+[kM]?)\s+sent,\s*(?<received>[\d.,]+[kM]?)\s+received\.(?:\s*Cost:\s*\$(?<cost>[\d.]+)\s+message)?")]
    private static partial Regex AiderTokens();

    [GeneratedRegex(@"^(?:Main model|Model):\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex AiderModel();
}
