using Driftwatch.Core.Runs;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.RealConditions.Tests;

/// <summary>
/// A model API that stops sending in the middle of a stream, after the agent did some work: the
/// agent runs out of time waiting, and the proxy, which saw the request silent, blames the API.
/// (Its own class: it waits out seven minutes, beside the others.)
/// </summary>
public sealed class StalledUpstreamTests
{
    [Fact]
    public async Task A_stream_that_stalls_after_the_agent_did_work_is_an_API_stall_not_a_timeout_of_the_model()
    {
        RealWorld.RequireCli();
        // Given an API that answers the first turn (a Read) and then stalls in the middle of the second, and an agent
        // timeout of 420 s (the stall is blamed when the API was silent for min(60 s, half the timeout), here 60 s).
        // The first turn must end with more than 60 s of the agent's time left: in CI, with every test project running
        // on 2 cores, starting the CLI and its first turn took over 60 s, so with a 120 s timeout the API had been
        // silent for under 60 s when the agent ran out of time, which the rule scores as the agent's timeout (and with
        // 60 s, under 30 s). With 240 s it once took over three minutes, beside test projects that compile C# trials
        // for their warnings. 420 s leaves the first turn six minutes; the test waits out the whole timeout.
        using var world = new RealWorld("stalled-upstream", agentTimeoutSeconds: 420);
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
