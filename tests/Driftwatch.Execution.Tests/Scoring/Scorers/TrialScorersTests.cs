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

    // A C# library task: the reference implements Add with one branch (complexity 2) through a helper
    // in a file it does not change; the hidden tests are not the point here (exit 0).
    private const string CSharpReference = """
        namespace Calc;

        public static class Adder
        {
            public static int Add(int a, int b)
            {
                if (Numbers.IsZero(a))
                {
                    return b;
                }
                return a + b;
            }
        }

        """;

    private SuiteBuilder CSharpTask(string name) => new SuiteBuilder(_temp.Combine(name)).AddTask("cs-0", "generation",
        workspace: new Dictionary<string, string>
        {
            ["src/Lib.csproj"] = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <TargetFramework>net10.0</TargetFramework>\n  </PropertyGroup>\n</Project>\n",
            ["src/Adder.cs"] = "namespace Calc;\n\npublic static class Adder\n{\n    public static int Add(int a, int b) => throw new NotImplementedException();\n}\n",
            ["src/Numbers.cs"] = "namespace Calc;\n\ninternal static class Numbers\n{\n    public static bool IsZero(int value) => value == 0;\n}\n",
        },
        solution: new Dictionary<string, string> { ["src/Adder.cs"] = CSharpReference },
        tests: new Dictionary<string, string> { ["t.txt"] = "" },
        language: "csharp", extraYaml: "test_command: exit 0");

    private static void RequireDotnet() =>
        new CSharpTools(CSharpTools.FindDotnet()).Unavailable().ShouldBeNull("the C# scorer needs the .NET SDK (dotnet on PATH)");

    private static string WithUnusedVariable => CSharpReference.Replace("        if (Numbers", "        var unused = 1;\n        if (Numbers", StringComparison.Ordinal);

    [Fact]
    public async Task A_csharp_change_is_scored_against_the_reference_in_compiler_warnings_and_complexity()
    {
        // Given a C# task, an agent that writes the reference with an unused variable (CS0219), and
        // one that writes it with a nested branch
        RequireDotnet();
        var builder = CSharpTask("cs");
        var nested = CSharpReference.Replace("            return b;", "            if (Numbers.IsZero(b))\n            {\n                return 0;\n            }\n            return b;", StringComparison.Ordinal);

        // When their trials run
        var unusedTrial = await Run(builder, ScriptedAgent.Writing(new Dictionary<string, string> { ["src/Adder.cs"] = WithUnusedVariable }));
        var nestedTrial = await Run(builder, ScriptedAgent.Writing(new Dictionary<string, string> { ["src/Adder.cs"] = nested }));

        // Then the first has one compiler warning beyond the reference and its complexity, the second
        // one decision more and no warning; neither gets a scorer flag
        unusedTrial.Outcome.ShouldBe(TrialOutcome.Pass);
        unusedTrial.Metrics.Get("lintBeyondReference").ShouldBe(1);
        unusedTrial.Metrics.Get("complexityBeyondReference").ShouldBe(0);
        nestedTrial.Metrics.Get("lintBeyondReference").ShouldBe(0);
        nestedTrial.Metrics.Get("complexityBeyondReference").ShouldBe(1);
        unusedTrial.Flags.Concat(nestedTrial.Flags).ShouldNotContain(f => f.StartsWith(TrialScores.FlagPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Build_configuration_a_csharp_agent_plants_changes_no_figure()
    {
        // Given a C# agent whose change has an unused variable, beside Directory.Build.props files,
        // an .editorconfig, a response file and its own project settings that would silence every
        // warning, and a global.json that asks for an SDK that does not exist
        RequireDotnet();
        var noWarn = "<Project>\n  <PropertyGroup>\n    <NoWarn>$(NoWarn);CS0168;CS0219;CA1502</NoWarn>\n    <WarningLevel>0</WarningLevel>\n  </PropertyGroup>\n</Project>\n";
        var agent = ScriptedAgent.Writing(new Dictionary<string, string>
        {
            ["src/Adder.cs"] = WithUnusedVariable,
            ["Directory.Build.props"] = noWarn,
            ["src/Directory.Build.props"] = noWarn,
            ["src/Directory.Build.targets"] = noWarn,
            ["src/Directory.Build.rsp"] = "-p:NoWarn=CS0219 -p:WarningLevel=0\n",
            ["src/.editorconfig"] = "root = true\n\n[*.cs]\ndotnet_diagnostic.CS0219.severity = none\ndotnet_diagnostic.CA1502.severity = none\n",
            ["src/.globalconfig"] = "is_global = true\ndotnet_diagnostic.CS0219.severity = none\n",
            ["global.json"] = "{ \"sdk\": { \"version\": \"1.0.100\", \"rollForward\": \"disable\" } }\n",
            ["src/Lib.csproj"] = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <TargetFramework>net10.0</TargetFramework>\n    <NoWarn>CS0219</NoWarn>\n  </PropertyGroup>\n</Project>\n",
        });

        // When its trial runs
        var trial = await Run(CSharpTask("cs-hostile"), agent);

        // Then Driftwatch's project judged the code: the unused variable is one warning beyond the reference
        trial.Metrics.Get("lintBeyondReference").ShouldBe(1);
        trial.Metrics.Get("complexityBeyondReference").ShouldBe(0);
        trial.Flags.ShouldNotContain(f => f.StartsWith(TrialScores.FlagPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Csharp_code_that_does_not_compile_has_no_lint_or_complexity_figure_and_a_flag_saying_why()
    {
        // Given a C# agent whose change does not compile
        RequireDotnet();
        var broken = CSharpReference.Replace("return a + b;", "return a + ;", StringComparison.Ordinal);

        // When its trial runs (its tests, here, pass whatever it wrote)
        var trial = await Run(CSharpTask("cs-broken"), ScriptedAgent.Writing(new Dictionary<string, string> { ["src/Adder.cs"] = broken }));

        // Then the outcome is the tests', the figures are absent (not zero), the change size is there,
        // and a flag names the compiler's error
        trial.Outcome.ShouldBe(TrialOutcome.Pass);
        trial.Metrics.ContainsKey("lintBeyondReference").ShouldBeFalse();
        trial.Metrics.ContainsKey("complexityBeyondReference").ShouldBeFalse();
        trial.Metrics.ContainsKey("changeSizeRatio").ShouldBeTrue();
        trial.Flags.ShouldContain("scorer: the C# code does not compile: src/Adder.cs(11,20): error CS1525: Invalid expression term ';'");
    }

    [Fact]
    public async Task Without_the_dotnet_sdk_a_csharp_trial_has_no_lint_or_complexity_figure_and_a_flag_saying_why()
    {
        // Given a C# task scored where dotnet is not on PATH, and where it is a runtime without an SDK
        var runtimeOnly = _temp.Combine("runtime-only");
        Directory.CreateDirectory(runtimeOnly);
        File.WriteAllText(Path.Combine(runtimeOnly, "dotnet"), "");
        var agent = ScriptedAgent.Writing(new Dictionary<string, string> { ["src/Adder.cs"] = WithUnusedVariable });

        // When a trial runs in each case
        var missing = await Run(CSharpTask("cs-no-dotnet"), agent, [new ChangeSizeScorer(), new CodeQualityScorer(new CSharpTools(null))]);
        var runtime = await Run(CSharpTask("cs-runtime"), agent, [new ChangeSizeScorer(), new CodeQualityScorer(new CSharpTools(Path.Combine(runtimeOnly, "dotnet")))]);

        // Then the outcome is the tests', the figures are absent (not zero), and a flag says why
        missing.Outcome.ShouldBe(TrialOutcome.Pass);
        missing.Metrics.ContainsKey("lintBeyondReference").ShouldBeFalse();
        missing.Metrics.ContainsKey("complexityBeyondReference").ShouldBeFalse();
        missing.Metrics.ContainsKey("changeSizeRatio").ShouldBeTrue();
        missing.Flags.ShouldBe(["scorer: lint and complexity not measured: the .NET SDK is not installed (no dotnet on PATH)"]);
        runtime.Metrics.ContainsKey("lintBeyondReference").ShouldBeFalse();
        runtime.Flags.ShouldHaveSingleItem().ShouldStartWith("scorer: lint and complexity not measured: the .NET SDK is not installed (dotnet at ");
    }
}
