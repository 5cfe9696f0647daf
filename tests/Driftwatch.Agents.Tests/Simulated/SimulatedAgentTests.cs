using System.Text.Json.Nodes;
using Driftwatch.Agents.Simulated;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Scoring;
using Driftwatch.Execution.Workspaces;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Agents.Tests.Simulated;

public sealed class SimulatedAgentTests : IDisposable
{
    private static readonly DateOnly Day = new(2026, 11, 1);
    private readonly TempDirectory _temp = new("simulated");

    public void Dispose() => _temp.Dispose();

    private SuiteDefinition Suite(int tasks = 6)
    {
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < tasks; i++)
            builder.AddAdder($"add-{i}", difficulty: (i % 3) switch { 0 => "easy", 1 => "medium", _ => "hard" });
        return SuiteLoader.Load(builder.Build());
    }

    private static SimulatedAgent Agent(JsonObject options) =>
        (SimulatedAgent)AgentCatalog.Create(new AgentDefinition("sim", "simulated", options, "test"));

    private async Task<(AgentResult Result, string Workspace, TrialWorkspace Handle)> Attempt(SimulatedAgent agent, SuiteDefinition suite, TaskDefinition task, DateOnly day, int trial, int attempt = 1)
    {
        var workspace = TrialWorkspace.Create(task, _temp.Combine("work"), "a", keep: false);
        var request = new AgentRequest
        {
            Task = task,
            Suite = suite,
            Workspace = workspace.Workspace,
            Home = workspace.Home,
            Temp = workspace.Temp,
            Context = new TrialContext(1, day, trial, attempt, Seed: 99),
            Sandbox = new NoSandbox(),
            Policy = new SandboxPolicy { Workspace = workspace.Workspace },
        };
        return (await agent.RunAsync(request, CancellationToken.None), workspace.Workspace, workspace);
    }

    [Fact]
    public async Task The_same_seed_day_task_and_trial_give_the_same_edit()
    {
        var suite = Suite();
        var agent = Agent(new JsonObject { ["seed"] = "5", ["skill"] = "0.5" });
        foreach (var task in suite.Tasks)
        {
            for (var trial = 0; trial < 3; trial++)
            {
                var (first, firstWorkspace, a) = await Attempt(agent, suite, task, Day, trial);
                var (second, secondWorkspace, b) = await Attempt(agent, suite, task, Day, trial);
                using (a)
                using (b)
                {
                    second.Transcript.ShouldBe(first.Transcript);
                    File.ReadAllText(Path.Combine(secondWorkspace, "calc.py")).ShouldBe(File.ReadAllText(Path.Combine(firstWorkspace, "calc.py")));
                }
            }
        }
    }

    [Fact]
    public async Task Its_edits_are_real_the_solved_ones_pass_and_the_others_fail()
    {
        // Given a middling agent on a suite of adders
        var suite = Suite(8);
        var agent = Agent(new JsonObject { ["seed"] = "3", ["skill"] = "0.5" });
        var scorer = new TestScorer(new NoSandbox());
        var decisions = new List<string>();

        // When it works every task a few times and the hidden tests judge each workspace
        foreach (var task in suite.Tasks)
        {
            for (var trial = 0; trial < 4; trial++)
            {
                var (result, _, workspace) = await Attempt(agent, suite, task, Day, trial);
                using (workspace)
                {
                    var test = await scorer.ScoreAsync(suite, task, workspace, CancellationToken.None);
                    var decision = result.StopReason!;
                    decisions.Add(decision);

                    // Then solving passes, and a mistake or giving up fails
                    test.Outcome.ShouldBe(decision == "solve" ? TrialOutcome.Pass : TrialOutcome.Fail, $"{task.Id}#{trial}: {result.Output}");
                }
            }
        }
        decisions.ShouldContain("solve");
        decisions.ShouldContain("mistake");
    }

    [Fact]
    public void Success_probability_follows_skill_and_difficulty()
    {
        var suite = Suite(30);
        var strong = Agent(new JsonObject { ["seed"] = "1", ["skill"] = "0.9" });
        var weak = Agent(new JsonObject { ["seed"] = "1", ["skill"] = "0.4" });

        double Mean(SimulatedAgent agent, Difficulty? difficulty = null) => suite.Tasks
            .Where(t => difficulty is null || t.Difficulty == difficulty)
            .Average(t => agent.SuccessProbability(suite, t, Day, 1));

        Mean(strong).ShouldBeGreaterThan(Mean(weak) + 0.3);
        Mean(strong, Difficulty.Easy).ShouldBeGreaterThan(Mean(strong, Difficulty.Medium));
        Mean(strong, Difficulty.Medium).ShouldBeGreaterThan(Mean(strong, Difficulty.Hard));
    }

    [Fact]
    public void A_scheduled_degradation_lowers_the_suite_mean_by_exactly_the_drop_from_its_day()
    {
        // Given an agent that loses 10 points from 2026-11-25
        var suite = Suite(30);
        var agent = Agent(new JsonObject
        {
            ["seed"] = "1",
            ["degradation"] = new JsonArray(new JsonObject { ["from"] = "2026-11-25", ["drop"] = "0.10" }),
        });
        double Mean(DateOnly day) => suite.Tasks.Average(t => agent.SuccessProbability(suite, t, day, 1));

        // Then the day before is untouched and from that day on the mean is 0.10 lower
        var before = Mean(new DateOnly(2026, 11, 24));
        Mean(new DateOnly(2026, 11, 1)).ShouldBe(before);
        Mean(new DateOnly(2026, 11, 25)).ShouldBe(before - 0.10, 1e-9);
        Mean(new DateOnly(2026, 12, 30)).ShouldBe(before - 0.10, 1e-9);
    }

    [Fact]
    public async Task Simulated_outages_are_infrastructure_errors()
    {
        var suite = Suite(1);
        var agent = Agent(new JsonObject { ["error_rate"] = "1" });

        var (result, _, workspace) = await Attempt(agent, suite, suite.Tasks[0], Day, 0);
        using (workspace)
        {
            result.Exit.ShouldBe(AgentExit.InfrastructureError);
            result.ErrorKind.ShouldBe("simulated-outage");
        }
    }

    [Fact]
    public async Task It_is_marked_synthetic_and_says_so_in_its_transcript()
    {
        var suite = Suite(1);
        var agent = Agent([]);
        agent.Synthetic.ShouldBeTrue();
        (await agent.GetVersionAsync(CancellationToken.None)).ShouldStartWith("driftwatch-simulated");

        var (result, _, workspace) = await Attempt(agent, suite, suite.Tasks[0], Day, 0);
        using (workspace)
        {
            result.Transcript.ShouldNotBeNull().ShouldContain("\"type\":\"synthetic\"");
            result.Transcript!.ShouldContain("no model was called");
            result.Model.ShouldBe("simulated");
        }
    }

    [Theory]
    [InlineData("skill", "1.5", "skill: expected a number from 0.01 to 0.99, got '1.5'")]
    [InlineData("colour", "blue", "colour: unknown option for a simulated agent")]
    [InlineData("seed", "x", "seed: expected a whole number")]
    public void Bad_options_name_the_agent_and_the_field(string field, string value, string expected)
    {
        var error = Should.Throw<InvalidInputException>(() => Agent(new JsonObject { [field] = value }));
        error.Message.ShouldStartWith("test: " + expected);
    }

    [Fact]
    public void A_degradation_step_needs_a_date_and_a_drop()
    {
        var error = Should.Throw<InvalidInputException>(() => Agent(new JsonObject
        {
            ["degradation"] = new JsonArray(new JsonObject { ["from"] = "yesterday", ["drop"] = "0.1" }),
        }));
        error.Message.ShouldContain("'from' must be a date like 2026-05-01, got 'yesterday'");
    }
}
