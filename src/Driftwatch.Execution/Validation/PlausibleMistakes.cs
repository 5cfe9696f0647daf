using System.Text.RegularExpressions;
using Driftwatch.Core.Suites;
using Driftwatch.Core.Text;
using Driftwatch.Execution.Workspaces;

namespace Driftwatch.Execution.Validation;

/// <summary>
/// Wrong edits that look like an agent's near miss: the reference solution with one small
/// mistake on a line the solution wrote (a flipped comparison, an off-by-one, a swapped boolean
/// operator, min for max), the way mutation testing makes mutants.
/// </summary>
public static partial class PlausibleMistakes
{
    private sealed record Mutation(Regex Pattern, Func<Match, string> Replace, string Description);

    private static readonly Mutation[] Mutations =
    [
        new(LessOrEqual(), _ => " < ", "<= became <"),
        new(GreaterOrEqual(), _ => " > ", ">= became >"),
        new(Less(), _ => " <= ", "< became <="),
        new(Greater(), _ => " >= ", "> became >="),
        new(Equal(), m => m.Value == " === " ? " !== " : " != ", "== became !="),
        new(NotEqual(), m => m.Value == " !== " ? " === " : " == ", "!= became =="),
        new(PlusOne(), m => m.Value.Replace('+', '-'), "+ 1 became - 1"),
        new(MinusOne(), m => m.Value.Replace('-', '+'), "- 1 became + 1"),
        new(And(), m => m.Value.Replace("and", "or", StringComparison.Ordinal).Replace("&&", "||", StringComparison.Ordinal), "and became or"),
        new(Or(), m => m.Value.Replace("or", "and", StringComparison.Ordinal).Replace("||", "&&", StringComparison.Ordinal), "or became and"),
        new(MinMax(), m => Swap(m.Value), "min and max swapped"),
        new(TrueFalse(), m => Swap(m.Value), "boolean literal flipped"),
        new(SmallInteger(), m => (int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "a constant off by one"),
    ];

    /// <summary>One place where a mistake can be made: a file, a line, and what changes there.</summary>
    public sealed record Site(string File, int Line, string Description, string MutatedLine);

    /// <summary>
    /// Every mistake that can be made in the task's reference solution, in a stable order: on the
    /// lines the solution adds or changes, outside comments, imports and string literals.
    /// </summary>
    public static IReadOnlyList<Site> Sites(TaskDefinition task)
    {
        var sites = new List<Site>();
        var solutionFiles = Directory.EnumerateFiles(task.SolutionDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(task.SolutionDirectory, f))
            .Where(f => !Path.GetFileName(f).EndsWith("proj", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in solutionFiles)
        {
            var solution = File.ReadAllLines(Path.Combine(task.SolutionDirectory, file));
            var original = Path.Combine(task.WorkspaceDirectory, file);
            var before = File.Exists(original) ? File.ReadAllLines(original).Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal) : [];
            for (var line = 0; line < solution.Length; line++)
            {
                var text = solution[line];
                if (before.Contains(text.Trim()) || IsCommentOrImport(text))
                    continue;
                var literals = StringLiterals(text);
                foreach (var mutation in Mutations)
                {
                    foreach (Match match in mutation.Pattern.Matches(text))
                    {
                        if (literals.Any(l => match.Index < l.End && match.Index + match.Length > l.Start))
                            continue;
                        var mutated = text[..match.Index] + mutation.Replace(match) + text[(match.Index + match.Length)..];
                        sites.Add(new Site(file.Replace('\\', '/'), line + 1, mutation.Description, mutated));
                    }
                }
            }
        }
        return sites;
    }

    /// <summary>
    /// Writes the solution into the workspace with one mistake chosen by (seed, task, variant).
    /// Returns what was changed, or null (and leaves the workspace untouched) when the solution has
    /// no place for a mistake.
    /// </summary>
    public static string? Apply(TaskDefinition task, string workspace, int seed, int variant)
    {
        var sites = Sites(task);
        if (sites.Count == 0)
            return null;
        var site = sites[(int)(StableHash.Of("mistake", seed, task.Id, variant) % (ulong)sites.Count)];
        Apply(task, workspace, site);
        return $"{site.File}:{site.Line}: {site.Description}";
    }

    /// <summary>Writes the solution into the workspace with the mistake of <paramref name="site"/>.</summary>
    public static void Apply(TaskDefinition task, string workspace, Site site)
    {
        TrialWorkspace.CopyTree(task.SolutionDirectory, workspace);
        var lines = File.ReadAllLines(Path.Combine(task.SolutionDirectory, site.File));
        lines[site.Line - 1] = site.MutatedLine;
        File.WriteAllText(Path.Combine(workspace, site.File), string.Join('\n', lines) + "\n");
    }

    /// <summary>The spans of quoted strings on a line ('..', "..", `..`), roughly: escapes honoured, no multi-line strings.</summary>
    private static List<(int Start, int End)> StringLiterals(string line)
    {
        var spans = new List<(int, int)>();
        for (var i = 0; i < line.Length; i++)
        {
            var quote = line[i];
            if (quote is not ('"' or '\'' or '`'))
                continue;
            var start = i;
            for (i++; i < line.Length && line[i] != quote; i++)
            {
                if (line[i] == '\\')
                    i++;
            }
            spans.Add((start, Math.Min(i + 1, line.Length)));
        }
        return spans;
    }

    private static bool IsCommentOrImport(string line)
    {
        var text = line.TrimStart();
        return text.Length == 0 || text.StartsWith('#') || text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith('*')
            || text.StartsWith("/*", StringComparison.Ordinal) || text.StartsWith("\"\"\"", StringComparison.Ordinal)
            || text.StartsWith("import ", StringComparison.Ordinal) || text.StartsWith("from ", StringComparison.Ordinal)
            || text.StartsWith("using ", StringComparison.Ordinal) || text.Contains("require(", StringComparison.Ordinal);
    }

    private static string Swap(string word) => word switch
    {
        "min" => "max",
        "max" => "min",
        "Min" => "Max",
        "Max" => "Min",
        "True" => "False",
        "False" => "True",
        "true" => "false",
        "false" => "true",
        _ => word,
    };

    [GeneratedRegex(" <= ")]
    private static partial Regex LessOrEqual();

    [GeneratedRegex(" >= ")]
    private static partial Regex GreaterOrEqual();

    [GeneratedRegex(" < ")]
    private static partial Regex Less();

    [GeneratedRegex(" > ")]
    private static partial Regex Greater();

    [GeneratedRegex(" === | == ")]
    private static partial Regex Equal();

    [GeneratedRegex(" !== | != ")]
    private static partial Regex NotEqual();

    [GeneratedRegex(@" \+ 1\b")]
    private static partial Regex PlusOne();

    [GeneratedRegex(@" - 1\b")]
    private static partial Regex MinusOne();

    [GeneratedRegex(" and | && ")]
    private static partial Regex And();

    [GeneratedRegex(" or | \\|\\| ")]
    private static partial Regex Or();

    [GeneratedRegex(@"(?<=\b|Math\.)(min|max|Min|Max)(?=\()")]
    private static partial Regex MinMax();

    [GeneratedRegex(@"\b(True|False|true|false)\b")]
    private static partial Regex TrueFalse();

    [GeneratedRegex(@"(?<![\w.""'])\b[0-9]\b(?![\w.""'])")]
    private static partial Regex SmallInteger();
}
