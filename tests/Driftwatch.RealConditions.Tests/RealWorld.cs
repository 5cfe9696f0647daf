using System.Text.Json.Nodes;
using Driftwatch.Agents.ClaudeCode;
using Driftwatch.Agents.Common;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Formats.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.RealConditions.Tests;

/// <summary>
/// Runs the real claude CLI through the real run loop, in bubblewrap, on a task whose hidden tests
/// take their time, and checks after every run what must hold whatever went wrong around it: every
/// planned trial ended exactly once, and no trial is a fail unless its test command ran to its end.
/// </summary>
internal sealed class RealWorld : IDisposable
{
    public const string Solution = "def add(a, b):\n    return a + b\n";

    /// <summary>What the test command prints as its very last act: only a test command that got there may fail a trial.</summary>
    public const string Completed = "[real-conditions] the test command ran to its end";

    private readonly List<string> _variables = [];

    public RealWorld(string label, int testSeconds = 1, int agentTimeoutSeconds = 600)
    {
        Temp = new TempDirectory(label);
        var suite = Temp.Combine("suite");
        var command = $"i=0; while [ $i -lt {testSeconds} ]; do sleep 1; i=$((i+1)); echo tick $i; done; " +
            $"python3 -I -B .driftwatch/unittest_junit.py; status=$?; echo '{Completed}'; exit $status";
        new SuiteBuilder(suite, agentTimeoutSeconds: agentTimeoutSeconds).AddTask("add", "generation",
            workspace: new Dictionary<string, string> { ["calc.py"] = "def add(a, b):\n    raise NotImplementedError\n" },
            solution: new Dictionary<string, string> { ["calc.py"] = Solution },
            tests: new Dictionary<string, string>
            {
                ["test_calc.py"] = "import unittest\nfrom calc import add\n\n\nclass AddTests(unittest.TestCase):\n    def test_small(self):\n        self.assertEqual(add(2, 3), 5)\n\n    def test_negative(self):\n        self.assertEqual(add(-2, -3), -5)\n",
            },
            extraYaml: $"test_command: \"{command.Replace("\"", "\\\"", StringComparison.Ordinal)}\"\ntimeouts:\n  test: {testSeconds + 120}").Build();
        Suite = SuiteLoader.Load(suite);
        Store = SqliteResultStore.Open(Temp.Combine("dw.db"));
        Key = $"sk-ant-real-{Guid.NewGuid():N}";
    }

    public TempDirectory Temp { get; }
    public SuiteDefinition Suite { get; }
    public SqliteResultStore Store { get; }
    public string Key { get; }

    public static void RequireCli() =>
        Assert.SkipWhen(AgentExecutables.Find(null, "claude", ClaudeCodeAgent.RepositoryCopy) is null, "the claude CLI is not installed (npm ci in tools/claude-code)");

    public ClaudeCodeAgent Agent(string baseUrl, int cliRetries = 0) => new(new AgentDefinition("real", "claude-code", new JsonObject
    {
        ["base_url"] = baseUrl,
        ["api_key_env"] = Variable(Key),
        ["model"] = "claude-sonnet-4-5",
        ["max_retries"] = cliRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["max_turns"] = "20",
    }, "real-conditions agent"));

    /// <summary>Runs <paramref name="trials"/> trials (in parallel) in bubblewrap and checks the invariants.</summary>
    public async Task<(RunHeader Run, IReadOnlyList<Trial> Trials)> RunAsync(IAgent agent, int trials = 1, int maxAttempts = 3)
    {
        var (sandbox, _) = await SandboxFactory.CreateAsync(SandboxMode.Bubblewrap, CancellationToken.None);
        var options = new TrialOptions { WorkRoot = Temp.Combine("work"), MaxAttempts = maxAttempts, RetryDelay = TimeSpan.FromMilliseconds(200) };
        var runner = new SuiteRunner(Store, TimeProvider.System, new RunOwner("real-conditions", Environment.ProcessId, DateTimeOffset.UnixEpoch));
        var runId = await runner.CreateAsync(new RunRequest { Suite = Suite, Agent = agent, Sandbox = sandbox, AgentConfigJson = "{}", TrialsPerTask = trials, Seed = 1 }, CancellationToken.None);
        await using var executor = new TrialExecutor(Store, Store, TrialEnvironment.Fixed(agent, sandbox, options, TimeProvider.System));
        await runner.ExecuteAsync(runId, new InProcessDispatcher(executor), parallelism: trials, progress: null, CancellationToken.None);
        var run = (await Store.GetRunAsync(runId))!;
        var stored = await Store.GetTrialsAsync(runId);
        await ShouldHoldAsync(run, stored);
        return (run, stored);
    }

    /// <summary>Every planned trial ended exactly once; a fail only where the test command ran to its end.</summary>
    private async Task ShouldHoldAsync(RunHeader run, IReadOnlyList<Trial> trials)
    {
        run.Summary.Pending.ShouldBe(0);
        trials.Count.ShouldBe(run.PlannedTrials);
        trials.Select(t => t.Key).Distinct().Count().ShouldBe(run.PlannedTrials);
        foreach (var trial in trials.Where(t => t.Outcome == TrialOutcome.Fail))
        {
            var output = await Store.GetArtifactAsync(run.Id, trial.Key, ArtifactKind.TestOutput);
            output.ShouldNotBeNull().ShouldContain(Completed, customMessage: $"trial {trial.Key} failed without its test command running to its end: {trial.ErrorKind} {trial.ErrorMessage}");
        }
    }

    private string Variable(string value)
    {
        var name = $"DW_REAL_{Guid.NewGuid():N}".ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, value);
        _variables.Add(name);
        return name;
    }

    public void Dispose()
    {
        foreach (var name in _variables)
            Environment.SetEnvironmentVariable(name, null);
        Store.Dispose();
        Temp.Dispose();
    }
}
