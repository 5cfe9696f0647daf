using Driftwatch.Core.Runs;
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
}
