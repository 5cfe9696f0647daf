using Driftwatch.Core.Runs;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.RealConditions.Tests;

/// <summary>
/// Sessions as long as real ones: the model streams slowly (a turn of half a minute), the hidden
/// tests take a minute, everything runs in bubblewrap, two trials at a time. Nothing may die of the
/// wait (a sandbox tied to a thread the runtime retires after 20 s idle did).
/// </summary>
public sealed class LongSessionTests : IDisposable
{
    private readonly RealWorld _world = new("long-session", testSeconds: 60);

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task Sessions_of_90_seconds_and_test_commands_of_60_seconds_end_as_the_model_and_the_tests_decide()
    {
        RealWorld.RequireCli();
        // Given a model that solves the task in three turns, each streamed over half a minute
        var solve = ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { ["calc.py"] = RealWorld.Solution });
        await using var api = await ScriptedMessagesApi.StartAsync(call => solve(call) is MessageReply reply && call.HasTools
            ? reply with { EventDelay = TimeSpan.FromSeconds(2.8) }
            : solve(call));
        await using var agent = _world.Agent(api.BaseUrl);

        // When two trials run at once in bubblewrap, each with a test command of a minute
        var (_, trials) = await _world.RunAsync(agent, trials: 2);

        // Then both pass, after sessions and tests that really took that long
        trials.Count.ShouldBe(2);
        trials.ShouldAllBe(t => t.Outcome == TrialOutcome.Pass, string.Join("; ", trials.Select(t => $"{t.Outcome} {t.ErrorKind} {t.ErrorMessage}")));
        trials.ShouldAllBe(t => t.AgentDurationMs >= 90_000);
        trials.ShouldAllBe(t => t.TestDurationMs >= 60_000);
        trials.ShouldAllBe(t => t.Attempts == 1);
    }
}
