using System.Text.Json.Nodes;
using Driftwatch.Agents.Command;
using Driftwatch.Core.Runs;
using Shouldly;

namespace Driftwatch.Agents.Tests.Command;

public sealed class CommandAgentTests : IDisposable
{
    private readonly AgentHarness _harness = new("command");

    public void Dispose() => _harness.Dispose();

    /// <summary>A CLI agent written for the test: writes the solution and prints usage in a given format.</summary>
    private string FakeCli(string usageLine, int exitCode = 0, string? stderr = null)
    {
        var path = _harness.Temp.Write("bin/fake-agent", $$"""
            #!/usr/bin/env python3
            import sys, os
            prompt = sys.argv[sys.argv.index("--prompt") + 1]
            assert "Implement" in prompt or "task add" in prompt.lower() or "Do task" in prompt, prompt
            if {{(exitCode == 0 ? "True" : "False")}}:
                with open("calc.py", "w") as handle:
                    handle.write({{System.Text.Json.JsonSerializer.Serialize(AgentHarness.Solution)}})
            print({{System.Text.Json.JsonSerializer.Serialize(usageLine)}})
            {{(stderr is null ? "" : $"print({System.Text.Json.JsonSerializer.Serialize(stderr)}, file=sys.stderr)")}}
            sys.exit({{exitCode}})
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        return path;
    }

    private CommandAgent Agent(string command, string usage = "auto", string? model = null) => new(AgentHarness.Definition("command", new JsonObject
    {
        ["command"] = command,
        ["usage"] = usage,
        ["model"] = model,
    }));

    [Fact]
    public async Task A_command_agent_edits_the_workspace_and_its_JSON_usage_is_read()
    {
        var cli = FakeCli("""{"type":"turn.completed","usage":{"input_tokens":1234,"cached_input_tokens":100,"output_tokens":56}}""");

        var (run, trials) = await _harness.RunAsync(Agent($"{cli} --model {{model}} --prompt {{prompt}}", model: "gpt-test"));

        var trial = trials.Single();
        trial.Outcome.ShouldBe(TrialOutcome.Pass, (await _harness.Store.GetArtifactAsync(run.Id, trial.Key, ArtifactKind.AgentOutput)) + (await _harness.Store.GetArtifactAsync(run.Id, trial.Key, ArtifactKind.TestOutput)));
        trial.Usage.InputTokens.ShouldBe(1234);
        trial.Usage.OutputTokens.ShouldBe(56);
        trial.Usage.CacheReadTokens.ShouldBe(100);
        trial.Model.ShouldBe("gpt-test");
    }

    [Fact]
    public async Task An_agent_installed_like_an_npm_package_under_tmp_runs_inside_the_sandbox()
    {
        // Given an agent laid out as npm installs one (node_modules/.bin/x a symlink into its
        // package, which loads files next to itself), in a folder under /tmp, which the sandbox
        // replaces with a private one
        var package = _harness.Temp.Combine("install", "node_modules", "fake-agent");
        _harness.Temp.Write("install/node_modules/fake-agent/lib/solution.py", $"SOLUTION = {System.Text.Json.JsonSerializer.Serialize(AgentHarness.Solution)}\n");
        var script = _harness.Temp.Write("install/node_modules/fake-agent/bin/agent.py", """
            #!/usr/bin/env python3
            import os, sys
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "lib"))
            from solution import SOLUTION
            with open("calc.py", "w") as handle:
                handle.write(SOLUTION)
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var bin = _harness.Temp.Combine("install", "node_modules", ".bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "fake-agent"), "../fake-agent/bin/agent.py");
        Directory.Exists(package).ShouldBeTrue();

        // When it runs in the sandbox the machine offers (bubblewrap here)
        var (run, trials) = await _harness.RunAsync(Agent($"{Path.Combine(bin, "fake-agent")} --prompt {{prompt}}"), maxAttempts: 1);

        // Then it found its own files and solved the task
        var trial = trials.Single();
        trial.Outcome.ShouldBe(TrialOutcome.Pass, $"{trial.ErrorKind}: {trial.ErrorMessage} {await _harness.Store.GetArtifactAsync(run.Id, trial.Key, ArtifactKind.AgentOutput)}");
    }

