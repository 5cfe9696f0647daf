using System.Collections.Immutable;
using Driftwatch.Agents.Proxy;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Processes;
using Driftwatch.Execution.Sandbox;

namespace Driftwatch.Agents.Common;

/// <summary>Where a CLI agent runs in its sandbox: the policy, and the folders and endpoint as the agent sees them.</summary>
internal sealed record AgentLaunch(SandboxPolicy Policy, SandboxView View, TrialRecording? Recording)
{
    /// <summary>The API base URL the agent is given: the recording proxy's for this trial as the agent reaches it.</summary>
    public string? ProxyBaseUrl => Recording is null || View.EndpointAddress is null ? null : View.EndpointAddress + Recording.PathPrefix;
}

/// <summary>An agent's process as it ended, what the recording proxy recorded, and how long its API had been silent on a request still in flight.</summary>
internal sealed record AgentRun(ProcessResult Run, HarnessCapture? Harness, TimeSpan? Stalled);

/// <summary>Runs a CLI agent's process for one trial, as every CLI adapter must.</summary>
internal static class AgentProcess
{
    /// <summary>Largest transcript kept from an agent's standard output (its start and its end; the result event is at the end).</summary>
    public const int TranscriptCapBytes = 8 * 1024 * 1024;

    /// <summary>
    /// The trial's sandbox for the agent <paramref name="executable"/>: its own installation visible
    /// (read-only), and its network the recording proxy alone when there is one, else
    /// <paramref name="network"/> (the host's, for an agent that talks to its API itself).
    /// </summary>
    public static AgentLaunch Plan(AgentRequest request, string executable, TrialRecording? recording, NetworkAccess network = NetworkAccess.Host)
    {
        var policy = request.Policy with
        {
            ReadOnly = request.Policy.ReadOnly.AddRange(AgentExecutables.InstallationFolders(executable)),
            Network = recording is null ? network : NetworkAccess.Endpoint,
            EndpointPort = recording?.Port,
        };
        return new AgentLaunch(policy, request.Sandbox.View(policy), recording);
    }

    /// <summary>
    /// Runs <paramref name="spec"/> (built from <paramref name="launch"/>'s view) in the trial's
    /// sandbox within the task's agent timeout; the trial's recording (when the proxy is on) is
    /// finished once, when the process has ended or the run is cancelled.
    /// </summary>
    public static async Task<AgentRun> RunAsync(ProcessSpec spec, AgentRequest request, AgentLaunch launch, CancellationToken cancellationToken)
    {
        using var prepared = request.Sandbox.Prepare(spec, launch.Policy);
        ProcessResult run;
        try
        {
            run = await prepared.RunAsync(request.Task.AgentTimeout, TranscriptCapBytes, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            launch.Recording?.Finish();
            throw;
        }
        // Looked at before the recording ends: a request still waiting on a silent API.
        var stalled = launch.Recording?.Stalled();
        return new AgentRun(run, launch.Recording?.Finish(), stalled);
    }

    /// <summary>How long an API may say nothing on a request before a timeout of the agent is blamed on it rather than on the model.</summary>
    public static TimeSpan StallLimit(TimeSpan agentTimeout) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(60).Ticks, agentTimeout.Ticks / 2));

    /// <summary>
    /// An agent that ran out of time while the proxy saw its API silent on a request in flight was
    /// waiting on the API, not working: an infrastructure error (what it did so far is kept).
    /// </summary>
    public static AgentResult BlameStall(AgentResult result, AgentRun agentRun, TimeSpan agentTimeout) =>
        result.Exit == AgentExit.TimedOut && agentRun.Stalled is { } stalled && stalled >= StallLimit(agentTimeout)
            ? result with
            {
                Exit = AgentExit.InfrastructureError,
                ErrorKind = InfrastructureErrors.Stalled,
                ErrorMessage = $"the model's API had said nothing for {stalled.TotalSeconds:0} s on a request still in flight when the agent ran out of time",
            }
            : result;

    /// <summary>
    /// The ending of an agent's process that decides the trial whatever the agent printed: it never
    /// ran (not installed, the sandbox did not start), something outside killed it, or it filled the
    /// disk. Null when it ran to its end or out of its time, for the adapter to read.
    /// </summary>
    public static AgentResult? Ended(ProcessResult run, Secrets secrets, string program) => run.Ending switch
    {
        ProcessEnding.StartFailed => AgentResult.Infrastructure(InfrastructureErrors.AgentMissing, run.StartFailure ?? $"{program} could not be started"),
        ProcessEnding.SandboxFailed => AgentResult.Infrastructure(InfrastructureErrors.Sandbox, run.EndingDetail ?? "the sandbox did not start", secrets.Redact(run.StandardError)),
        ProcessEnding.Killed => AgentResult.Infrastructure(InfrastructureErrors.Killed, run.EndingDetail ?? "killed from outside", secrets.Redact(run.StandardError)) with
        {
            Transcript = secrets.Redact(run.StandardOutput),
        },
        ProcessEnding.DiskLimit => new AgentResult
        {
            Exit = AgentExit.Stopped,
            ErrorKind = "disk-limit",
            ErrorMessage = $"the agent was stopped: {run.EndingDetail}",
            Transcript = secrets.Redact(run.StandardOutput),
            Output = secrets.Redact(run.StandardError),
        },
        _ when InfrastructureErrors.CouldNotExecute(run) =>
            AgentResult.Infrastructure(InfrastructureErrors.AgentMissing, secrets.Redact($"{program} could not be executed: {Last(run.StandardError)}")!),
        _ => null,
    };

    /// <summary>The last line of an output, shortened.</summary>
    public static string Last(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : lines[^1].Length > 300 ? lines[^1][..300] : lines[^1];
    }

    /// <summary>The CLI's folders as the agent sees them, for its environment.</summary>
    public static ImmutableDictionary<string, string> Environment(AgentLaunch launch) => ChildEnvironment.ForTrial(launch.View);
}
