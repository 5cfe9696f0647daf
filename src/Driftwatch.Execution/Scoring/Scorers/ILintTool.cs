namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>The figures of one file: lint findings and cyclomatic complexity (summed over its functions); null where the tool could not say.</summary>
internal sealed record FileFigures(int? Findings, int? Complexity);

/// <summary>What a tool measured of a set of files, path by path, and what went wrong.</summary>
internal sealed record ToolFigures(IReadOnlyDictionary<string, FileFigures> Files, IReadOnlyList<string> Notes)
{
    public static ToolFigures Failed(string note) => new(new Dictionary<string, FileFigures>(), [note]);
}

/// <summary>
/// The real tools that measure one language's code (docs/scorers.md). They read the files as
/// text: none of them may load or run the code it measures, nor any configuration beside it.
/// </summary>
internal interface ILintTool
{
    /// <summary>The task language it measures ("python").</summary>
    string Language { get; }

    /// <summary>What it runs, for notes and docs ("pyflakes, pycodestyle, mccabe").</summary>
    string Name { get; }

    /// <summary>
    /// Whether a version is measured as one program: every source file of the language in it is
    /// written beside the files of the change (a compiler needs them all), not only those files.
    /// </summary>
    bool CompilesWholeProgram { get; }

    /// <summary>Whether a path is a source file of the language.</summary>
    bool Measures(string path);

    /// <summary>Why the tool cannot run on this machine (not installed), or null.</summary>
    string? Unavailable();

    /// <summary>The figures of <paramref name="files"/> (relative to <paramref name="folder"/>), each file measured on its own.</summary>
    Task<ToolFigures> MeasureAsync(ToolSandbox tools, string folder, string scratch, IReadOnlyList<string> files, CancellationToken cancellationToken);
}

/// <summary>How notes name files: a few of them, and how many more (an agent may make thousands).</summary>
internal static class ILintToolNotes
{
    public static string Files(IReadOnlyList<string> files) =>
        string.Join(", ", files.Take(3)) + (files.Count > 3 ? $" and {files.Count - 3} more file(s)" : "");
}
