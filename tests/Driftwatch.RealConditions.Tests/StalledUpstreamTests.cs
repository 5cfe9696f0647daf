using Driftwatch.Core.Runs;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.RealConditions.Tests;

/// <summary>
/// A model API that stops sending in the middle of a stream, after the agent did some work: the
/// agent runs out of time waiting, and the proxy, which saw the request silent, blames the API.
/// (Its own class: it waits out two minutes, beside the others.)
/// </summary>
public sealed class StalledUpstreamTests
{
    [Fact]
    public async Task A_stream_that_stalls_after_the_agent_did_work_is_an_API_stall_not_a_timeout_of_the_model()
    {
        RealWorld.RequireCli();
        // Given an API that answers the first turn (a Read) and then stalls in the middle of the second, and an agent
        // timeout of 120 s (the stall is blamed when the API was silent for half of it, here 60 s). The first turn
        // must end inside the first half: with a 60 s timeout, on a machine busy with the whole test run, the stall
        // began so late that the API had been silent for under 30 s when the agent ran out of time, which the rule
        // scores as the agent's timeout.
        using var world = new RealWorld("stalled-upstream", agentTimeoutSeconds: 120);
        var calls = 0;
        var solve = ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { ["calc.py"] = RealWorld.Solution });
        await using var api = await ScriptedMessagesApi.StartAsync(call => !call.HasTools ? solve(call)
            : Interlocked.Increment(ref calls) == 1 ? solve(call) : new StallAfterEvents((MessageReply)solve(call), 3));
        await using var agent = world.Agent(api.BaseUrl);

        // When the trial runs (one attempt)
        var (_, trials) = await world.RunAsync(agent, maxAttempts: 1);

        // Then the API is blamed, not the model: an error, never scored
        var trial = trials.Single();
        trial.Outcome.ShouldBe(TrialOutcome.Error);
        trial.ErrorKind.ShouldBe("api-stalled", trial.ErrorMessage);
        trial.Usage.ToolCalls.ShouldBe(1);
    }
}
