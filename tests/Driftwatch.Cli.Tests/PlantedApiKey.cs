namespace Driftwatch.Cli.Tests;

/// <summary>
/// A made-up API key in an environment variable of its own, for agents driven against a scripted
/// Messages API: tests check it never lands on disk. Removed again on dispose.
/// </summary>
public sealed class PlantedApiKey : IDisposable
{
    public PlantedApiKey()
    {
        Environment.SetEnvironmentVariable(Variable, Value);
    }

    public string Variable { get; } = $"DW_TEST_KEY_{Guid.NewGuid():N}";

    public string Value { get; } = $"sk-ant-planted-{Guid.NewGuid():N}";

    /// <summary>A driftwatch.yaml naming the claude-code agent <c>claude-local</c> that talks to <paramref name="baseUrl"/> with this key.</summary>
    public string ClaudeAgentConfig(string baseUrl) =>
        $"agents:\n  claude-local:\n    kind: claude-code\n    base_url: {baseUrl}\n    api_key_env: {Variable}\n    max_retries: 0\n";

    public void Dispose() => Environment.SetEnvironmentVariable(Variable, null);
}
