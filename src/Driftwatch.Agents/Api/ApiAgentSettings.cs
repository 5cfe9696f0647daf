using Driftwatch.Core.Configuration;

namespace Driftwatch.Agents.Api;

/// <summary>The options of an API agent (anthropic or openai) in driftwatch.yaml.</summary>
internal sealed record ApiAgentSettings
{
    public static readonly string[] Fields = ["model", "api_key_env", "base_url", "base_url_env", "max_tokens", "temperature", "second_attempt", "timeout"];

    public required string Model { get; init; }
    public required string ApiKeyEnv { get; init; }
    public string? BaseUrl { get; init; }
    public string? BaseUrlEnv { get; init; }
    public int MaxTokens { get; init; } = 8192;
    public double? Temperature { get; init; }

    /// <summary>Give the model one more try with the failing test output (pass@2).</summary>
    public bool SecondAttempt { get; init; }

    /// <summary>Seconds one API request may take.</summary>
    public int TimeoutSeconds { get; init; } = 600;

    public static ApiAgentSettings From(AgentDefinition definition, string defaultKeyEnv, bool temperature = true)
    {
        var options = new AgentOptions(definition, temperature ? Fields : [.. Fields.Where(f => f != "temperature")]);
        return new ApiAgentSettings
        {
            Model = options.String("model") ?? throw options.Error("model", "required for an API agent"),
            ApiKeyEnv = options.String("api_key_env") ?? defaultKeyEnv,
            BaseUrl = options.String("base_url"),
            BaseUrlEnv = options.String("base_url_env"),
            MaxTokens = options.Int("max_tokens", 1, 1_000_000) ?? 8192,
            Temperature = options.Double("temperature", 0, 2),
            SecondAttempt = options.Bool("second_attempt") ?? false,
            TimeoutSeconds = options.Int("timeout", 1, 86_400) ?? 600,
        };
    }
}
