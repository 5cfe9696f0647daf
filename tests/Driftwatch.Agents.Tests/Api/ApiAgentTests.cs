using System.Text.Json.Nodes;
using Driftwatch.Agents.Api;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Agents;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.Agents.Tests.Api;

/// <summary>The anthropic (official Anthropic SDK) and openai (official OpenAI SDK) adapters against their APIs on 127.0.0.1.</summary>
public sealed class ApiAgentTests : IDisposable
{
    private const string GoodAnswer = "Here is the fix.\n<file path=\"calc.py\">\n" + AgentHarness.Solution + "</file>\n";
    private const string WrongAnswer = "<file path=\"calc.py\">\ndef add(a, b):\n    return a - b\n</file>";
    private const string NoCode = "I would need more context before I can change anything.";

    private readonly AgentHarness _harness = new("api");

    public void Dispose() => _harness.Dispose();

    private static Func<MessagesCall, ScriptedReply> Answers(params string[] answers) =>
        call => new MessageReply([new TextBlock(answers[Math.Min(call.Number, answers.Length) - 1])]) { Model = "claude-opus-test" };

    private AnthropicAgent Anthropic(string baseUrl, bool second = false) => new(AgentHarness.Definition("anthropic", new JsonObject
    {
        ["model"] = "claude-opus-test",
        ["base_url"] = baseUrl,
        ["api_key_env"] = _harness.Variable(_harness.PlantedKey),
        ["second_attempt"] = second ? "true" : "false",
    }));

    private OpenAiAgent OpenAi(string baseUrl, bool second = false) => new(AgentHarness.Definition("openai", new JsonObject
    {
        ["model"] = "local-coder",
        ["base_url"] = baseUrl,
        ["api_key_env"] = _harness.Variable(_harness.PlantedKey),
        ["second_attempt"] = second ? "true" : "false",
    }));

    [Fact]
    public async Task Anthropic_answer_with_a_file_block_is_written_and_passes()
    {
        await using var api = await ScriptedMessagesApi.StartAsync(Answers(GoodAnswer));

        var (run, trials) = await _harness.RunAsync(Anthropic(api.BaseUrl));

        var trial = trials.Single();
        trial.Outcome.ShouldBe(TrialOutcome.Pass, trial.ErrorMessage);
        trial.Usage.InputTokens.ShouldBe(1000);
        trial.Usage.OutputTokens.ShouldBe(200);
        trial.Usage.CacheReadTokens.ShouldBe(50);
        trial.Model.ShouldBe("claude-opus-test");
        run.Fingerprint.AgentVersion.ShouldNotBeNull().ShouldContain("anthropic-sdk");
        var prompt = api.Requests.Single().Body!["messages"]![0]!["content"]!.ToJsonString();
        prompt.ShouldContain("calc.py");
        prompt.ShouldContain("raise NotImplementedError");
        prompt.ShouldNotContain("test_calc");
        // The SDK sends the key as x-api-key or as a bearer token, depending on its version.
        var headers = api.Requests.Single().Headers;
        (headers.GetValueOrDefault("x-api-key") ?? headers.GetValueOrDefault("authorization")).ShouldBeOneOf(_harness.PlantedKey, $"Bearer {_harness.PlantedKey}");
        _harness.FilesContainingPlantedKey().ShouldBeEmpty();
    }

    [Fact]
    public async Task An_answer_with_no_code_is_a_failure_not_a_crash()
    {
        await using var api = await ScriptedMessagesApi.StartAsync(Answers(NoCode));

        var (_, trials) = await _harness.RunAsync(Anthropic(api.BaseUrl));

        trials.Single().Outcome.ShouldBe(TrialOutcome.Fail);
        trials.Single().StopReason.ShouldBe("no-code");
    }

    [Theory]
    [InlineData(529, "api-529")]
    [InlineData(429, "api-429")]
    [InlineData(500, "api-500")]
    [InlineData(401, "auth")]
    public async Task Anthropic_API_failures_are_infrastructure_errors(int status, string kind)
    {
        await using var api = await ScriptedMessagesApi.StartAsync(_ => new ErrorReply(status, "error", "failing on purpose"));

        var (_, trials) = await _harness.RunAsync(Anthropic(api.BaseUrl), maxAttempts: 2);

        trials.Single().Outcome.ShouldBe(TrialOutcome.Error);
        trials.Single().ErrorKind.ShouldBe(kind);
        trials.Single().Attempts.ShouldBe(2);
        api.Calls.ShouldBe(2);
    }

