using Driftwatch.Core.Configuration;

namespace Driftwatch.Agents.ClaudeCode;

/// <summary>The options of a claude-code agent in driftwatch.yaml.</summary>
public sealed record ClaudeCodeSettings
{
    public static readonly string[] Fields =
        ["command", "model", "effort", "max_turns", "allowed_tools", "permission_mode", "extra_args", "api_key_env", "base_url", "base_url_env", "env", "max_retries", "proxy", "on_fallback"];

    public const string DefaultAllowedTools = "Read,Write,Edit,MultiEdit,Glob,Grep,LS,Bash";

    /// <summary>The claude executable (default: `claude` on PATH, else the repository's pinned copy).</summary>
    public string? Command { get; init; }

    public string? Model { get; init; }

    /// <summary>--effort: low, medium, high (default: the CLI's own default).</summary>
    public string? Effort { get; init; }

    public int MaxTurns { get; init; } = 50;
    public string AllowedTools { get; init; } = DefaultAllowedTools;

    /// <summary>As root the CLI refuses --dangerously-skip-permissions; acceptEdits plus allowed tools works everywhere.</summary>
    public string PermissionMode { get; init; } = "acceptEdits";

    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>The environment variable holding the credential (ANTHROPIC_API_KEY, or CLAUDE_CODE_OAUTH_TOKEN).</summary>
    public string ApiKeyEnv { get; init; } = "ANTHROPIC_API_KEY";

    /// <summary>An explicit API endpoint (a gateway, or a test server); otherwise the CLI's default.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>The environment variable holding the endpoint, if any.</summary>
    public string? BaseUrlEnv { get; init; }

    /// <summary>Further environment variables passed through to the CLI by name.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>The CLI's own retries of failed API calls before it gives up (Driftwatch retries the whole trial).</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Put the recording proxy between the CLI and its endpoint, to see what it really sends (default: on).</summary>
    public bool Proxy { get; init; } = true;

    /// <summary>
    /// What a trial served by another model than the one asked for, or refused by the model, counts
    /// as: "exclude" (default: an error of its own kind, model-fallback or refusal, retried and left
    /// out of pass rates) or "score" (scored by the tests like any other, the flag kept).
    /// </summary>
    public string OnFallback { get; init; } = "exclude";

    /// <summary>The Anthropic API when nothing else is configured.</summary>
    public const string DefaultEndpoint = "https://api.anthropic.com";

    public static ClaudeCodeSettings From(AgentDefinition definition)
    {
        var options = new AgentOptions(definition, Fields);
        return new ClaudeCodeSettings
        {
            Command = options.String("command"),
            Model = options.String("model"),
            Effort = options.String("effort") is { } effort
                ? effort is "low" or "medium" or "high" or "max" ? effort : throw options.Error("effort", $"expected low, medium, high or max, got '{effort}'")
                : null,
            MaxTurns = options.Int("max_turns", 1, 10_000) ?? 50,
            AllowedTools = options.String("allowed_tools") ?? DefaultAllowedTools,
            PermissionMode = options.String("permission_mode") ?? "acceptEdits",
            ExtraArgs = options.Strings("extra_args"),
            ApiKeyEnv = options.String("api_key_env") ?? "ANTHROPIC_API_KEY",
            BaseUrl = options.String("base_url"),
            BaseUrlEnv = options.String("base_url_env"),
            Env = options.Strings("env"),
            MaxRetries = options.Int("max_retries", 0, 20) ?? 2,
            Proxy = options.Bool("proxy") ?? true,
            OnFallback = options.String("on_fallback") is { } onFallback
                ? onFallback is "exclude" or "score" ? onFallback : throw options.Error("on_fallback", $"expected exclude or score, got '{onFallback}'")
                : "exclude",
        };
    }
}
