namespace Driftwatch.Core.Runs;

/// <summary>How one trial ended. <see cref="Error"/> is an infrastructure failure, never a model failure.</summary>
public enum TrialOutcome
{
    Pass,
    Fail,
    Timeout,
    Error,
}

public enum RunStatus
{
    /// <summary>The run's process is still working on it.</summary>
    Running,

    /// <summary>Every planned trial finished, and infrastructure errors stayed within bounds.</summary>
    Complete,

    /// <summary>Interrupted, or too many trials ended in infrastructure errors; resumable.</summary>
    Incomplete,
}

public static class OutcomeNames
{
    public static string Name(this TrialOutcome outcome) => outcome.ToString().ToLowerInvariant();

    public static string Name(this RunStatus status) => status.ToString().ToLowerInvariant();

    public static TrialOutcome ParseOutcome(string name) => name switch
    {
        "pass" => TrialOutcome.Pass,
        "fail" => TrialOutcome.Fail,
        "timeout" => TrialOutcome.Timeout,
        "error" => TrialOutcome.Error,
        _ => throw new FormatException($"unknown outcome '{name}'"),
    };

    public static RunStatus ParseStatus(string name) => name switch
    {
        "running" => RunStatus.Running,
        "complete" => RunStatus.Complete,
        "incomplete" => RunStatus.Incomplete,
        _ => throw new FormatException($"unknown run status '{name}'"),
    };
}
