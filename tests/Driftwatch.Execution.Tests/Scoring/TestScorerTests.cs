using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Scoring;
using Driftwatch.Execution.Workspaces;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Scoring;

public sealed class TestScorerTests : IDisposable
{
    private readonly TempDirectory _temp = new("scorer");

    public void Dispose() => _temp.Dispose();

    private async Task<HiddenTestResult> Score(SuiteDefinition suite, string taskId, IReadOnlyDictionary<string, string> agentFiles, ISandbox? sandbox = null)
    {
        var task = suite.FindTask(taskId)!;
        using var workspace = TrialWorkspace.Create(task, _temp.Combine("work"), "t", keep: false);
        foreach (var (path, content) in agentFiles)
            File.WriteAllText(Path.Combine(workspace.Workspace, path), content);
        return await new TestScorer(sandbox ?? new NoSandbox()).ScoreAsync(suite, task, workspace, CancellationToken.None);
    }

    private SuiteDefinition Suite(Action<SuiteBuilder>? more = null)
    {
        var builder = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add");
        more?.Invoke(builder);
        return SuiteLoader.Load(builder.Build());
    }

    [Fact]
    public async Task Partial_credit_comes_from_the_junit_report()
    {
        // Given an answer right for positive numbers only
        var suite = Suite();

        // When the hidden tests run
        var result = await Score(suite, "add", new Dictionary<string, string> { ["calc.py"] = "def add(a, b):\n    return abs(a) + abs(b)\n" });

        // Then it fails with 3 of 4 tests passed
        result.Outcome.ShouldBe(TrialOutcome.Fail);
        (result.Passed, result.Total).ShouldBe((3, 4));
        result.Output.ShouldContain("test_negative");
    }

    [Fact]
    public async Task A_test_method_with_failing_subtests_counts_once_as_failed()
    {
        // Given hidden tests that use subTest, and an answer wrong for some of its cases
        var suite = Suite(b => b.AddTask("sub", "generation",
            workspace: new Dictionary<string, string> { ["sq.py"] = "def sq(x):\n    raise NotImplementedError\n" },
            solution: new Dictionary<string, string> { ["sq.py"] = "def sq(x):\n    return x * x\n" },
            tests: new Dictionary<string, string>
            {
                ["test_sq.py"] = """
                    import unittest
                    from sq import sq

                    class T(unittest.TestCase):
                        def test_many(self):
                            for x in range(4):
                                with self.subTest(x=x):
                                    self.assertEqual(sq(x), x * x)

                        def test_one(self):
                            self.assertEqual(sq(1), 1)
                    """,
            }));

        // When an answer right only for 0 and 1 is scored
        var result = await Score(suite, "sub", new Dictionary<string, string> { ["sq.py"] = "def sq(x):\n    return x\n" });

        // Then the subtest failures count as one failed test of two
        result.Outcome.ShouldBe(TrialOutcome.Fail);
        (result.Passed, result.Total).ShouldBe((1, 2));
    }

    [Fact]
    public async Task A_correct_answer_passes_all_tests()
    {
        var result = await Score(Suite(), "add", new Dictionary<string, string> { ["calc.py"] = "def add(a, b):\n    return a + b\n" });

        result.Outcome.ShouldBe(TrialOutcome.Pass);
        (result.Passed, result.Total).ShouldBe((4, 4));
    }

    [Fact]
    public async Task Hidden_tests_overwrite_what_the_agent_wrote_at_their_paths()
    {
        // Given an agent that "fixes" the tests instead of the code
        var result = await Score(Suite(), "add", new Dictionary<string, string>
        {
            ["test_calc.py"] = "import unittest\nclass T(unittest.TestCase):\n    def test_ok(self):\n        pass\n",
        });

        // Then the real tests run and fail
        result.Outcome.ShouldBe(TrialOutcome.Fail);
        result.Total.ShouldBe(4);
        result.Passed.ShouldBe(0);
    }

    [Fact]
    public async Task A_report_planted_at_the_junit_path_is_removed_before_the_tests()
    {
        // Given a task whose test command writes no report and an agent that plants a passing one
        var suite = Suite(b => b.AddTask("plain", "generation",
            workspace: new Dictionary<string, string> { ["x.py"] = "X = 1\n" },
            solution: new Dictionary<string, string> { ["x.py"] = "X = 2\n" },
            tests: new Dictionary<string, string> { ["check.py"] = "import x, sys\nsys.exit(0 if x.X == 2 else 1)\n" },
            extraYaml: "test_command: python3 check.py\njunit: report.xml"));
        var planted = """<testsuite><testcase name="a"/><testcase name="b"/></testsuite>""";

        var result = await Score(suite, "plain", new Dictionary<string, string> { ["report.xml"] = planted });

        // Then the score comes from the exit code alone
        result.Outcome.ShouldBe(TrialOutcome.Fail);
        (result.Passed, result.Total).ShouldBe((0, 1));
    }

    [Fact]
    public async Task A_test_command_past_its_timeout_is_a_timeout()
    {
        var suite = Suite(b => b.AddTask("slow", "generation",
            workspace: new Dictionary<string, string> { ["x.py"] = "" },
            solution: new Dictionary<string, string> { ["x.py"] = "" },
            tests: new Dictionary<string, string> { ["t.sh"] = "sleep 60\n" },
            extraYaml: "test_command: sh t.sh\ntimeouts:\n  test: 1"));

        var result = await Score(suite, "slow", new Dictionary<string, string>());

        result.Outcome.ShouldBe(TrialOutcome.Timeout);
        result.Output.ShouldContain("killed after 1 s");
    }

    [Fact]
    public async Task The_reference_solution_cannot_be_read_from_the_sandboxed_tests()
    {
        // Given an agent whose code, when imported by the tests, copies the reference solution
        var sandboxProblem = await SandboxFactory.ProbeBubblewrapAsync(CancellationToken.None);
        Assert.SkipWhen(sandboxProblem is not null, $"bubblewrap unavailable: {sandboxProblem}");
        var suite = Suite();
        var solution = Path.Combine(suite.FindTask("add")!.SolutionDirectory, "calc.py");
        var cheat = $"exec(open({System.Text.Json.JsonSerializer.Serialize(solution)}).read())\n";

        // When the tests run in bubblewrap
        var result = await Score(suite, "add", new Dictionary<string, string> { ["calc.py"] = cheat }, new BubblewrapSandbox(SandboxFactory.FindOnPath("bwrap")!));

        // Then the solution is not there to read
        result.Outcome.ShouldBe(TrialOutcome.Fail);
        result.Output.ShouldContain("No such file");
    }

    [Fact]
    public async Task Identical_workspaces_are_tested_once_when_a_cache_is_given()
    {
        var suite = Suite();
        var task = suite.FindTask("add")!;
        var cache = new TestResultCache();
        var scorer = new TestScorer(new NoSandbox(), cache);
        var results = new List<HiddenTestResult>();
        for (var i = 0; i < 3; i++)
        {
            using var workspace = TrialWorkspace.Create(task, _temp.Combine("work"), "c", keep: false);
            results.Add(await scorer.ScoreAsync(suite, task, workspace, CancellationToken.None));
        }

        cache.Size.ShouldBe(1);
        results.Select(r => r.Reused).ShouldBe([false, true, true]);
        results.ShouldAllBe(r => r.Outcome == TrialOutcome.Fail && r.Total == 4);
    }
}
