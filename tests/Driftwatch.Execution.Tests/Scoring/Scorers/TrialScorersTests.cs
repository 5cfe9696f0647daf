using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Scoring.Scorers;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Scoring.Scorers;

/// <summary>The scorers as the trial runner runs them: in bubblewrap, after the hidden tests, never changing the outcome.</summary>
public sealed class TrialScorersTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("trial-scorers");
    private BubblewrapSandbox _sandbox = null!;

    public async ValueTask InitializeAsync()
    {
        var problem = await SandboxFactory.ProbeBubblewrapAsync(CancellationToken.None);
        Assert.SkipWhen(problem is not null, $"bubblewrap unavailable: {problem}");
        _sandbox = new BubblewrapSandbox(SandboxFactory.FindOnPath("bwrap")!);
        new PythonTools().Unavailable().ShouldBeNull("the Python scorer needs Debian's python3-pyflakes, pycodestyle and python3-mccabe (.ci/run installs them)");
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<Trial> Run(SuiteBuilder builder, IAgent agent, IReadOnlyList<IScorer>? scorers = null)
    {
        var suite = SuiteLoader.Load(builder.Build());
        var task = suite.Tasks[0];
        var runner = new TrialRunner(agent, _sandbox, new TrialOptions { WorkRoot = _temp.Combine("work"), MaxAttempts = 1 }, TimeProvider.System, scorers);
        var record = await runner.RunAsync(suite, task, new PlannedTrial(task.Id, 0, 0, task.Category, task.Language),
            new RunContext(1, new DateOnly(2026, 12, 1), 7, "scripted 1.0"), CancellationToken.None);
        return record.Trial;
    }

    // The adder's reference: complexity 2, no finding, 4 changed lines (1 removed, 3 added).
    private const string Wordier = "import os\n\n\ndef add(a, b):\n    if a == 0:\n        return b\n    if b == 0:\n        return a\n    return a + b\n";

    [Fact]
    public async Task A_python_change_is_scored_against_the_reference_in_lint_findings_complexity_and_size()
    {
        // Given an agent that passes the adder with an unused import and one more branch than the
        // reference, in 9 changed lines (3 added above, 1 removed, 5 added)
        var builder = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-0");

        // When its trial runs
        var trial = await Run(builder, ScriptedAgent.Writing(new Dictionary<string, string> { ["calc.py"] = Wordier }));

        // Then it passes, with 1 finding and 1 decision beyond the reference's, and 9/4 of its change
        trial.Outcome.ShouldBe(TrialOutcome.Pass);
        trial.Metrics.Get("lintBeyondReference").ShouldBe(1);
        trial.Metrics.Get("complexityBeyondReference").ShouldBe(1);
        trial.Metrics.Get("changeSizeRatio").ShouldBe(2.25);
        trial.Metrics.ContainsKey("completionEditSimilarity").ShouldBeFalse();
        trial.Metrics.ContainsKey("faultHunksTouched").ShouldBeFalse();
        trial.Flags.ShouldNotContain(f => f.StartsWith(TrialScores.FlagPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_reference_solution_scores_zero_beyond_itself_and_a_size_ratio_of_one()
    {
        // Given an agent that writes the reference solution
        var builder = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-0");

        // When its trial runs
        var trial = await Run(builder, ScriptedAgent.Solver());

        // Then nothing is beyond the reference
        trial.Metrics.Get("lintBeyondReference").ShouldBe(0);
        trial.Metrics.Get("complexityBeyondReference").ShouldBe(0);
        trial.Metrics.Get("changeSizeRatio").ShouldBe(1);
    }

    [Fact]
    public async Task A_missing_tool_leaves_its_metrics_out_says_why_and_changes_nothing_else()
    {
        // Given a JavaScript task, and the JavaScript scorer without an ESLint installation
        var builder = new SuiteBuilder(_temp.Combine("suite")).AddTask("js-0", "generation",
            workspace: new Dictionary<string, string> { ["lib/a.js"] = "module.exports = () => 0;\n" },
            solution: new Dictionary<string, string> { ["lib/a.js"] = "module.exports = () => 1;\n" },
            tests: new Dictionary<string, string> { ["t.txt"] = "" },
            language: "javascript", extraYaml: "test_command: exit 0");
        IScorer[] scorers = [new ChangeSizeScorer(), new CodeQualityScorer(new EslintTool(null))];

        // When an agent's trial runs
        var trial = await Run(builder, ScriptedAgent.Solver(), scorers);

        // Then the outcome is the tests', the lint and complexity figures are absent (not zero), a flag says why, and the size is there
        trial.Outcome.ShouldBe(TrialOutcome.Pass);
        trial.Metrics.ContainsKey("lintBeyondReference").ShouldBeFalse();
        trial.Metrics.ContainsKey("complexityBeyondReference").ShouldBeFalse();
        trial.Metrics.Get("changeSizeRatio").ShouldBe(1);
        trial.Flags.ShouldContain("scorer: lint and complexity not measured: ESLint is not installed: no tools/eslint beside this program");
        TrialFlags.KindOf(trial.Flags.Single()).ShouldBe(FlagKind.Other);
    }

    private sealed class Failing : IScorer
    {
        public string Name => "failing";

        public bool AppliesTo(TaskDefinition task) => true;

        public Task<ScorerResult> ScoreAsync(ScoringInput input, CancellationToken cancellationToken) => throw new InvalidOperationException("the tool crashed");
    }

    [Fact]
    public async Task A_scorer_that_fails_never_turns_the_trial_into_an_error()
    {
        // Given a scorer that throws, before the change-size scorer
        var builder = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-0");

        // When a failing agent's trial runs
        var trial = await Run(builder, ScriptedAgent.Writing(new Dictionary<string, string> { ["calc.py"] = "def add(a, b):\n    return 0\n" }), [new Failing(), new ChangeSizeScorer()]);

        // Then it is still the tests' fail, the other scorer still measured, and the failure is a note
        trial.Outcome.ShouldBe(TrialOutcome.Fail);
        trial.ErrorKind.ShouldBeNull();
        trial.Metrics.Get("changeSizeRatio").ShouldBe(0.5);
        trial.Flags.ShouldContain("scorer: failing failed: InvalidOperationException: the tool crashed");
    }

    [Fact]
    public async Task A_debugging_trial_is_scored_on_where_its_change_went_and_a_completion_trial_on_its_fill()
    {
        // Given a debugging task whose reference fixes line 2, and an agent that changes lines 2 and 4
        var workspace = "def f(x):\n    return x - 1\n\n\ndef g():\n    return 0\n";
        var fix = "def f(x):\n    return x + 1\n\n\ndef g():\n    return 0\n";
        var debugging = new SuiteBuilder(_temp.Combine("dbg")).AddTask("dbg-0", "debugging",
            workspace: new Dictionary<string, string> { ["m.py"] = workspace },
            solution: new Dictionary<string, string> { ["m.py"] = fix },
            tests: new Dictionary<string, string> { ["test_m.py"] = "import unittest\nfrom m import f\n\nclass T(unittest.TestCase):\n    def test_f(self):\n        self.assertEqual(f(1), 2)\n" });
        // and a completion task of the same files, whose agent fills the gap like the reference
        var completion = new SuiteBuilder(_temp.Combine("cmp")).AddTask("cmp-0", "completion",
            workspace: new Dictionary<string, string> { ["m.py"] = workspace },
            solution: new Dictionary<string, string> { ["m.py"] = fix },
            tests: new Dictionary<string, string> { ["test_m.py"] = "import unittest\nfrom m import f\n\nclass T(unittest.TestCase):\n    def test_f(self):\n        self.assertEqual(f(1), 2)\n" });

        // When their trials run
        var debugged = await Run(debugging, ScriptedAgent.Writing(new Dictionary<string, string> { ["m.py"] = fix.Replace("return 0", "return 00", StringComparison.Ordinal) }));
        var completed = await Run(completion, ScriptedAgent.Writing(new Dictionary<string, string> { ["m.py"] = "def f(x):\n    return  x + 1\n\n\ndef g():\n    return 0\n" }));

        // Then the debugging trial touched the fix's one block with half its 4 changed lines away
        // from it; the completion trial matches the reference's fill exactly
        debugged.Metrics.Get("faultHunksTouched").ShouldBe(1);
        debugged.Metrics.Get("faultLinesOutside").ShouldBe(0.5);
        debugged.Metrics.ContainsKey("completionExactMatch").ShouldBeFalse();
        completed.Metrics.Get("completionExactMatch").ShouldBe(1);
        completed.Metrics.Get("completionEditSimilarity").ShouldBe(1);
        completed.Metrics.ContainsKey("faultHunksTouched").ShouldBeFalse();
    }

    [Fact]
    public async Task Configuration_an_agent_plants_in_its_workspace_changes_no_figure()
    {
        // Given a Python agent whose change breaks pycodestyle's blank-line rule twice and plants a
        // setup.cfg and tox.ini that would switch pycodestyle off, and a JavaScript agent whose change
        // has an unused variable beside an eslint.config.js that would switch every rule off
        var ignoreAll = "[pycodestyle]\nignore = E,W\nselect = X\n[flake8]\nignore = E,W,F\n";
        var python = new SuiteBuilder(_temp.Combine("py")).AddAdder("add-0");
        var pythonAgent = ScriptedAgent.Writing(new Dictionary<string, string>
        {
            ["calc.py"] = "import math\ndef add(a, b):\n    if a == 0:\n        return b\n    return a + b\ndef unused():\n    return math.pi\n",
            ["setup.cfg"] = ignoreAll,
            ["tox.ini"] = ignoreAll,
        });
        var javascript = new SuiteBuilder(_temp.Combine("js")).AddTask("js-0", "generation",
            workspace: new Dictionary<string, string> { ["lib/a.js"] = "'use strict';\nmodule.exports = () => 0;\n" },
            solution: new Dictionary<string, string> { ["lib/a.js"] = "'use strict';\nmodule.exports = () => 1;\n" },
            tests: new Dictionary<string, string> { ["t.txt"] = "" },
            language: "javascript", extraYaml: "test_command: exit 0");
        var javascriptAgent = ScriptedAgent.Writing(new Dictionary<string, string>
        {
            ["lib/a.js"] = "'use strict';\nconst unused = 2;\nmodule.exports = () => 1;\n",
            ["eslint.config.js"] = "export default [{ rules: { 'no-unused-vars': 'off' } }];\n",
        });

        // When their trials run
        var pythonTrial = await Run(python, pythonAgent);
        var javascriptTrial = await Run(javascript, javascriptAgent);

        // Then Driftwatch's settings judged both: two blank-line findings (E302, E302) beyond the
        // reference's, and the unused variable
        pythonTrial.Metrics.Get("lintBeyondReference").ShouldBe(2);
        pythonTrial.Metrics.Get("complexityBeyondReference").ShouldBe(1);
        javascriptTrial.Metrics.Get("lintBeyondReference").ShouldBe(1);
        javascriptTrial.Metrics.Get("complexityBeyondReference").ShouldBe(0);
    }

    [Fact]
    public async Task An_agent_that_changed_nothing_has_no_code_figures_and_one_flag_saying_so()
    {
        // Given an agent that leaves the workspace as it was
        var builder = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-0");

        // When its trial runs
        var trial = await Run(builder, ScriptedAgent.Writing(new Dictionary<string, string>()));

        // Then it fails, with no size, lint or complexity figure (absent, not zero), and one flag saying why
        trial.Outcome.ShouldBe(TrialOutcome.Fail);
        trial.Metrics.ContainsKey("changeSizeRatio").ShouldBeFalse();
        trial.Metrics.ContainsKey("lintBeyondReference").ShouldBeFalse();
        trial.Flags.ShouldBe(["scorer: the agent changed no text file: no change size, lint or complexity"]);
    }
}
