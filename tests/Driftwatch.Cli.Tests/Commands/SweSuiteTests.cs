using System.Diagnostics;
using System.Text.Json;
using Driftwatch.Testing;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// SWE-style repository tasks end to end: a git repository with an issue, its records, snapshots
/// made by tools/swe/snapshots.sh, the import, and validation and runs in podman containers.
/// </summary>
public sealed class SweSuiteTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-swe");
    private readonly CliHarness _cli;

    private readonly PlantedApiKey _key = new();

    public SweSuiteTests()
    {
        _cli = new CliHarness(_temp.Path);
    }

    public void Dispose()
    {
        _key.Dispose();
        _temp.Dispose();
    }

    private const string Fix = "def split(total_cents, parts):\n    \"\"\"Split an amount into parts that add up to it.\"\"\"\n    share, left = divmod(total_cents, parts)\n    return [share + 1] * left + [share] * (parts - left)\n\n\ndef add(a, b):\n    return a + b\n";

    private string Git(string repo, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", ["-C", repo, "-c", "user.email=t@example.org", "-c", "user.name=t", .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, $"git {string.Join(' ', arguments)}: {process.StandardError.ReadToEnd()}");
        return output;
    }

    /// <summary>A repository whose base commit has a bug, the fix (patch) and the test that shows it (test_patch), as one SWE-style record.</summary>
    private string Records()
    {
        var repo = _temp.Combine("clones", "acme__ledger");
        Directory.CreateDirectory(repo);
        Git(repo, "init", "-q");
        _temp.Write("clones/acme__ledger/ledger/__init__.py", "");
        _temp.Write("clones/acme__ledger/ledger/money.py", "def split(total_cents, parts):\n    \"\"\"Split an amount into parts that add up to it.\"\"\"\n    share = total_cents // parts\n    return [share] * parts\n\n\ndef add(a, b):\n    return a + b\n");
        _temp.Write("clones/acme__ledger/tests/test_money.py", "from ledger.money import add, split\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_even_split():\n    assert split(900, 3) == [300, 300, 300]\n");
        Git(repo, "add", "-A");
        Git(repo, "commit", "-q", "-m", "base");
        var commit = Git(repo, "rev-parse", "HEAD").Trim();
        // The fix, and the test that fails before it
        File.WriteAllText(Path.Combine(repo, "ledger", "money.py"), "def split(total_cents, parts):\n    \"\"\"Split an amount into parts that add up to it.\"\"\"\n    share, left = divmod(total_cents, parts)\n    return [share + 1] * left + [share] * (parts - left)\n\n\ndef add(a, b):\n    return a + b\n");
        var patch = Git(repo, "diff", "--", "ledger");
        Git(repo, "checkout", "-q", "--", "ledger");
        File.AppendAllText(Path.Combine(repo, "tests", "test_money.py"), "\n\ndef test_uneven_split_adds_up():\n    assert split(1000, 3) == [334, 333, 333]\n");
        var testPatch = Git(repo, "diff", "--", "tests");
        Git(repo, "checkout", "-q", "--", "tests");
        var record = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["instance_id"] = "acme__ledger-17",
            ["repo"] = "acme/ledger",
            ["base_commit"] = commit,
            ["problem_statement"] = "split() loses cents: split(1000, 3) gives [333, 333, 333], which adds up to 999.",
            ["patch"] = patch,
            ["test_patch"] = testPatch,
            ["FAIL_TO_PASS"] = JsonSerializer.Serialize(new[] { "tests/test_money.py::test_uneven_split_adds_up" }),
            ["PASS_TO_PASS"] = new[] { "tests/test_money.py::test_add", "tests/test_money.py::test_even_split" },
        });
        return _temp.Write("records.jsonl", record + "\n");
    }

    [Fact]
    public async Task A_SWE_style_task_imports_validates_and_runs_in_containers()
    {
        var missing = BaseImage.Ensure();
        Assert.SkipWhen(missing is not null, $"no container engine: {missing}");
        var records = Records();

        // Given the snapshots made from the clone, and the import
        var script = Process.Start(new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "tools", "swe", "snapshots.sh"), records, _temp.Combine("clones"), _temp.Combine("snapshots")]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await script.WaitForExitAsync();
        script.ExitCode.ShouldBe(0, await script.StandardError.ReadToEndAsync());
        var imported = await _cli.RunAsync("suite", "import", "swe", records, "--snapshots", "snapshots", "--out", "swe");
        imported.ExitCode.ShouldBe(0, imported.Output + imported.Error);
        var task = _temp.Combine("swe", "tasks", "acme__ledger-17");
        File.ReadAllText(Path.Combine(task, "workspace", "ledger", "money.py")).ShouldContain("share = total_cents // parts");
        File.ReadAllText(Path.Combine(task, "solution", "ledger", "money.py")).ShouldContain("divmod");
        File.ReadAllText(Path.Combine(task, "tests", "tests", "test_money.py")).ShouldContain("test_uneven_split_adds_up");
        File.ReadAllText(Path.Combine(task, "task.yaml")).ShouldContain("workdir: \"/testbed\"");

        // When it is validated in containers
        var validated = await _cli.RunAsync("suite", "validate", _temp.Combine("swe"), "--json");

        // Then the fix resolves it (1 FAIL_TO_PASS and 2 PASS_TO_PASS pass) and the base does not
        validated.ExitCode.ShouldBe(0, validated.Output + validated.Error);
        var verdict = JsonDocument.Parse(validated.Output).RootElement.GetProperty("tasks")[0];
        verdict.GetProperty("sound").GetBoolean().ShouldBeTrue(validated.Output);
        verdict.GetProperty("reference").GetProperty("testsPassed").GetInt32().ShouldBe(3);
        verdict.GetProperty("bare").GetProperty("testsPassed").GetInt32().ShouldBe(2, "the PASS_TO_PASS tests pass on the base");

        // And the simulated agent's trials are scored by the resolution rule, in the repository's image
        var simulated = await _cli.RunAsync("run", "--suite", _temp.Combine("swe"), "--trials", "2", "--seed", "2", "--db", "dw.db", "--json");
        simulated.ExitCode.ShouldBe(0, simulated.Output + simulated.Error);
        var trials = JsonDocument.Parse(simulated.Output).RootElement.GetProperty("trials").EnumerateArray().ToList();
        trials.ShouldAllBe(t => t.GetProperty("outcome").GetString() == "pass" || t.GetProperty("outcome").GetString() == "fail", simulated.Output);

        // And the real claude CLI, working inside the container at /testbed against a scripted API, resolves it
        Assert.SkipWhen(Driftwatch.Agents.Common.AgentExecutables.Find(null, "claude", Driftwatch.Agents.ClaudeCode.ClaudeCodeAgent.RepositoryCopy) is null, "the claude CLI is not installed");
        await using var api = await ScriptedMessagesApi.StartAsync(ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { ["ledger/money.py"] = Fix }));
        File.WriteAllText(_temp.Combine("driftwatch.yaml"), _key.ClaudeAgentConfig(api.BaseUrl));
        var claude = await _cli.RunAsync("run", "--agent", "claude-local", "--suite", _temp.Combine("swe"), "--db", "dw.db", "--json");
        claude.ExitCode.ShouldBe(0, claude.Output + claude.Error);
        var trial = JsonDocument.Parse(claude.Output).RootElement.GetProperty("trials")[0];
        trial.GetProperty("outcome").GetString().ShouldBe("pass", claude.Output);
        trial.GetProperty("testsPassed").GetInt32().ShouldBe(3);
        trial.GetProperty("agentVersion").GetString().ShouldBe("2.1.332 (Claude Code)");
    }

    [Fact]
    public async Task A_record_without_its_test_lists_is_exit_2_naming_the_record_and_field()
    {
        var file = _temp.Write("bad.jsonl", "{\"instance_id\": \"x-1\", \"repo\": \"a/b\", \"base_commit\": \"abcdef1\", \"problem_statement\": \"p\", \"patch\": \"\", \"test_patch\": \"\", \"PASS_TO_PASS\": []}\n");
        Directory.CreateDirectory(_temp.Combine("snapshots"));

        var result = await _cli.RunAsync("suite", "import", "swe", file, "--snapshots", "snapshots", "--out", "out");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("bad.jsonl:1");
        result.Error.ShouldContain("x-1: FAIL_TO_PASS");
        Directory.Exists(_temp.Combine("out")).ShouldBeFalse();
    }
}
