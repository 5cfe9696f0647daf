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

/// <summary>How a process tree came to its end.</summary>
public enum ProcessEnding
{
    /// <summary>It ran to its own end and exited with <see cref="ProcessResult.ExitCode"/> (perhaps after one of its own processes died).</summary>
    Exited,

    /// <summary>Driftwatch killed it: it ran past its time.</summary>
    TimedOut,

    /// <summary>Driftwatch stopped it: its writable folders grew past the disk limit.</summary>
    DiskLimit,

    /// <summary>A signal Driftwatch did not send killed it from outside (the host's OOM killer, an operator, a parent that went away).</summary>
    Killed,

    /// <summary>The sandbox could not be set up: the command never ran.</summary>
    SandboxFailed,

    /// <summary>The program could not be started at all (missing binary, no permission).</summary>
    StartFailed,
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

    /// <summary>How it ended; <see cref="ProcessEnding.Exited"/> unless something else is known.</summary>
    public ProcessEnding Ending { get; init; }

    /// <summary>What the sandbox or the watch over it said about an ending other than <see cref="ProcessEnding.Exited"/>.</summary>
    public string? EndingDetail { get; init; }

    /// <summary>The memory limit of the sandbox was reached and the kernel killed a process of the tree for it.</summary>
    public bool MemoryLimitReached { get; init; }

    /// <summary>Standard output or error was longer than its cap (the rest was read and dropped).</summary>
    public bool OutputTruncated { get; init; }

    public bool Succeeded => Ending == ProcessEnding.Exited && StartFailure is null && !TimedOut && ExitCode == 0;

    /// <summary>The process ran to its own end (whatever its exit code).</summary>
    public bool RanToEnd => Ending == ProcessEnding.Exited && StartFailure is null && !TimedOut;

    /// <summary>Standard output then standard error, as one readable text.</summary>
    public string CombinedOutput =>
        StandardError.Length == 0 ? StandardOutput
        : StandardOutput.Length == 0 ? StandardError
        : $"{StandardOutput.TrimEnd('\n')}\n--- stderr ---\n{StandardError}";
}
