using System.Text.Json;
using System.Text.Json.Nodes;
using Driftwatch.Agents;
using Driftwatch.Core.Configuration;
using Driftwatch.Formats.Configuration;
using Driftwatch.Testing;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>`init`, and `run` with real agents from driftwatch.yaml against API servers on 127.0.0.1.</summary>
public sealed class AgentCommandTests : IDisposable
{
    private const string Solution = "def add(a, b):\n    if a == 0:\n        return b\n    return a + b\n";

    private readonly TempDirectory _temp = new("cli-agents");
    private readonly CliHarness _cli;
    private readonly string _suite;
    private readonly string _keyVariable = $"DW_TEST_KEY_{Guid.NewGuid():N}";
    private readonly string _plantedKey = $"sk-ant-planted-{Guid.NewGuid():N}";

    public AgentCommandTests()
    {
        _cli = new CliHarness(_temp.Path);
        _suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").Build();
        Environment.SetEnvironmentVariable(_keyVariable, _plantedKey);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_keyVariable, null);
        _temp.Dispose();
    }

    private string Db => _temp.Combine("dw.db");

    private void WriteConfig(string agents) => File.WriteAllText(_temp.Combine("driftwatch.yaml"), $"agents:\n{agents}");

    [Fact]
    public async Task Init_writes_a_config_with_one_agent_of_each_kind_and_every_one_builds()
    {
        var result = await _cli.RunAsync("init");

        result.ExitCode.ShouldBe(0, result.Error);
        var config = DriftwatchConfigLoader.Load(null, _temp.Path);
        config.Agents.Values.Select(a => a.Kind).ToHashSet()
            .ShouldBe(["claude-code", "command", "codex", "gemini", "aider", "anthropic", "openai", "simulated"], ignoreOrder: true);
        foreach (var definition in config.Agents.Values)
            AgentCatalog.Create(definition).Name.ShouldBe(definition.Name);
        // Claude Code is installed here (tools/claude-code), so it is the default agent
        config.Defaults.Agent.ShouldBe("claude-code");
        result.Output.ShouldContain("default agent claude-code");
        File.ReadAllText(_temp.Combine("driftwatch.yaml")).ShouldContain("# ");
    }

    [Fact]
    public async Task Init_writes_a_storage_section_naming_the_default_sqlite_file()
    {
        // When a configuration is written
        var result = await _cli.RunAsync("init");

        // Then it says which store keeps the results and where, and that is what it loads as
        result.ExitCode.ShouldBe(0, result.Error);
        File.ReadAllText(_temp.Combine("driftwatch.yaml")).ShouldContain("storage:\n  kind: sqlite");
        DriftwatchConfigLoader.Load(null, _temp.Path).Storage
            .ShouldBe(new StorageConfig(StorageKind.Sqlite, _temp.Combine(".driftwatch", "driftwatch.db")));
    }

    [Fact]
    public async Task Init_never_overwrites_a_config_unless_forced()
    {
        File.WriteAllText(_temp.Combine("driftwatch.yaml"), "agents: {}\n");

        var refused = await _cli.RunAsync("init");
        refused.ExitCode.ShouldBe(2);
        refused.Error.ShouldContain("driftwatch.yaml: already exists");
        File.ReadAllText(_temp.Combine("driftwatch.yaml")).ShouldBe("agents: {}\n");

        var forced = await _cli.RunAsync("init", "--force");
        forced.ExitCode.ShouldBe(0, forced.Error);
        File.ReadAllText(_temp.Combine("driftwatch.yaml")).ShouldContain("kind: claude-code");
    }

    [Fact]
    public async Task Run_with_a_configured_claude_code_agent_and_a_model_records_what_the_real_CLI_reported()
    {
        await using var api = await ScriptedMessagesApi.StartAsync(ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { ["calc.py"] = Solution }));
        WriteConfig($"""
              claude-local:
                kind: claude-code
                base_url: {api.BaseUrl}
                api_key_env: {_keyVariable}
                max_retries: 0
            """);

        var result = await _cli.RunAsync("run", "--agent", "claude-local", "--model", "claude-scripted-1", "--suite", _suite, "--db", Db, "--sandbox", "none");
        TestContext.Current.TestOutputHelper?.WriteLine(result.Output + result.Error);

        result.ExitCode.ShouldBe(0, result.Output + result.Error);
        result.Output.ShouldContain("pass 1");
        result.Output.ShouldContain("2.1.332 (Claude Code)");
        api.Requests.Where(r => r.Body?["tools"] is JsonArray).ShouldAllBe(r => r.Body!["model"]!.GetValue<string>() == "claude-scripted-1");

        var show = await _cli.RunAsync("show", "1", "--db", Db, "--json");
        TestContext.Current.TestOutputHelper?.WriteLine(show.Output);
        using var json = JsonDocument.Parse(show.Output);
        json.RootElement.GetProperty("agent").GetString().ShouldBe("claude-local:claude-scripted-1");
        json.RootElement.GetProperty("synthetic").GetBoolean().ShouldBeFalse();
        var trial = json.RootElement.GetProperty("trials")[0];
        trial.GetProperty("outcome").GetString().ShouldBe("pass");
        trial.GetProperty("agentVersion").GetString().ShouldBe("2.1.332 (Claude Code)");
        trial.GetProperty("model").GetString().ShouldBe("claude-scripted-1");
        trial.GetProperty("inputTokens").GetInt64().ShouldBeGreaterThan(0);
        trial.GetProperty("costUsd").GetDecimal().ShouldBeGreaterThan(0);
        trial.GetProperty("turns").GetInt32().ShouldBeGreaterThanOrEqualTo(3);
        trial.GetProperty("toolCalls").GetInt32().ShouldBe(2);
        File.ReadAllBytes(Db).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(_plantedKey)).ShouldBe(-1);
    }

    [Fact]
    public async Task The_preset_claude_code_agent_reaches_the_endpoint_that_ANTHROPIC_BASE_URL_names_through_the_proxy()
    {
        // Given a gateway on 127.0.0.1 named only by ANTHROPIC_BASE_URL in the environment, and no driftwatch.yaml
        await using var api = await ScriptedMessagesApi.StartAsync(ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { ["calc.py"] = Solution }));
        var environment = new Dictionary<string, string?> { ["ANTHROPIC_BASE_URL"] = api.BaseUrl, ["ANTHROPIC_API_KEY"] = _plantedKey };

        // When the preset claude-code agent runs (the recording proxy is on by default)
        using var cli = CliProcess.Start(_temp.Path, environment, "run", "--agent", "claude-code", "--suite", _suite, "--db", Db, "--json");
        var (exitCode, output, error) = await cli.WaitAsync(TimeSpan.FromMinutes(5));

        // Then its requests went to that gateway, through the proxy, and the trial passed
        exitCode.ShouldBe(0, output + error);
        using var json = JsonDocument.Parse(output);
        var trial = json.RootElement.GetProperty("trials")[0];
        trial.GetProperty("outcome").GetString().ShouldBe("pass", output + error);
        api.Requests.Count(r => r.Path.StartsWith("/v1/messages", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(3);
        var fingerprint = await _cli.RunAsync("fingerprint", "show", "1", "--db", Db, "--json");
        fingerprint.Output.ShouldContain(api.BaseUrl);
    }

    [Fact]
    public async Task An_API_outage_ends_the_run_incomplete_with_error_trials_and_no_failures()
    {
        await using var api = await ScriptedMessagesApi.StartAsync(_ => new ErrorReply(529, "overloaded_error", "Overloaded"));
        WriteConfig($"""
              claude-local:
                kind: claude-code
                base_url: {api.BaseUrl}
                api_key_env: {_keyVariable}
                max_retries: 0
            """);

        var result = await _cli.RunAsync("run", "--agent", "claude-local", "--suite", _suite, "--db", Db, "--sandbox", "none", "--retries", "1");
        TestContext.Current.TestOutputHelper?.WriteLine(result.Output + result.Error);

        result.ExitCode.ShouldBe(0, result.Output + result.Error);
        result.Output.ShouldContain("errors: 1 (api-529 1)");
        result.Output.ShouldContain("the run is incomplete");
        result.Output.ShouldContain("driftwatch run --resume 1");
        var show = await _cli.RunAsync("show", "1", "--db", Db, "--json");
        using var json = JsonDocument.Parse(show.Output);
        json.RootElement.GetProperty("status").GetString().ShouldBe("incomplete");
        json.RootElement.GetProperty("summary").GetProperty("fail").GetInt32().ShouldBe(0);
        var trial = json.RootElement.GetProperty("trials")[0];
        trial.GetProperty("outcome").GetString().ShouldBe("error");
        trial.GetProperty("errorKind").GetString().ShouldBe("api-529");
        trial.GetProperty("attempts").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task A_second_attempt_is_reported_as_pass_at_1_and_pass_at_2()
    {
        await using var api = await ScriptedMessagesApi.StartAsync(call => new MessageReply([new TextBlock(call.Number == 1
            ? "<file path=\"calc.py\">\ndef add(a, b):\n    return a - b\n</file>"
            : $"<file path=\"calc.py\">\n{Solution}</file>")]));
        WriteConfig($"""
              api-model:
                kind: anthropic
                model: claude-api-test
                base_url: {api.BaseUrl}
                api_key_env: {_keyVariable}
                second_attempt: true
            """);

        var result = await _cli.RunAsync("run", "--agent", "api-model", "--suite", _suite, "--db", Db, "--sandbox", "none", "--json");

        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var trial = json.RootElement.GetProperty("trials")[0];
        trial.GetProperty("firstOutcome").GetString().ShouldBe("fail");
        trial.GetProperty("outcome").GetString().ShouldBe("pass");
        var text = await _cli.RunAsync("show", "1", "--db", Db);
        text.Output.ShouldContain("pass@1 0.0% (0/1) · pass@2 100.0% (1/1)");
    }

    [Fact]
    public async Task A_model_for_an_agent_that_takes_none_is_bad_input_naming_the_option()
    {
        var result = await _cli.RunAsync("run", "--agent", "simulated", "--model", "x", "--suite", _suite, "--db", Db, "--sandbox", "none");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("model: unknown option for a simulated agent");
        var runs = await _cli.RunAsync("runs", "--db", Db, "--json");
        runs.Output.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task A_credential_variable_that_is_not_set_stops_the_run_before_it_starts()
    {
        var unset = $"DW_UNSET_{Guid.NewGuid():N}";
        WriteConfig($"""
              claude-local:
                kind: claude-code
                api_key_env: {unset}
              api-model:
                kind: openai
                model: m
                api_key_env: {unset}
            """);

        foreach (var agent in new[] { "claude-local", "api-model" })
        {
            var result = await _cli.RunAsync("run", "--agent", agent, "--suite", _suite, "--db", Db, "--sandbox", "none");

            result.ExitCode.ShouldBe(2, result.Output + result.Error);
            result.Error.ShouldContain($"driftwatch.yaml:");
            result.Error.ShouldContain($"agents.{agent}.api_key_env: the environment variable {unset} is not set");
        }
        (await _cli.RunAsync("runs", "--db", Db, "--json")).Output.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task A_command_agent_whose_program_is_missing_stops_the_run_before_it_starts()
    {
        WriteConfig("""
              ghost:
                kind: command
                command: no-such-agent-program --message {prompt}
            """);

        var result = await _cli.RunAsync("run", "--agent", "ghost", "--suite", _suite, "--db", Db, "--sandbox", "none");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("agents.ghost.command: the program 'no-such-agent-program' was not found");
    }
}
