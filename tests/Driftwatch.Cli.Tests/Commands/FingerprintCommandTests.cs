using System.Text.Json;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// The real claude CLI → recording proxy → scripted Messages API: runs that differ in one CLI
/// option give a fingerprint diff showing exactly that, and `check` names it at a drop.
/// </summary>
public sealed class FingerprintCommandTests : IDisposable
{
    private const string Solution = "def add(a, b):\n    if a == 0:\n        return b\n    return a + b\n";
    private const string Appended = "Answer in 25 words or fewer.";

    private readonly TempDirectory _temp = new("cli-fingerprint");
    private readonly CliHarness _cli;
    private readonly string _suite;
    private readonly string _keyVariable = $"DW_TEST_KEY_{Guid.NewGuid():N}";

    public FingerprintCommandTests()
    {
        _cli = new CliHarness(_temp.Path);
        _suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").Build();
        Environment.SetEnvironmentVariable(_keyVariable, $"sk-ant-planted-{Guid.NewGuid():N}");
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_keyVariable, null);
        _temp.Dispose();
    }

    private string Db => _temp.Combine("dw.db");

    private async Task<CliResult> RunAgentAsync(ScriptedMessagesApi api, string agent, string? model = null)
    {
        File.WriteAllText(_temp.Combine("driftwatch.yaml"), $"""
            agents:
              plain:
                kind: claude-code
                base_url: {api.BaseUrl}
                api_key_env: {_keyVariable}
                max_retries: 0
              brief:
                kind: claude-code
                base_url: {api.BaseUrl}
                api_key_env: {_keyVariable}
                max_retries: 0
                extra_args: [--append-system-prompt, "{Appended}"]
            """);
        string[] args = ["run", "--agent", agent, "--suite", _suite, "--db", Db, "--sandbox", "none", .. model is null ? Array.Empty<string>() : ["--model", model]];
        var result = await _cli.RunAsync(args);
        result.ExitCode.ShouldBe(0, result.Output + result.Error);
        return result;
    }

    [Fact]
    public async Task Runs_differing_in_one_CLI_option_show_exactly_that_change_and_check_names_it_at_a_drop()
    {
        await using var api = await ScriptedMessagesApi.StartAsync(ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { ["calc.py"] = Solution }));

        // Given three runs of the real CLI: plain, with --append-system-prompt, and with another model
        await RunAgentAsync(api, "plain", "claude-scripted-a");
        await RunAgentAsync(api, "brief", "claude-scripted-a");
        await RunAgentAsync(api, "plain", "claude-scripted-b");

        // When the fingerprints are shown and compared
        var show = await _cli.RunAsync("fingerprint", "show", "1", "--db", Db);
        var appended = await _cli.RunAsync("fingerprint", "diff", "1", "2", "--db", Db);
        var appendedJson = await _cli.RunAsync("fingerprint", "diff", "1", "2", "--db", Db, "--json");
        var otherModel = await _cli.RunAsync("fingerprint", "diff", "1", "3", "--db", Db);
        TestContext.Current.TestOutputHelper?.WriteLine(show.Output + "\n" + appended.Output + "\n" + otherModel.Output);

        // Then show lists what the harness sent
        show.ExitCode.ShouldBe(0, show.Error);
        show.Output.ShouldContain("main loop");
        show.Output.ShouldContain("models: claude-scripted-a");
        show.Output.ShouldContain("user agent: claude-cli/2.1.332");
        show.Output.ShouldContain("Read");

        // And the appended prompt is the only difference in the main loop: one system prompt change whose diff adds that line
        // (this CLI also swaps its opening identity line when a prompt is appended: the diff shows that too)
        appended.ExitCode.ShouldBe(0, appended.Error);
        using (var json = JsonDocument.Parse(appendedJson.Output))
        {
            var main = json.RootElement.GetProperty("changes").EnumerateArray().Where(c => c.GetProperty("area").GetString() == "main loop").ToList();
            var change = main.ShouldHaveSingleItem();
            change.GetProperty("summary").GetString().ShouldStartWith("system prompt changed: +");
            change.GetProperty("detail").GetString().ShouldNotBeNull().Split('\n').ShouldContain(line => line.StartsWith('+') && line.Contains(Appended));
        }

        // And another model shows as a model change
        otherModel.Output.ShouldContain("models: claude-scripted-a → claude-scripted-b");
        otherModel.Output.ShouldNotContain("system prompt changed");

        // When a history has the appended prompt from its 31st day on, with a drop
        Dictionary<int, Core.Runs.RunFingerprint> fingerprints;
        using (var store = SqliteResultStore.Open(Db))
            fingerprints = new() { [0] = (await store.GetRunAsync(1))!.Fingerprint, [1] = (await store.GetRunAsync(2))!.Fingerprint };
        var tasks = Enumerable.Range(0, 50).Select(i => $"task-{i:00}").ToList();
        await StoredHistory.WriteAsync(Db, "history", "mini", tasks, 42,
            (day, task) => day >= 30 && task >= 30 && task < 42 ? 0.05 : StoredHistory.Usual(task, tasks.Count),
            fingerprint: day => fingerprints[day >= 30 ? 1 : 0]);
        var check = await _cli.RunAsync("check", "--agent", "history", "--db", Db, "--json");
        TestContext.Current.TestOutputHelper?.WriteLine(check.Output);

        // Then the verdict is a degradation that names the system prompt change on that day
        check.ExitCode.ShouldBe(3, check.Error);
        using var verdicts = JsonDocument.Parse(check.Output);
        var verdict = verdicts.RootElement[0];
        verdict.GetProperty("verdict").GetString().ShouldBe("degraded");
        var changes = verdict.GetProperty("fingerprintChanges").EnumerateArray().Select(c => c.GetString()!).ToList();
        changes.ShouldContain(c => c.StartsWith("system prompt changed on 2026-03-31", StringComparison.Ordinal));
    }
}
