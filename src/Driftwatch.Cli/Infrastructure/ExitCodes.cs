namespace Driftwatch.Cli.Infrastructure;

/// <summary>Exit codes of every command (README § Commands).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A runtime failure of Driftwatch itself.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: usage, configuration, task files, database file.</summary>
    public const int BadInput = 2;

    /// <summary>A degradation was detected.</summary>
    public const int Degraded = 3;

    /// <summary>Interrupted (Ctrl-C, SIGTERM); the run is left resumable.</summary>
    public const int Interrupted = 130;
}
