namespace Driftwatch.Agents.Common;

/// <summary>Names of infrastructure failures: trials that end in them are retried and never scored.</summary>
internal static class InfrastructureErrors
{
    public const string AgentMissing = "agent-missing";
    public const string AgentCrash = "agent-crash";
    public const string Network = "network";
    public const string Auth = "auth";
    public const string RateLimited = "api-429";
    public const string Overloaded = "api-529";

    /// <summary>The sandbox could not be set up: the agent never ran.</summary>
    public const string Sandbox = "sandbox";

    /// <summary>The agent ran out of time while its model's API said nothing on a request in flight.</summary>
    public const string Stalled = "api-stalled";

    /// <summary>A signal Driftwatch did not send killed the agent from outside its sandbox.</summary>
    public const string Killed = "killed";

    /// <summary>HTTP statuses that mean "the service failed", not "the model answered badly".</summary>
    public static bool IsInfrastructureStatus(int status) => status is 401 or 403 or 408 or 409 or 429 or >= 500;

    public static string ForStatus(int status) => status is 401 or 403 ? Auth : $"api-{status}";

    /// <summary>
    /// The program never ran: the shell conventions 126 (not executable) and 127 (not found), as
    /// prlimit and sh report them from inside the sandbox, with nothing on standard output.
    /// </summary>
    public static bool CouldNotExecute(Driftwatch.Execution.Processes.ProcessResult run) =>
        run.ExitCode is 126 or 127 && run.StandardOutput.Trim().Length == 0
        && (run.StandardError.Contains("failed to execute", StringComparison.Ordinal) || run.StandardError.Contains("not found", StringComparison.Ordinal)
            || run.StandardError.Contains("No such file", StringComparison.Ordinal) || run.StandardError.Contains("Permission denied", StringComparison.Ordinal));

    private static readonly string[] NetworkMarkers =
        ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "Connection refused", "Connection error", "fetch failed", "socket hang up", "network error"];

    /// <summary>Recognises network failures in an agent's own words.</summary>
    public static bool LooksLikeNetworkFailure(string? text) =>
        text is not null && NetworkMarkers.Any(marker => text.Contains(marker, StringComparison.OrdinalIgnoreCase));
}
