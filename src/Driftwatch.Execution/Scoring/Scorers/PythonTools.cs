using System.Globalization;
using System.Text.RegularExpressions;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>
/// Python: lint findings of pyflakes and pycodestyle (default settings), cyclomatic complexity of
/// mccabe (summed over a file's graphs: its functions, methods and module-level branches), all
/// three from Debian's packages run by the system interpreter in isolated mode (-I: neither the
/// files' folder nor PYTHON* variables on its path, so a file named like a module is never
/// imported). They parse the files; none runs them.
/// </summary>
internal sealed partial class PythonTools : ILintTool
{
    /// <summary>Debian's interpreter, the one its python3-pyflakes, pycodestyle and python3-mccabe packages install for.</summary>
    public const string Interpreter = "/usr/bin/python3";

    private static readonly string[] Modules = ["pyflakes/__init__.py", "pycodestyle.py", "mccabe.py"];
    private const string Packages = "/usr/lib/python3/dist-packages";
    private const string FileMark = "@@driftwatch-file";
    private const string FailedMark = "@@driftwatch-failed";

    public string Language => "python";

    public string Name => "pyflakes, pycodestyle, mccabe";

    public bool CompilesWholeProgram => false;

    public bool Measures(string path) => path.EndsWith(".py", StringComparison.Ordinal);

    public string? Unavailable()
    {
        if (!File.Exists(Interpreter))
            return $"{Interpreter} is not installed";
        var missing = Modules.Where(m => !File.Exists(Path.Combine(Packages, m))).ToList();
        return missing.Count == 0 ? null
            : $"{string.Join(", ", missing.Select(m => m.Split('/', '.')[0]))} not installed (Debian: apt-get install python3-pyflakes pycodestyle python3-mccabe)";
    }

    public async Task<ToolFigures> MeasureAsync(ToolSandbox tools, string folder, string scratch, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var arguments = ToolSandbox.Relative(files);
        var notes = new List<string>();
        var findings = files.ToDictionary(f => f, _ => (int?)0, StringComparer.Ordinal);
        foreach (var linter in new[] { "pyflakes", "pycodestyle" })
        {
            var run = await tools.RunAsync(folder, scratch, Interpreter, ["-I", "-m", linter, .. arguments], [], cancellationToken).ConfigureAwait(false);
            if ((ToolSandbox.Problem(linter, run) ?? (run.ExitCode is 0 or 1 ? null : $"{linter} failed (exit {run.ExitCode}): {FirstLine(run)}")) is { } problem)
            {
                notes.Add(problem);
                foreach (var file in files)
                    findings[file] = null;
                continue;
            }
            foreach (var file in files)
                findings[file] += CountFindings(run, file);
        }

        // mccabe takes one file at a time: one sandboxed shell runs it on each, marking where each begins.
        var complexity = files.ToDictionary(f => f, _ => (int?)null, StringComparer.Ordinal);
        var script = $"for f; do echo {FileMark}; {Interpreter} -I -m mccabe --min 1 \"$f\" 2>/dev/null || echo {FailedMark}; done";
        var mccabe = await tools.RunAsync(folder, scratch, "/bin/sh", ["-c", script, "sh", .. arguments], [], cancellationToken).ConfigureAwait(false);
        if (ToolSandbox.Problem("mccabe", mccabe) is { } failed)
        {
            notes.Add(failed);
        }
        else
        {
            var sections = mccabe.StandardOutput.Split(FileMark + "\n").Skip(1).ToList();
            var unparsed = new List<string>();
            for (var i = 0; i < files.Count && i < sections.Count; i++)
            {
                if (sections[i].Contains(FailedMark, StringComparison.Ordinal))
                {
                    unparsed.Add(files[i]);
                    continue;
                }
                complexity[files[i]] = sections[i].Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Sum(line => ComplexityOf().Match(line) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
            }
            if (unparsed.Count > 0)
                notes.Add($"mccabe could not parse {ILintToolNotes.Files(unparsed)}");
        }
        return new ToolFigures(files.ToDictionary(f => f, f => new FileFigures(findings[f], complexity[f]), StringComparer.Ordinal), notes);
    }

    /// <summary>Findings of one file: output lines "./PATH:LINE:…" (pyflakes writes syntax errors to standard error).</summary>
    private static int CountFindings(ProcessResult run, string file)
    {
        var prefix = "./" + file + ":";
        return (run.StandardOutput + "\n" + run.StandardError).Split('\n')
            .Count(line => line.StartsWith(prefix, StringComparison.Ordinal) && line.Length > prefix.Length && char.IsAsciiDigit(line[prefix.Length]));
    }

    private static string FirstLine(ProcessResult run) =>
        (run.StandardError + "\n" + run.StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";

    // mccabe prints "LINE:COL: 'name' N" for a function and "If LINE N" (and the like) for module-level branches.
    [GeneratedRegex(@"\s(\d+)\s*$")]
    private static partial Regex ComplexityOf();
}