    [Fact]
    public async Task A_second_attempt_sees_the_test_output_and_pass_at_1_and_pass_at_2_are_kept_apart()
    {
        await using var api = await ScriptedMessagesApi.StartAsync(Answers(WrongAnswer, GoodAnswer));

        var (_, trials) = await _harness.RunAsync(Anthropic(api.BaseUrl, second: true));

        var trial = trials.Single();
        trial.FirstOutcome.ShouldBe(TrialOutcome.Fail);
        trial.Outcome.ShouldBe(TrialOutcome.Pass);
        trial.Usage.InputTokens.ShouldBe(2000);
        var followUp = api.Requests[1].Body!["messages"]!.AsArray();
        followUp.Count.ShouldBe(3);
        followUp[1]!["role"]!.GetValue<string>().ShouldBe("assistant");
        followUp[2]!["content"]!.ToJsonString().ShouldContain("test_small");
    }

    [Fact]
    public async Task OpenAI_compatible_endpoint_answer_is_written_and_passes()
    {
        await using var api = await ScriptedChatApi.StartAsync((_, _) => (200, GoodAnswer));

        var (_, trials) = await _harness.RunAsync(OpenAi(api.BaseUrl));

        var trial = trials.Single();
        trial.Outcome.ShouldBe(TrialOutcome.Pass, trial.ErrorMessage);
        trial.Usage.InputTokens.ShouldBe(700);
        trial.Usage.OutputTokens.ShouldBe(150);
        trial.Model.ShouldBe("local-coder");
        api.Requests.Single().Headers["authorization"].ShouldBe($"Bearer {_harness.PlantedKey}");
        _harness.FilesContainingPlantedKey().ShouldBeEmpty();
    }

    [Fact]
    public async Task OpenAI_no_code_fails_and_outages_are_errors()
    {
        await using var noCode = await ScriptedChatApi.StartAsync((_, _) => (200, NoCode));
        (await _harness.RunAsync(OpenAi(noCode.BaseUrl))).Trials.Single().Outcome.ShouldBe(TrialOutcome.Fail);

        await using var down = await ScriptedChatApi.StartAsync((_, _) => (503, "unavailable"));
        var trial = (await _harness.RunAsync(OpenAi(down.BaseUrl), maxAttempts: 1)).Trials.Single();
        trial.Outcome.ShouldBe(TrialOutcome.Error);
        trial.ErrorKind.ShouldBe("api-503");

        var refused = (await _harness.RunAsync(OpenAi("http://127.0.0.1:9/v1"), maxAttempts: 1)).Trials.Single();
        refused.Outcome.ShouldBe(TrialOutcome.Error);
        refused.ErrorKind.ShouldBe("network");
    }

    [Fact]
    public async Task OpenAI_second_attempt_recovers()
    {
        await using var api = await ScriptedChatApi.StartAsync((n, _) => (200, n == 1 ? WrongAnswer : GoodAnswer));

        var trial = (await _harness.RunAsync(OpenAi(api.BaseUrl, second: true))).Trials.Single();

        (trial.FirstOutcome, trial.Outcome).ShouldBe((TrialOutcome.Fail, TrialOutcome.Pass));
    }

    [Fact]
    public void A_missing_model_is_bad_input_naming_the_field() =>
        Should.Throw<Core.InvalidInputException>(() => new AnthropicAgent(AgentHarness.Definition("anthropic", [])))
            .Message.ShouldBe("test agent: model: required for an API agent");

    [Fact]
    public async Task A_missing_credential_is_an_error_before_any_call()
    {
        var agent = new OpenAiAgent(AgentHarness.Definition("openai", new JsonObject { ["model"] = "m", ["api_key_env"] = "DW_NOT_SET_ANYWHERE" }));

        var trial = (await _harness.RunAsync(agent, maxAttempts: 1)).Trials.Single();

        trial.Outcome.ShouldBe(TrialOutcome.Error);
        trial.ErrorKind.ShouldBe("auth");
        agent.ShouldBeAssignableTo<IFeedbackAgent>();
    }
}
