using System.Text.Json;
using Driftwatch.Core.Runs;

namespace Driftwatch.Agents.ClaudeCode;

/// <summary>
/// What the `claude -p --output-format stream-json --verbose` event stream says about a session:
/// the first event (system/init) names the model, tools and permission mode; assistant events
/// carry the models that answered and the tool calls; the last (result) carries usage,
/// total_cost_usd, modelUsage, num_turns, the stop reason and any API error.
/// </summary>
internal sealed record ClaudeSession
{
    public string? InitModel { get; init; }
    public IReadOnlyList<string> Tools { get; init; } = [];
    public string? PermissionMode { get; init; }
    public string? CliVersion { get; init; }
    public IReadOnlyList<string> Models { get; init; } = [];
    public int ToolCalls { get; init; }
    public bool HasResult { get; init; }
    public bool IsError { get; init; }
    public string? Subtype { get; init; }
    public string? TerminalReason { get; init; }
    public string? StopReason { get; init; }
    public int? ApiErrorStatus { get; init; }
    public string? ResultText { get; init; }
    public AgentUsage Usage { get; init; } = AgentUsage.None;
    public int AssistantMessages { get; init; }

    /// <summary>The last assistant message was the CLI's own (model "&lt;synthetic&gt;"), not the model's: its text.</summary>
    public string? SyntheticText { get; init; }

    /// <summary>The stream ended while the CLI was retrying a failed API call (its last event is an api_retry).</summary>
    public bool EndedRetrying { get; init; }

    /// <summary>The HTTP status of the last API call the CLI retried (null: none, or a connection failure).</summary>
    public int? RetryStatus { get; init; }

    /// <summary>How many times the CLI retried an API call.</summary>
    public int Retries { get; init; }

    /// <summary>The models that answered the main loop (its assistant messages), in the order they first did.</summary>
    public IReadOnlyList<string> ServedModels { get; init; } = [];

    /// <summary>The CLI's own switches to another model ("original→fallback"), from its model_fallback and model_refusal_fallback events.</summary>
    public IReadOnlyList<string> Fallbacks { get; init; } = [];

    /// <summary>The model refused (a safety classifier stopped its answer).</summary>
    public bool Refused { get; init; }

    public static ClaudeSession Parse(string stream)
    {
        string? initModel = null, permission = null, version = null, subtype = null, terminal = null, stop = null, resultText = null, synthetic = null;
        int? retryStatus = null;
        var retries = 0;
        var endedRetrying = false;
        var refused = false;
        var served = new List<string>();
        var fallbacks = new List<string>();
        var tools = new List<string>();
        var models = new SortedSet<string>(StringComparer.Ordinal);
        int toolCalls = 0, assistant = 0;
        int? apiStatus = null;
        var hasResult = false;
        var isError = false;
        var usage = AgentUsage.None;
        foreach (var line in stream.Split('\n'))
        {
            if (line.Length < 2 || line[0] != '{')
                continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                continue;
            }
            using (document)
            {
                var root = document.RootElement;
                var type = String(root, "type");
                endedRetrying = type == "system" && String(root, "subtype") == "api_retry";
                switch (type)
                {
                    case "system" when String(root, "subtype") is "model_fallback" or "model_refusal_fallback":
                        fallbacks.Add($"{String(root, "original_model") ?? "?"}→{String(root, "fallback_model") ?? "?"}");
                        refused |= String(root, "subtype") == "model_refusal_fallback";
                        break;
                    case "system" when String(root, "subtype") == "model_refusal_no_fallback":
                        refused = true;
                        break;
                    case "system" when String(root, "subtype") == "api_retry":
                        retries++;
                        retryStatus = root.TryGetProperty("error_status", out var failed) && failed.ValueKind == JsonValueKind.Number ? failed.GetInt32() : retryStatus;
                        break;
                    case "system" when String(root, "subtype") == "init":
                        initModel = String(root, "model");
                        permission = String(root, "permissionMode");
                        version = String(root, "claude_code_version");
                        if (root.TryGetProperty("tools", out var list) && list.ValueKind == JsonValueKind.Array)
                            tools.AddRange(list.EnumerateArray().Select(t => t.GetString()).OfType<string>());
                        break;
                    case "assistant" when root.TryGetProperty("message", out var message):
                        assistant++;
                        synthetic = null;
                        if (String(message, "model") is { } model && model != "<synthetic>")
                        {
                            models.Add(model);
                            if (!served.Contains(model))
                                served.Add(model);
                        }
                        else if (String(message, "model") == "<synthetic>" && message.TryGetProperty("content", out var said) && said.ValueKind == JsonValueKind.Array)
                            synthetic = string.Concat(said.EnumerateArray().Select(block => String(block, "text")));
                        if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
                            toolCalls += content.EnumerateArray().Count(block => String(block, "type") == "tool_use");
                        break;
                    case "result":
                        hasResult = true;
                        isError = root.TryGetProperty("is_error", out var error) && error.ValueKind == JsonValueKind.True;
                        subtype = String(root, "subtype");
                        terminal = String(root, "terminal_reason");
                        stop = String(root, "stop_reason");
                        refused |= stop == "refusal";
                        resultText = String(root, "result");
                        apiStatus = root.TryGetProperty("api_error_status", out var status) && status.ValueKind == JsonValueKind.Number ? status.GetInt32() : null;
                        if (root.TryGetProperty("modelUsage", out var modelUsage) && modelUsage.ValueKind == JsonValueKind.Object)
                        {
                            foreach (var used in modelUsage.EnumerateObject())
                                models.Add(used.Name);
                        }
                        usage = new AgentUsage
                        {
                            InputTokens = Long(root, "usage", "input_tokens"),
                            OutputTokens = Long(root, "usage", "output_tokens"),
                            CacheReadTokens = Long(root, "usage", "cache_read_input_tokens"),
                            CacheWriteTokens = Long(root, "usage", "cache_creation_input_tokens"),
                            CostUsd = root.TryGetProperty("total_cost_usd", out var cost) && cost.ValueKind == JsonValueKind.Number ? cost.GetDecimal() : null,
                            Turns = root.TryGetProperty("num_turns", out var turns) && turns.ValueKind == JsonValueKind.Number ? turns.GetInt32() : null,
                        };
                        break;
                }
            }
        }
        return new ClaudeSession
        {
            InitModel = initModel,
            Tools = tools,
            PermissionMode = permission,
            CliVersion = version,
            Models = [.. models],
            ToolCalls = toolCalls,
            HasResult = hasResult,
            IsError = isError,
            Subtype = subtype,
            TerminalReason = terminal,
            StopReason = stop,
            ApiErrorStatus = apiStatus,
            ResultText = resultText,
            Usage = usage with { ToolCalls = toolCalls },
            AssistantMessages = assistant,
            SyntheticText = synthetic,
            EndedRetrying = endedRetrying,
            RetryStatus = retryStatus,
            Retries = retries,
            ServedModels = served,
            Fallbacks = [.. fallbacks.Distinct(StringComparer.Ordinal)],
            Refused = refused,
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Long(JsonElement element, string parent, string name) =>
        element.TryGetProperty(parent, out var inner) && inner.ValueKind == JsonValueKind.Object
        && inner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;
}
