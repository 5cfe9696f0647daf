using System.Collections.Immutable;

namespace Driftwatch.Execution.Processes;

/// <summary>A process to start: program, arguments, folder and the complete environment it gets.</summary>
public sealed record ProcessSpec
{
    public required string FileName { get; init; }
    public ImmutableArray<string> Arguments { get; init; } = [];
    public required string WorkingDirectory { get; init; }

    /// <summary>The whole environment of the process (nothing is inherited beyond this).</summary>
    public ImmutableDictionary<string, string> Environment { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Text written to standard input, which is then closed (null: closed at once).</summary>
    public string? StandardInput { get; init; }

    /// <summary>
    /// The process leads its own process group (started through setsid): when it ends or is
    /// killed, the whole group is killed too, daemonised descendants included.
    /// </summary>
    public bool LeadsProcessGroup { get; init; }

    /// <summary>A shell command line run with <c>/bin/sh -c</c>.</summary>
    public static ProcessSpec Shell(string command, string workingDirectory, ImmutableDictionary<string, string> environment) => new()
    {
        FileName = "/bin/sh",
        Arguments = ["-c", command],
        WorkingDirectory = workingDirectory,
        Environment = environment,
    };
}

/// <summary>How a process ended, with its output (each stream capped).</summary>
public sealed record ProcessResult
{
    public required int ExitCode { get; init; }
    public required bool TimedOut { get; init; }
    public required string StandardOutput { get; init; }
    public required string StandardError { get; init; }
    public required TimeSpan Duration { get; init; }

    /// <summary>The program could not be started at all (missing binary, no permission).</summary>
    public string? StartFailure { get; init; }

    public bool Succeeded => StartFailure is null && !TimedOut && ExitCode == 0;

    /// <summary>Standard output then standard error, as one readable text.</summary>
    public string CombinedOutput =>
        StandardError.Length == 0 ? StandardOutput
        : StandardOutput.Length == 0 ? StandardError
        : $"{StandardOutput.TrimEnd('\n')}\n--- stderr ---\n{StandardError}";
}
