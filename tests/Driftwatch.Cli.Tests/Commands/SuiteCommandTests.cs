using System.Text.Json;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

public sealed class SuiteCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-suite");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Validate_json_has_a_row_per_task_and_the_counts()
    {
        var suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").AddAdder("add-b", "completion").Build();

        var result = await new CliHarness(_temp.Path).RunAsync("suite", "validate", suite, "--json", "--mistakes");

        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        root.GetProperty("suite").GetString().ShouldBe("mini");
        root.GetProperty("sound").GetInt32().ShouldBe(2);
        root.GetProperty("unsound").GetInt32().ShouldBe(0);
        var tasks = root.GetProperty("tasks").EnumerateArray().ToList();
        tasks.Select(t => t.GetProperty("id").GetString()).ShouldBe(["add-a", "add-b"]);
        tasks[1].GetProperty("category").GetString().ShouldBe("completion");
        tasks[0].GetProperty("language").GetString().ShouldBe("python");
        tasks[0].GetProperty("sound").GetBoolean().ShouldBeTrue();
        tasks[0].GetProperty("problems").GetArrayLength().ShouldBe(0);
        tasks[0].GetProperty("reference").GetProperty("testsPassed").GetInt32().ShouldBe(4);
        tasks[0].GetProperty("bare").GetProperty("outcome").GetString().ShouldBe("fail");
        tasks[0].GetProperty("mistakes").GetProperty("checked").GetInt32().ShouldBeGreaterThan(0);
        tasks[0].GetProperty("mistakes").GetProperty("surviving").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Validate_reports_mistakes_the_hidden_tests_miss()
    {
        // Given tests that never exercise the a == 0 branch
        var suite = new SuiteBuilder(_temp.Combine("weak")).AddAdder("add").Build();
        File.WriteAllText(Path.Combine(suite, "tasks", "add", "tests", "test_calc.py"),
            "import unittest\nfrom calc import add\nclass T(unittest.TestCase):\n    def test(self):\n        self.assertEqual(add(2, 3), 5)\n");

        var result = await new CliHarness(_temp.Path).RunAsync("suite", "validate", suite, "--mistakes");

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("add: the hidden tests miss");
        result.Output.ShouldContain("calc.py:2");
    }

    [Fact]
    public async Task Validate_tells_a_task_it_could_not_check_from_an_unsound_one_and_exits_1()
    {
        // Given bubblewrap, a sound task, and one whose hidden tests wait once the reference is in place
        var sandboxProblem = await Execution.Sandbox.SandboxFactory.ProbeBubblewrapAsync(CancellationToken.None);
        Assert.SkipWhen(sandboxProblem is not null, $"bubblewrap unavailable: {sandboxProblem}");
        var taskId = $"killed-{Guid.NewGuid():N}"[..20];
        var suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add")
            .AddTask(taskId, "generation",
                workspace: new Dictionary<string, string> { ["x.py"] = "pass\n" },
                solution: new Dictionary<string, string> { ["x.py"] = "solved = True\n" },
                tests: new Dictionary<string, string> { ["t.sh"] = "grep -q solved x.py || exit 1\nsleep 120\n" },
                extraYaml: "test_command: sh t.sh\ntimeouts:\n  test: 300")
            .Build();

        // When it is validated, and something outside kills the sandbox of every run of that reference's tests
        var validating = new CliHarness(_temp.Path).RunAsync("suite", "validate", suite, "--sandbox", "bwrap");
        await SandboxKiller.KeepKillingAroundAsync(validating, "sleep 120", taskId);
        var result = await validating;

        // Then that task is not checked (not unsound), the reason is named, and the exit code is Driftwatch's failure, not bad input
        result.ExitCode.ShouldBe(1, result.Output + result.Error);
        var row = result.Output.Split('\n').Single(l => l.Contains(taskId, StringComparison.Ordinal) && l.Contains("error", StringComparison.Ordinal));
        row.ShouldContain("not checked");
        result.Output.ShouldNotContain("UNSOUND", Case.Sensitive);
        result.Output.ShouldContain($"{taskId}: reference solution could not be checked: the sandbox was killed by a signal Driftwatch did not send (signal 9)");
        result.Output.ShouldContain("1 sound, 0 unsound, 1 not checked");
    }

    [Fact]
    public async Task List_shows_the_built_in_suite_and_configured_ones()
    {
        var mine = new SuiteBuilder(_temp.Combine("mine"), name: "mine").AddAdder("x").Build();
        _temp.Write("driftwatch.yaml", $"suites:\n  mine: {mine}\n");

        var result = await new CliHarness(_temp.Path).RunAsync("suite", "list", "--json");

        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var names = json.RootElement.EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        names.ShouldBe(["core", "mine"]);
        json.RootElement[0].GetProperty("tasks").GetInt32().ShouldBeGreaterThanOrEqualTo(36);
    }
}
