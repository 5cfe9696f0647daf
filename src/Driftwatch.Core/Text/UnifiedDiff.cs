using System.Text;
using DiffPlex;

namespace Driftwatch.Core.Text;

/// <summary>
/// Line diffs in unified format (as `diff -u` prints them), from DiffPlex's line diff (Myers,
/// "An O(ND) Difference Algorithm and Its Variations", Algorithmica 1986).
/// </summary>
public static class UnifiedDiff
{
    private enum Op
    {
        Keep,
        Delete,
        Insert,
    }

    /// <summary>Returns "" when the texts are equal; otherwise a unified diff with 3 lines of context.</summary>
    public static string Create(string? oldText, string? newText, string oldName, string newName, int context = 3)
    {
        if (oldText == newText)
            return "";
        var a = SplitLines(oldText);
        var b = SplitLines(newText);
        var script = EditScript(a, b);
        var output = new StringBuilder();
        output.Append("--- ").Append(oldText is null ? "/dev/null" : oldName).Append('\n');
        output.Append("+++ ").Append(newText is null ? "/dev/null" : newName).Append('\n');

        var index = 0;
        while (index < script.Count)
        {
            // Find the next change, then extend the hunk while changes are within 2*context lines.
            while (index < script.Count && script[index].Op == Op.Keep)
                index++;
            if (index == script.Count)
                break;
            var start = Math.Max(0, index - context);
            var end = index;
            var lastChange = index;
            while (end < script.Count)
            {
                if (script[end].Op != Op.Keep)
                    lastChange = end;
                else if (end - lastChange > 2 * context)
                    break;
                end++;
            }
            end = Math.Min(script.Count, lastChange + context + 1);

            var (oldStart, newStart) = Positions(script, start);
            var oldCount = script.Skip(start).Take(end - start).Count(s => s.Op != Op.Insert);
            var newCount = script.Skip(start).Take(end - start).Count(s => s.Op != Op.Delete);
            output.Append("@@ -").Append(Range(oldStart, oldCount)).Append(" +").Append(Range(newStart, newCount)).Append(" @@\n");
            for (var i = start; i < end; i++)
            {
                var (op, line) = script[i];
                output.Append(op switch { Op.Keep => ' ', Op.Delete => '-', _ => '+' }).Append(line).Append('\n');
            }
            index = end;
        }
        return output.ToString();
    }

    /// <summary>Lines added and removed between two texts (by the same shortest edit script).</summary>
    public static (int Added, int Removed) CountChanges(string? oldText, string? newText)
    {
        if (oldText == newText)
            return (0, 0);
        var script = EditScript(SplitLines(oldText), SplitLines(newText));
        return (script.Count(s => s.Op == Op.Insert), script.Count(s => s.Op == Op.Delete));
    }

    /// <summary>
    /// The changed blocks between two texts (by the same shortest edit script), in order: where each
    /// starts in the old and the new text (0-based lines) and how many lines it removes and adds.
    /// </summary>
    public static IReadOnlyList<DiffBlock> Blocks(string? oldText, string? newText)
    {
        var blocks = new List<DiffBlock>();
        if (oldText == newText)
            return blocks;
        int oldLine = 0, newLine = 0;
        DiffBlock? open = null;
        foreach (var (op, _) in EditScript(SplitLines(oldText), SplitLines(newText)))
        {
            if (op == Op.Keep)
            {
                if (open is not null)
                    blocks.Add(open);
                open = null;
                oldLine++;
                newLine++;
                continue;
            }
            open ??= new DiffBlock(oldLine, 0, newLine, 0);
            if (op == Op.Delete)
            {
                open = open with { OldCount = open.OldCount + 1 };
                oldLine++;
            }
            else
            {
                open = open with { NewCount = open.NewCount + 1 };
                newLine++;
            }
        }
        if (open is not null)
            blocks.Add(open);
        return blocks;
    }

    /// <summary>The lines of a text as the diff sees them (a final newline ends the last line; CRLF read as LF).</summary>
    public static IReadOnlyList<string> LinesOf(string? text) => SplitLines(text);

    private static string Range(int start, int count) =>
        count == 1 ? $"{start}" : $"{(count == 0 ? start - 1 : start)},{count}";

    private static (int Old, int New) Positions(List<(Op Op, string Line)> script, int upTo)
    {
        int oldLine = 1, newLine = 1;
        for (var i = 0; i < upTo; i++)
        {
            if (script[i].Op != Op.Insert)
                oldLine++;
            if (script[i].Op != Op.Delete)
                newLine++;
        }
        return (oldLine, newLine);
    }

    private static string[] SplitLines(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return [];
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    /// <summary>The edit script of DiffPlex's line diff (Myers' algorithm), with this class's lines: deletions before insertions in each block.</summary>
    private static List<(Op Op, string Line)> EditScript(string[] a, string[] b)
    {
        if (a.Length == 0 || b.Length == 0)
            return [.. a.Select(line => (Op.Delete, line)), .. b.Select(line => (Op.Insert, line))];
        string oldText = string.Join('\n', a), newText = string.Join('\n', b);
        var result = Differ.Instance.CreateDiffs(oldText, newText, ignoreWhiteSpace: false, ignoreCase: false, new Lines(oldText, a, b));
        var script = new List<(Op Op, string Line)>(a.Length + b.Length);
        var x = 0;
        foreach (var block in result.DiffBlocks)
        {
            for (; x < block.DeleteStartA; x++)
                script.Add((Op.Keep, a[x]));
            for (var i = 0; i < block.DeleteCountA; i++)
                script.Add((Op.Delete, a[x++]));
            for (var i = 0; i < block.InsertCountB; i++)
                script.Add((Op.Insert, b[block.InsertStartB + i]));
        }
        for (; x < a.Length; x++)
            script.Add((Op.Keep, a[x]));
        return script;
    }

    /// <summary>Hands DiffPlex the lines already split (an empty text has none, a final newline ends the last line).</summary>
    private sealed class Lines(string oldText, string[] a, string[] b) : IChunker
    {
        public IReadOnlyList<string> Chunk(string text) => ReferenceEquals(text, oldText) ? a : b;
    }
}

/// <summary>One changed block of a line diff: <see cref="OldCount"/> lines from <see cref="OldStart"/> of the old text replaced by <see cref="NewCount"/> lines from <see cref="NewStart"/> of the new (0-based).</summary>
public sealed record DiffBlock(int OldStart, int OldCount, int NewStart, int NewCount);
