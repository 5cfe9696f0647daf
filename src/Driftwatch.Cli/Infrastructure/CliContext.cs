using Driftwatch.Cli.Rendering;
using Spectre.Console;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>
/// What commands need from the outside world, injected so that tests run commands in-process
/// with their own console, folder, environment and clock. Every way to the terminal — the
/// console, standard error, text written as is — shows control characters as visible symbols
/// (<see cref="TerminalText"/>): what agents report is data, never terminal control.
/// </summary>
internal sealed class CliContext
{
    public required IAnsiConsole Out { get; init => field = TerminalSafeConsole.Wrap(value); }

    /// <summary>Where errors and warnings go (standard error).</summary>
    public required TextWriter Error { get; init => field = TerminalSafeWriter.Wrap(value); }

    /// <summary>Standard output for text written as is (JSON, exports, alerts): no markup, no wrapping.</summary>
    public TextWriter RawOut => TerminalSafeWriter.Wrap(Out.Profile.Out.Writer);

    public required string WorkingDirectory { get; init; }

    public required Func<string, string?> GetEnvironmentVariable { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Live progress bars only on an interactive terminal.</summary>
    public bool ShowProgress { get; init; }

    /// <summary>The command line as given, for messages that name what was typed.</summary>
    public IReadOnlyList<string> Arguments { get; set; } = [];

    /// <summary>Without a terminal (a CI log, a file), a line of progress on standard error now and then.</summary>
    public bool PlainProgress { get; init; }

    /// <summary>The console width for piped output: COLUMNS when it is a sensible width, else wide enough never to wrap.</summary>
    public static int PipedWidth(string? columns) =>
        int.TryParse(columns, out var width) && width > 40 ? width : Unwrapped;

    /// <summary>Wider than any line Driftwatch prints; nothing it prints fills the width.</summary>
    public const int Unwrapped = 10_000;

    /// <summary>A person at a terminal (not a pipe, a script or CI): only then may a command wait for Ctrl-C.</summary>
    public bool Interactive { get; init; }

    public static CliContext FromProcess()
    {
        var console = AnsiConsole.Console;
        // Piped output (CI logs, files) is not wrapped: tables stay one row a line, whatever their
        // width, so that grep finds what it looks for. COLUMNS still sets a width when given.
        if (Console.IsOutputRedirected)
            console.Profile.Width = PipedWidth(Environment.GetEnvironmentVariable("COLUMNS"));
        var terminal = console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        return new CliContext
        {
            Out = console,
            Error = Console.Error,
            WorkingDirectory = Environment.CurrentDirectory,
            GetEnvironmentVariable = Environment.GetEnvironmentVariable,
            ShowProgress = terminal,
            PlainProgress = !terminal,
            Interactive = terminal && !Console.IsInputRedirected,
        };
    }

    /// <summary>A heading line: a rule across a terminal; in a log (nothing wraps there) the title between two short rules.</summary>
    public void Heading(string markup)
    {
        if (Out.Profile.Width >= Unwrapped)
            Out.MarkupLine($"── {markup} ──");
        else
            Out.Write(new Rule(markup).LeftJustified());
    }

    public void Warn(string message) => Error.WriteLine($"warning: {message}");

    /// <summary>Writes text as is (JSON, a transcript): no markup, no wrapping at the console width.</summary>
    public void WriteRaw(string text)
    {
        RawOut.WriteLine(text);
        RawOut.Flush();
    }
}
