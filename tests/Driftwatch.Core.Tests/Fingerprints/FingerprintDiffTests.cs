using System.Collections.Immutable;
using System.Text;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Fingerprints;
using Shouldly;

namespace Driftwatch.Core.Tests.Fingerprints;

public sealed class FingerprintDiffTests
{
    /// <summary>A run's fingerprint as the proxy would leave it after one main-loop request.</summary>
    internal static (RunFingerprint Fingerprint, Dictionary<string, string> Texts) Run(
        string system = "You are an agent.\nBe helpful.", string effort = "high", string[]? tools = null, string model = "claude-a",
        string betas = "beta-1", string version = "2.1.67", string readDescription = "Reads a file.")
    {
        tools ??= ["Read", "Write"];
        var toolJson = string.Join(",", tools.Select(t =>
            $$"""{"name": "{{t}}", "description": "{{(t == "Read" ? readDescription : t)}}", "input_schema": {"type": "object"} }"""));
        var body = $$"""
            {"model": "{{model}}", "max_tokens": 32000, "output_config": {"effort": "{{effort}}"},
             "system": {{System.Text.Json.JsonSerializer.Serialize(system)}},
             "tools": [{{toolJson}}],
             "messages": [{"role": "user", "content": "task"}]}
            """;
        var headers = new Dictionary<string, string> { ["user-agent"] = $"claude-cli/{version}", ["anthropic-beta"] = betas };
        var (request, texts) = HarnessRequestReader.Read("POST", "/v1/messages", headers, Encoding.UTF8.GetBytes(body), [], DateTimeOffset.UnixEpoch, 0);
        var fingerprint = new RunFingerprint
        {
            AgentVersion = $"{version} (Claude Code)",
            Models = ImmutableArray.Create(model),
            Harness = HarnessSummary.Of([request with { Status = 200 }]),
        };
        return (fingerprint, texts.ToDictionary(t => t.Hash, t => t.Text));
    }

    private static IReadOnlyList<FingerprintChange> Diff((RunFingerprint F, Dictionary<string, string> T) a, (RunFingerprint F, Dictionary<string, string> T) b)
    {
        var texts = a.T.Concat(b.T).DistinctBy(p => p.Key).ToDictionary();
        return FingerprintDiff.Compare(a.F, b.F, h => texts.GetValueOrDefault(h), "run 1", "run 2");
    }

    [Fact]
    public void Equal_harnesses_have_no_differences()
    {
        Diff(Run(), Run()).ShouldBeEmpty();
    }

    [Fact]
    public void An_appended_system_prompt_line_shows_as_a_one_line_diff_and_nothing_else()
    {
        var changes = Diff(Run(), Run(system: "You are an agent.\nBe helpful.\nAnswer in 25 words or fewer."));

        var change = changes.ShouldHaveSingleItem();
        change.Area.ShouldBe("main loop");
        change.Summary.ShouldStartWith("system prompt changed: +1 line, −0 lines");
        change.Detail.ShouldNotBeNull().ShouldContain("\n+Answer in 25 words or fewer.\n");
        change.Detail.ShouldContain("--- run 1 system prompt");
    }

    [Fact]
    public void Effort_model_tools_betas_and_client_changes_are_each_named()
    {
        var changes = Diff(Run(), Run(effort: "medium", model: "claude-b", tools: ["Read", "Write", "WebSearch"], betas: "beta-1,beta-2", version: "2.1.68",
            readDescription: "Reads a file. Prefer small ranges."));
        var summaries = changes.Select(c => c.Summary).ToList();

        summaries.ShouldContain("version 2.1.67 (Claude Code) → 2.1.68 (Claude Code)");
        summaries.ShouldContain("models: claude-a → claude-b");
        summaries.ShouldContain("output_config.effort: high → medium");
        summaries.ShouldContain("tools added: WebSearch");
        summaries.ShouldContain("betas added: beta-2");
        summaries.ShouldContain("user agent: claude-cli/2.1.67 → claude-cli/2.1.68");
        var tool = changes.Single(c => c.Summary.StartsWith("tool Read changed", StringComparison.Ordinal));
        tool.Detail.ShouldNotBeNull().ShouldContain("+  \"description\": \"Reads a file. Prefer small ranges.\",");
        summaries.ShouldNotContain(s => s.StartsWith("system prompt", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_without_a_recording_is_said_to_be_one()
    {
        var recorded = Run();
        var bare = (new RunFingerprint { AgentVersion = recorded.Fingerprint.AgentVersion, Models = recorded.Fingerprint.Models }, new Dictionary<string, string>());

        var change = Diff(recorded, bare).ShouldHaveSingleItem();

        change.Summary.ShouldBe("recorded only in run 1 (1 request)");
    }
}
