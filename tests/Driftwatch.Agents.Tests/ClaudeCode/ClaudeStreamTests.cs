using System.Text.Json.Nodes;
using Driftwatch.Agents.ClaudeCode;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Processes;
using Shouldly;

namespace Driftwatch.Agents.Tests.ClaudeCode;

/// <summary>
/// How the CLI's stream-json output is read, on streams shaped as the pinned CLI writes them
/// (system/init, system/api_retry, assistant, result), without running it.
/// </summary>
public sealed class ClaudeStreamTests
{
    private static readonly ClaudeCodeAgent Agent = new(AgentHarness.Definition("claude-code", new JsonObject { ["model"] = "claude-sonnet-4-5", ["proxy"] = "false" }));

    private const string Init = """{"type":"system","subtype":"init","cwd":"/workspace","tools":["Read","Write"],"model":"claude-sonnet-4-5","permissionMode":"acceptEdits","claude_code_version":"2.1.332"}""";

    private static string Retry(int attempt, int? status = null) =>
        $$"""{"type":"system","subtype":"api_retry","attempt":{{attempt}},"max_retries":2,"retry_delay_ms":500,"error_status":{{(status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null")}},"error":"unknown"}""";

    private static string Synthetic(string text) =>
        $$$"""{"type":"assistant","message":{"model":"<synthetic>","role":"assistant","stop_reason":"stop_sequence","usage":{"input_tokens":0,"output_tokens":0},"content":[{"type":"text","text":"{{{text}}}"}]}}""";

    private static string Result(string text, bool isError, string? terminal = null) =>
        $$$"""{"type":"result","subtype":"success","is_error":{{{(isError ? "true" : "false")}}},"api_error_status":null,"result":"{{{text}}}","stop_reason":"stop_sequence","num_turns":1,"total_cost_usd":0,"usage":{"input_tokens":0,"output_tokens":0},"modelUsage":{}{{{(terminal is null ? "" : $",\"terminal_reason\":\"{terminal}\"")}}}}""";

    private static ProcessResult Exited(int code, params string[] lines) => new()
    {
        ExitCode = code,
        TimedOut = false,
        StandardOutput = string.Join('\n', lines) + "\n",
        StandardError = "",
        Duration = TimeSpan.FromSeconds(3),
    };

    [Fact]
    public void An_API_failure_the_CLI_reports_only_in_words_is_a_network_error()
    {
        // Given the stream of a session whose API connection was reset: retries, a synthetic answer,
        // is_error, no API status and no terminal reason
        var run = Exited(1, Init, Retry(1), Retry(2),
            Synthetic("API Error: Unable to connect to API (ECONNRESET)"),
            Result("API Error: Unable to connect to API (ECONNRESET)", isError: true));

        // When it is read
        var result = Agent.Interpret(run);

        // Then the infrastructure failed: retried and never scored
        result.Exit.ShouldBe(AgentExit.InfrastructureError);
        result.ErrorKind.ShouldBe("network");
        result.ErrorMessage.ShouldBe("API Error: Unable to connect to API (ECONNRESET)");
    }

    [Fact]
    public void An_API_status_named_only_in_the_retries_gives_the_error_its_kind()
    {
        var run = Exited(1, Init, Retry(1, 529), Retry(2, 529),
            Synthetic("API Error: Repeated 529 Overloaded errors"),
            Result("API Error: Repeated 529 Overloaded errors", isError: true));

        var result = Agent.Interpret(run);

        result.Exit.ShouldBe(AgentExit.InfrastructureError);
        result.ErrorKind.ShouldBe("api-529");
    }