    [Fact]
    public async Task A_CLI_that_takes_its_endpoint_from_a_variable_is_recorded_through_the_proxy()
    {
        // Given a CLI that asks an OpenAI-compatible endpoint (from OPENAI_BASE_URL) for the solution
        await using var api = await Driftwatch.Testing.Servers.ScriptedChatApi.StartAsync((_, _) => (200, AgentHarness.Solution));
        var keyVariable = _harness.Variable(_harness.PlantedKey);
        var script = _harness.Temp.Write("bin/chat-agent", $$"""
            #!/usr/bin/env python3
            import json, os, urllib.request
            body = json.dumps({"model": "local-coder", "temperature": 0, "messages": [
                {"role": "system", "content": "You are a careful coder."},
                {"role": "user", "content": "implement add"}]}).encode()
            request = urllib.request.Request(os.environ["OPENAI_BASE_URL"] + "/chat/completions", body,
                {"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["{{keyVariable}}"]})
            answer = json.load(urllib.request.urlopen(request))
            with open("calc.py", "w") as handle:
                handle.write(answer["choices"][0]["message"]["content"])
            print(json.dumps({"usage": answer["usage"]}))
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        await using var agent = new CommandAgent(AgentHarness.Definition("command", new JsonObject
        {
            ["command"] = $"{script} --prompt {{prompt}}",
            ["base_url"] = api.BaseUrl,
            ["base_url_var"] = "OPENAI_BASE_URL",
            ["api_key_env"] = keyVariable,
            ["proxy"] = "true",
        }));

        // When a trial runs with the recording proxy on
        var (run, trials) = await _harness.RunAsync(agent, maxAttempts: 1);

        // Then the trial passes and the request is recorded: API, model, system prompt, parameters
        trials.Single().Outcome.ShouldBe(TrialOutcome.Pass, trials.Single().ErrorMessage);
        var request = (await _harness.Store.GetHarnessRequestsAsync(run.Id)).ShouldHaveSingleItem().Request;
        (request.Api, request.Model, request.Status, request.Path).ShouldBe(("openai-chat", "local-coder", 200, "/chat/completions"));
        request.Parameters["temperature"].ShouldBe("0");
        (await _harness.Store.GetHarnessTextsAsync([request.SystemHash!]))[request.SystemHash!].ShouldBe("You are a careful coder.");
        api.Requests.Single().Headers["authorization"].ShouldBe($"Bearer {_harness.PlantedKey}");
        _harness.FilesContainingPlantedKey().ShouldBeEmpty();
    }

    [Fact]
    public void A_proxy_without_a_base_url_variable_is_bad_input()
    {
        var error = Should.Throw<Driftwatch.Core.InvalidInputException>(() => new CommandAgent(AgentHarness.Definition("command", new JsonObject
        {
            ["command"] = "my-agent {prompt}",
            ["proxy"] = "true",
        })));

        error.Message.ShouldBe("test agent: proxy: the recording proxy needs base_url_var: the environment variable through which this CLI takes its API endpoint");
    }

    [Fact]
    public async Task A_missing_binary_is_an_infrastructure_error()
    {
        var (_, trials) = await _harness.RunAsync(Agent("no-such-agent-binary --prompt {prompt}"), maxAttempts: 1);

        trials.Single().Outcome.ShouldBe(TrialOutcome.Error);
        trials.Single().ErrorKind.ShouldBe("agent-missing");
    }

    [Fact]
    public async Task A_CLI_that_cannot_reach_its_API_is_a_network_error_not_a_failure()
    {
        var cli = FakeCli("request failed", exitCode: 1, stderr: "Error: connect ECONNREFUSED 127.0.0.1:443");

        var (_, trials) = await _harness.RunAsync(Agent($"{cli} --prompt {{prompt}}"), maxAttempts: 1);

        trials.Single().Outcome.ShouldBe(TrialOutcome.Error);
        trials.Single().ErrorKind.ShouldBe("network");
    }

    [Fact]
    public void Templates_split_like_a_shell_and_fill_placeholders_per_argument()
    {
        var template = CommandLine.Split("codex exec --json --model {model} \"{prompt}\" --cd '{workspace}'", "test");

        CommandLine.Fill(template, new Dictionary<string, string?> { ["prompt"] = "fix it; rm -rf /", ["workspace"] = "/w s", ["model"] = null })
            .ShouldBe(["codex", "exec", "--json", "fix it; rm -rf /", "--cd", "/w s"]);
        CommandLine.Fill(template, new Dictionary<string, string?> { ["prompt"] = "p", ["workspace"] = "/w", ["model"] = "o4" })
            .ShouldBe(["codex", "exec", "--json", "--model", "o4", "p", "--cd", "/w"]);
        Should.Throw<Core.InvalidInputException>(() => CommandLine.Split("run 'unclosed", "driftwatch.yaml:3")).Message.ShouldContain("unclosed quote");
    }

    [Fact]
    public void Presets_exist_for_codex_gemini_and_aider()
    {
        var codex = AgentCatalog.Create(AgentCatalog.Resolve("codex", Core.Configuration.DriftwatchConfig.Empty).With("model", "gpt-5-codex", "--model"));
        codex.Kind.ShouldBe("command");
        ((CommandAgent)codex).Settings.Command.ShouldStartWith("codex exec --json");
        ((CommandAgent)AgentCatalog.Create(AgentCatalog.Resolve("gemini", Core.Configuration.DriftwatchConfig.Empty))).Settings.Usage.ShouldBe("gemini");
        ((CommandAgent)AgentCatalog.Create(AgentCatalog.Resolve("aider", Core.Configuration.DriftwatchConfig.Empty))).Settings.Command.ShouldContain("--message {prompt}");
    }
}

public sealed class UsageParserTests
{
    [Fact]
    public void Codex_event_lines_add_up()
    {
        const string output = """
            {"type":"thread.started","thread_id":"t1"}
            {"type":"turn.completed","usage":{"input_tokens":100,"cached_input_tokens":10,"output_tokens":20}}
            {"type":"turn.completed","usage":{"input_tokens":50,"cached_input_tokens":0,"output_tokens":5}}
            """;

        var (usage, _) = UsageParsers.Parse("codex", output);

        (usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens).ShouldBe((150L, 25L, 10L));
    }

    [Fact]
    public void Gemini_json_stats_give_tokens_and_models()
    {
        const string output = """
            {
              "response": "done",
              "stats": { "models": { "gemini-2.5-pro": { "api": { "totalRequests": 2 }, "tokens": { "prompt": 900, "candidates": 80, "total": 1000, "cached": 300 } } } }
            }
            """;

        var (usage, models) = UsageParsers.Parse("gemini", output);

        (usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens).ShouldBe((900L, 80L, 300L));
        models.ShouldBe(["gemini-2.5-pro"]);
    }

    [Fact]
    public void Aider_summary_lines_give_tokens_and_cost()
    {
        const string output = "Main model: anthropic/claude-sonnet-4-5 with diff edit format\nTokens: 2.1k sent, 345 received. Cost: $0.01 message, $0.02 session.\nTokens: 1,200 sent, 55 received. Cost: $0.005 message, $0.025 session.\n";

        var (usage, models) = UsageParsers.Parse("aider", output);

        usage.InputTokens.ShouldBe(3300);
        usage.OutputTokens.ShouldBe(400);
        usage.CostUsd.ShouldBe(0.015m);
        models.ShouldBe(["anthropic/claude-sonnet-4-5"]);
    }

    [Fact]
    public void Output_without_usage_gives_none() =>
        UsageParsers.Parse("auto", "all done, no numbers here").Usage.ShouldBe(AgentUsage.None);
}
