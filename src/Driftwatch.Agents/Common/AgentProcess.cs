using Driftwatch.Agents.Proxy;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Agents.Common;

/// <summary>Runs a CLI agent's process for one trial, as every CLI adapter must.</summary>
internal static class AgentProcess
{
    /// <summary>
    /// Runs <paramref name="spec"/> in the trial's sandbox within the task's agent timeout, with the
    /// agent's own installation visible even where the sandbox hides its surroundings; the trial's
    /// recording (when the proxy is on) is finished once, when the process has ended or the run is cancelled.
    /// </summary>
    public static async Task<(ProcessResult Run, HarnessCapture? Harness)> RunAsync(
        ProcessSpec spec, AgentRequest request, TrialRecording? recording, CancellationToken cancellationToken)
    {
        var policy = request.Policy with { ReadOnly = request.Policy.ReadOnly.AddRange(AgentExecutables.InstallationFolders(spec.FileName)) };
        using var prepared = request.Sandbox.Prepare(spec, policy);
        ProcessResult run;
        try
        {
            run = await ProcessRunner.RunAsync(prepared.Spec, request.Task.AgentTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            recording?.Finish();
            throw;
        }
        return (run, recording?.Finish());
    }
}