    [Fact]
    public void A_session_that_ran_out_of_time_while_the_CLI_was_retrying_its_API_is_an_infrastructure_error()
    {
        // Given a session that worked, then spent its last minutes retrying an API that failed
        var work = """{"type":"assistant","message":{"model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Read","input":{}}],"usage":{"input_tokens":10,"output_tokens":5}}}""";
        var run = Exited(-1, Init, work, Retry(1, 500), Retry(2, 500), Retry(3, 500)) with { TimedOut = true, Ending = ProcessEnding.TimedOut };

        var result = Agent.Interpret(run);

        result.Exit.ShouldBe(AgentExit.InfrastructureError);
        result.ErrorKind.ShouldBe("api-500");
    }

    [Fact]
    public void A_session_that_ended_normally_is_the_agent_s_work_whatever_it_said()
    {
        var answer = """{"type":"assistant","message":{"model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"text","text":"API Error handling is now done."}],"usage":{"input_tokens":10,"output_tokens":5}}}""";
        var run = Exited(0, Init, answer, Result("API Error handling is now done.", isError: false));

        var result = Agent.Interpret(run);

        result.Exit.ShouldBe(AgentExit.Completed);
        result.ErrorKind.ShouldBeNull();
    }

    private static ProcessResult Captured(string name, int exitCode) =>
        Exited(exitCode, File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "ClaudeCode", "Streams", name)));

    private static ClaudeCodeAgent AgentFor(string model, string? onFallback = null) => new(AgentHarness.Definition("claude-code", new JsonObject
    {
        ["model"] = model,
        ["proxy"] = "false",
        ["on_fallback"] = onFallback,
    }));

    [Fact]
    public void A_session_another_model_finished_after_the_requested_one_was_overloaded_is_left_out_as_a_fallback()
    {
        // Given the real CLI's stream of a session that began on opus and switched to sonnet after 529s (--fallback-model)
        var run = Captured("fallback-mid-run.jsonl", exitCode: 0);

        // When it is read for an agent that asked for opus
        var result = AgentFor("claude-opus-5-5").Interpret(run);

        // Then the trial is flagged with who served it, and by default not scored
        result.Exit.ShouldBe(AgentExit.InfrastructureError);
        result.ErrorKind.ShouldBe("model-fallback");
        result.ServedModels.ShouldBe(["claude-opus-5-5", "claude-sonnet-5-5"]);
        result.Flags.ShouldContain("fallback:claude-opus-5-5→claude-sonnet-5-5");
    }

    [Fact]
    public void With_on_fallback_score_a_fallback_is_flagged_and_scored()
    {
        var result = AgentFor("claude-opus-5-5", onFallback: "score").Interpret(Captured("fallback-mid-run.jsonl", exitCode: 0));

        result.Exit.ShouldBe(AgentExit.Completed);
        result.Flags.ShouldContain("fallback:claude-opus-5-5→claude-sonnet-5-5");
    }

    [Fact]
    public void A_refusal_is_its_own_kind_not_an_API_failure()
    {
        // Given the real CLI's stream of a request refused twice by the safety classifier (is_error, terminal_reason api_error)
        var run = Captured("refusal.jsonl", exitCode: 1);

        var result = AgentFor("claude-opus-5-5").Interpret(run);

        result.Exit.ShouldBe(AgentExit.InfrastructureError);
        result.ErrorKind.ShouldBe("refusal");
        result.Flags.ShouldContain("refusal");
        result.ServedModels.ShouldBe(["claude-opus-5-5"]);
    }

    [Fact]
    public void A_dated_snapshot_of_the_requested_model_is_the_requested_model()
    {
        // Given a session that asked for an alias and was answered by its dated snapshot
        var answer = """{"type":"assistant","message":{"model":"claude-sonnet-4-5-20250929","role":"assistant","content":[{"type":"text","text":"Done."}],"usage":{"input_tokens":10,"output_tokens":5}}}""";
        var run = Exited(0, Init, answer, Result("Done.", isError: false));

        var result = Agent.Interpret(run);

        result.Exit.ShouldBe(AgentExit.Completed);
        result.Flags.ShouldBeEmpty();
        result.ServedModels.ShouldBe(["claude-sonnet-4-5-20250929"]);
    }
}
