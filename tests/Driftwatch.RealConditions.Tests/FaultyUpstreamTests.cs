using Driftwatch.Core.Runs;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.RealConditions.Tests;

/// <summary>
/// The real CLI, through the recording proxy and the sandbox's one way out, to an upstream that
/// fails the ways networks and gateways do: resets before and during a stream, a stream that stalls,
/// 429 with retry-after, 529, and a gateway that refuses chunked bodies. An infrastructure fault is
/// an error (retried, never scored); a trial that ends after the fault passes as the model decides.
/// </summary>
public sealed class FaultyUpstreamTests : IDisposable
{
    private readonly RealWorld _world = new("faulty-upstream", agentTimeoutSeconds: 90);

    public void Dispose() => _world.Dispose();

    private static readonly Func<MessagesCall, ScriptedReply> Solve =
        ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { ["calc.py"] = RealWorld.Solution });

    /// <summary>The model's main-loop calls, counted: the fault hits the first <paramref name="faulty"/> of them.</summary>
    private static Func<MessagesCall, ScriptedReply> FirstFaulty(int faulty, Func<MessagesCall, ScriptedReply> fault)
    {
        var seen = 0;
        return call => call.HasTools && Interlocked.Increment(ref seen) <= faulty ? fault(call) : Solve(call);
    }

    /// <summary>
    /// Runs the one task against <paramref name="script"/>: it must pass, after as many attempts as
    /// <paramref name="attempts"/> says from what the upstream received. Returns what it received.
    /// </summary>
    private async Task<IReadOnlyList<RecordedRequest>> ShouldPassAsync(
        Func<MessagesCall, ScriptedReply> script, Func<IReadOnlyList<RecordedRequest>, int> attempts, int cliRetries = 0, bool rejectChunkedBodies = false)
    {
        RealWorld.RequireCli();
        await using var api = await ScriptedMessagesApi.StartAsync(script, rejectChunkedBodies);
        await using var agent = _world.Agent(api.BaseUrl, cliRetries);

        var (_, trials) = await _world.RunAsync(agent);

        var trial = trials.Single();
        trial.Outcome.ShouldBe(TrialOutcome.Pass, $"{trial.ErrorKind} {trial.ErrorMessage}");
        trial.Attempts.ShouldBe(attempts(api.Requests));
        return api.Requests;
    }

    [Fact]
    public Task A_connection_reset_before_the_answer_is_an_error_and_the_trial_passes_when_retried() =>
        ShouldPassAsync(FirstFaulty(1, _ => new ResetReply()), _ => 2);

    [Fact]
    public Task A_connection_reset_in_the_middle_of_a_stream_is_an_error_and_the_trial_passes_when_retried()
    {
        // The first streamed answer breaks after four events, and every request the CLI makes
        // without streaming (its own fallback after a broken stream) is reset: the attempt cannot
        // recover inside the CLI, so it must end as an error and be run again.
        var streamed = 0;
        return ShouldPassAsync(
            call => !call.HasTools ? Solve(call)
                : !call.Stream ? new ResetReply()
                : Interlocked.Increment(ref streamed) == 1 ? new BreakAfterEvents((MessageReply)Solve(call), 4)
                : Solve(call),
            _ => 2);
    }

    [Fact]
    public Task A_stream_broken_once_that_the_CLI_recovers_from_is_scored_as_the_model_decided() =>
        // Claude Code asks again without streaming when a stream breaks: then the attempt ends as
        // the model decides and needs no retry; when it does not, the attempt is an error and the
        // retry passes. Either way the fault is never scored.
        ShouldPassAsync(
            FirstFaulty(1, call => new BreakAfterEvents((MessageReply)Solve(call), 4)),
            requests => requests.Any(r => r.Body?["tools"] is not null && r.Body?["stream"]?.GetValue<bool>() != true) ? 1 : 2);

    [Fact]
    public Task Rate_limiting_with_retry_after_is_waited_out_by_the_CLI_and_the_trial_passes() =>
        ShouldPassAsync(FirstFaulty(2, _ => new ErrorReply(429, "rate_limit_error", "slow down") { RetryAfterSeconds = 1 }), _ => 1, cliRetries: 3);

    [Fact]
    public Task An_overloaded_API_is_an_error_and_the_trial_passes_when_it_recovers() =>
        ShouldPassAsync(FirstFaulty(1, _ => new ErrorReply(529, "overloaded_error", "Overloaded") { RetryAfterSeconds = 1 }), _ => 2);

    [Fact]
    public async Task A_gateway_that_refuses_chunked_bodies_works_through_the_proxy()
    {
        var requests = await ShouldPassAsync(Solve, _ => 1, rejectChunkedBodies: true);

        requests.Where(r => r.Path.StartsWith("/v1/messages", StringComparison.Ordinal)).ShouldAllBe(r => r.Headers.ContainsKey("content-length"));
    }
}
