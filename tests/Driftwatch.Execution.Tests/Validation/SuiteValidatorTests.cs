using Driftwatch.Core.Runs;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Validation;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Validation;

public sealed class SuiteValidatorTests : IDisposable
{
    private readonly TempDirectory _temp = new("validator");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Sound_and_unsound_tasks_are_told_apart_with_reasons()
    {
        // Given a sound task, one whose stub already passes, one whose reference is wrong, and one that hangs
        var builder = new SuiteBuilder(_temp.Combine("suite")).AddAdder("sound")
            .AddTask("asks-nothing", "generation",
                workspace: new Dictionary<string, string> { ["calc.py"] = "def add(a, b):\n    return a + b\n" },
                solution: new Dictionary<string, string> { ["calc.py"] = "def add(a, b):\n    return a + b\n" },
                tests: new Dictionary<string, string> { ["test_calc.py"] = "import unittest\nfrom calc import add\nclass T(unittest.TestCase):\n    def test(self):\n        self.assertEqual(add(1, 2), 3)\n" })
            .AddTask("wrong-reference", "debugging",
                workspace: new Dictionary<string, string> { ["calc.py"] = "def add(a, b):\n    return a - b\n" },
                solution: new Dictionary<string, string> { ["calc.py"] = "def add(a, b):\n    return a * b\n" },
                tests: new Dictionary<string, string> { ["test_calc.py"] = "import unittest\nfrom calc import add\nclass T(unittest.TestCase):\n    def test(self):\n        self.assertEqual(add(1, 2), 3)\n" })
            .AddTask("hangs", "completion",
                workspace: new Dictionary<string, string> { ["x.py"] = "" },
                solution: new Dictionary<string, string> { ["x.py"] = "" },
                tests: new Dictionary<string, string> { ["t.sh"] = "sleep 60\n" },
                extraYaml: "test_command: sh t.sh\ntimeouts:\n  test: 1");
        var suite = SuiteLoader.Load(builder.Build());

        // When the suite is validated
        var results = await new SuiteValidator(new NoSandbox(), _temp.Combine("work")).ValidateAsync(suite, suite.Tasks, 4, null, CancellationToken.None);

        // Then each verdict says what is wrong
        var byId = results.ToDictionary(r => r.Task.Id);
        byId["sound"].Sound.ShouldBeTrue();
        byId["sound"].Bare.Outcome.ShouldBe(TrialOutcome.Fail);
        byId["sound"].Reference.Outcome.ShouldBe(TrialOutcome.Pass);
        byId["asks-nothing"].Problems.ShouldBe(["untouched workspace passes the tests: the task asks for nothing"]);
        byId["wrong-reference"].Problems.Single().ShouldStartWith("reference solution fails its tests (0/1 passed)");
        byId["hangs"].Problems.ShouldBe([
            "reference solution did not finish inside the test timeout (1 s)",
            "untouched workspace did not finish inside the test timeout (1 s)",
        ]);
    }

    [Fact]
    public async Task A_reference_whose_pass_the_trial_path_would_not_count_makes_its_task_unsound()
    {
        // Given a task whose reference solution passes its tests but also leaves a usercustomize.py,
        // which the trial path takes for a change that went for the tests
        var builder = new SuiteBuilder(_temp.Combine("suite")).AddAdder("customises");
        var suite = SuiteLoader.Load(builder.Build());
        File.WriteAllText(Path.Combine(suite.Directory, "tasks", "customises", "solution", "usercustomize.py"), "import unittest\n");
        suite = SuiteLoader.Load(suite.Directory);

        // When the suite is validated
        var result = (await new SuiteValidator(new NoSandbox(), _temp.Combine("work")).ValidateAsync(suite, suite.Tasks, 1, null, CancellationToken.None)).Single();

        // Then the task is unsound: an agent that does what the reference does never gets a pass
        result.Reference.Outcome.ShouldBe(TrialOutcome.Error);
        result.Reference.ErrorKind.ShouldBe(TrialRunner.SuspectKind);
        result.Unsound.ShouldBeTrue();
        result.Problems.Single().ShouldStartWith("reference solution passes its tests, but its pass would not be counted: the tests passed, but the change touched the test machinery (suspect:site-customisation usercustomize.py)");
    }

    [Fact]
    public async Task A_reference_whose_sandbox_is_killed_from_outside_is_not_checked_rather_than_failing_its_tests()
    {
        // Given bubblewrap, and a task whose hidden tests wait once the reference is in place
        var sandboxProblem = await SandboxFactory.ProbeBubblewrapAsync(CancellationToken.None);
        Assert.SkipWhen(sandboxProblem is not null, $"bubblewrap unavailable: {sandboxProblem}");
        var taskId = $"killed-{Guid.NewGuid():N}"[..20];
        var builder = new SuiteBuilder(_temp.Combine("suite")).AddTask(taskId, "generation",
            workspace: new Dictionary<string, string> { ["x.py"] = "pass\n" },
            solution: new Dictionary<string, string> { ["x.py"] = "solved = True\n" },
            tests: new Dictionary<string, string> { ["t.sh"] = "grep -q solved x.py || exit 1\nsleep 120\n" },
            extraYaml: "test_command: sh t.sh\ntimeouts:\n  test: 300");
        var suite = SuiteLoader.Load(builder.Build());
        var validator = new SuiteValidator(new BubblewrapSandbox(SandboxFactory.FindOnPath("bwrap")!), _temp.Combine("work"),
            trials: new TrialOptions { MaxAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(1) });

        // When it is validated, and something outside kills the sandbox of every run of the reference's tests
        using var done = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var validating = validator.ValidateAsync(suite, suite.Tasks, 1, null, done.Token);
        var kills = await SandboxKiller.KeepKillingAroundAsync(validating, "sleep 120", taskId);
        var result = (await validating).Single();

        // Then the trial path's kind and retries decide: an infrastructure error, tried twice, reported
        // as a check that could not be made, never as a reference that fails its tests
        kills.ShouldBeGreaterThanOrEqualTo(2);
        result.Reference.Outcome.ShouldBe(TrialOutcome.Error);
        result.Reference.ErrorKind.ShouldBe("killed");
        result.Reference.Attempts.ShouldBe(2);
        result.Bare.Outcome.ShouldBe(TrialOutcome.Fail);
        result.Problems.ShouldBe(["reference solution could not be checked: the sandbox was killed by a signal Driftwatch did not send (signal 9)"]);
        result.Sound.ShouldBeFalse();
        result.Unsound.ShouldBeFalse();
    }
}
