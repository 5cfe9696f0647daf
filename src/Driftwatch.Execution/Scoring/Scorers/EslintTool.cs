using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>
/// JavaScript: ESLint pinned in tools/eslint (package-lock.json, installed by <c>npm ci</c>), with
/// the configuration there given explicitly (recommended rules, Node's globals, inline
/// configuration comments ignored): no configuration in the linted folder is looked up or run.
/// Findings: every rule's message but the complexity rule's, and a file ESLint cannot parse counts
/// one (its complexity is then unknown). Complexity: the <c>complexity</c> rule at 0
/// reports every function's cyclomatic complexity, summed per file.
/// </summary>
internal sealed partial class EslintTool(string? installation) : ILintTool
{
    /// <summary>Where the pinned ESLint lives, relative to the repository.</summary>
    public const string RepositoryFolder = "tools/eslint";

    public string Language => "javascript";

    public string Name => "eslint";

    public bool CompilesWholeProgram => false;

    public bool Measures(string path) =>
        path.EndsWith(".js", StringComparison.Ordinal) || path.EndsWith(".mjs", StringComparison.Ordinal) || path.EndsWith(".cjs", StringComparison.Ordinal);

    /// <summary>tools/eslint above this program's folder (a clone), or null.</summary>
    public static string? FindInstallation()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, RepositoryFolder);
            if (File.Exists(Path.Combine(candidate, "eslint.config.mjs")))
                return candidate;
        }
        return null;
    }

    private string? Script => installation is null ? null : Path.Combine(installation, "node_modules", "eslint", "bin", "eslint.js");

    public string? Unavailable()
    {
        if (installation is null)
            return "ESLint is not installed: no tools/eslint beside this program";
        if (!File.Exists(Script))
            return "ESLint is not installed (run npm ci in tools/eslint)";
        return Sandbox.SandboxFactory.FindOnPath("node") is null ? "node is not installed" : null;
    }

    public async Task<ToolFigures> MeasureAsync(ToolSandbox tools, string folder, string scratch, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var node = Sandbox.SandboxFactory.FindOnPath("node")!;
        var run = await tools.RunAsync(folder, scratch, node,
            [Script!, "--config", Path.Combine(installation!, "eslint.config.mjs"), "--format", "json", "--no-warn-ignored", "--", .. ToolSandbox.Relative(files)],
            [installation!], cancellationToken).ConfigureAwait(false);
        if ((ToolSandbox.Problem("eslint", run) ?? (run.ExitCode is 0 or 1 ? null : $"eslint failed (exit {run.ExitCode}): {run.StandardError.Split('\n').FirstOrDefault()}")) is { } problem)
            return ToolFigures.Failed(problem);
        try
        {

            var figures = new Dictionary<string, FileFigures>(StringComparer.Ordinal);
            var notes = new List<string>();
            var unparsed = new List<string>();
            using var report = JsonDocument.Parse(run.StandardOutput);
            var byPath = report.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("filePath").GetString() ?? "", r => r, StringComparer.Ordinal);
            var workspace = Prefix(byPath.Keys, tools.WorkspaceOf(folder).TrimEnd('/'), files);
            foreach (var file in files)
            {
                if (!byPath.TryGetValue(workspace + "/" + file, out var seen))
                {
                    notes.Add($"eslint did not report {ILintToolNotes.Files([file])}");
                    figures[file] = new FileFigures(null, null);
                    continue;
                }
                int findings = 0, complexity = 0;
                var parsed = true;
                foreach (var message in seen.GetProperty("messages").EnumerateArray())
                {
                    var rule = message.TryGetProperty("ruleId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                    var isFatal = message.TryGetProperty("fatal", out var fatal) && fatal.ValueKind == JsonValueKind.True;
                    if (isFatal)
                        parsed = false;
                    else if (rule is null)
                        continue; // ESLint's own remarks (an inline configuration comment it ignores), not findings of the code
                    if (rule == "complexity" && ComplexityOf().Match(message.GetProperty("message").GetString() ?? "") is { Success: true } m)
                        complexity += int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                    else
                        findings++;
                }
                if (!parsed)
                    unparsed.Add(file);
                figures[file] = new FileFigures(findings, parsed ? complexity : null);
            }
            if (unparsed.Count > 0)
                notes.Add($"eslint could not parse {ILintToolNotes.Files(unparsed)}");
            return new ToolFigures(figures, notes);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return ToolFigures.Failed($"eslint's report could not be read: {ex.Message}");
        }
    }

    /// <summary>
    /// The folder ESLint put before the files it reports: where the sandbox shows the folder, or,
    /// when the folder's host path went through a link (no confining sandbox), the shortest prefix
    /// that one of the files completes.
    /// </summary>
    private static string Prefix(IEnumerable<string> reported, string expected, IReadOnlyList<string> files)
    {
        var paths = reported.ToList();
        if (files.Any(f => paths.Contains(expected + "/" + f, StringComparer.Ordinal)))
            return expected;
        return paths.SelectMany(p => files.Where(f => p.EndsWith("/" + f, StringComparison.Ordinal)).Select(f => p[..^(f.Length + 1)]))
            .OrderBy(p => p.Length).FirstOrDefault() ?? expected;
    }

    [GeneratedRegex(@"has a complexity of (\d+)\.")]
    private static partial Regex ComplexityOf();
}
