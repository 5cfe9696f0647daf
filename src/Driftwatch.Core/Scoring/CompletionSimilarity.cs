using System.Text;
using Driftwatch.Core.Text;

namespace Driftwatch.Core.Scoring;

/// <summary>How close an agent's fill of a completion gap is to the reference's.</summary>
/// <param name="ExactMatch">1 when the fills are equal after whitespace normalisation, else 0.</param>
/// <param name="EditSimilarity">1 − Levenshtein distance / length of the longer fill (normalised text); 1 when both are empty.</param>
/// <param name="AgentFill">The agent's fill, normalised.</param>
/// <param name="ReferenceFill">The reference's fill, normalised.</param>
public sealed record CompletionScore(double ExactMatch, double EditSimilarity, string AgentFill, string ReferenceFill);

/// <summary>
/// Completion tasks: the gap is where the reference's diff (workspace → solution) changes a file.
/// A fill is the text a version of the file has between the gap's anchors: the last line before
/// the gap and the first line after it, where the version kept them (by its own line diff from the
/// workspace). Edits the agent made away from the gap are not part of its fill.
/// </summary>
public static class CompletionSimilarity
{
    /// <summary>Fills longer than this (after normalisation) are not compared character by character.</summary>
    public const int MaxFillChars = 20_000;

    /// <summary>
    /// The score of an agent's version of the files against the reference's. <paramref name="agentAfter"/>
    /// gives the agent's final text of a path (null when it deleted the file). Null when the
    /// reference changes no text file that the workspace has (no gap), or a fill is too long.
    /// </summary>
    public static CompletionScore? Measure(IReadOnlyList<FileChange> reference, Func<string, string?> agentAfter)
    {
        var agentFill = new StringBuilder();
        var referenceFill = new StringBuilder();
        var gaps = 0;
        foreach (var file in reference.Where(f => f.Changed && f.Before is not null && f.After is not null).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var mine = agentAfter(file.Path) ?? "";
            foreach (var gap in UnifiedDiff.Blocks(file.Before, file.After))
            {
                gaps++;
                referenceFill.Append(Fill(file.Before, file.After, gap)).Append('\n');
                agentFill.Append(Fill(file.Before, mine, gap)).Append('\n');
            }
        }
        if (gaps == 0)
            return null;
        var a = Normalise(agentFill.ToString());
        var r = Normalise(referenceFill.ToString());
        if (a.Length > MaxFillChars || r.Length > MaxFillChars)
            return null;
        var longer = Math.Max(a.Length, r.Length);
        var similarity = longer == 0 ? 1.0 : 1.0 - (double)Levenshtein(a, r) / longer;
        return new CompletionScore(a == r ? 1 : 0, similarity, a, r);
    }

    /// <summary>The lines <paramref name="after"/> holds between the anchors of <paramref name="gap"/> (a block of the diff before → reference).</summary>
    public static string Fill(string? before, string? after, DiffBlock gap)
    {
        var lines = UnifiedDiff.LinesOf(after);
        // Where each line of the workspace that this version kept went (-1: not kept).
        var oldCount = UnifiedDiff.LinesOf(before).Count;
        var kept = new int[oldCount];
        Array.Fill(kept, -1);
        int oldLine = 0, newLine = 0;
        foreach (var block in UnifiedDiff.Blocks(before, after))
        {
            for (; oldLine < block.OldStart; oldLine++, newLine++)
                kept[oldLine] = newLine;
            oldLine += block.OldCount;
            newLine += block.NewCount;
        }
        for (; oldLine < oldCount; oldLine++, newLine++)
            kept[oldLine] = newLine;

        var start = 0;
        for (var i = gap.OldStart - 1; i >= 0; i--)
        {
            if (kept[i] >= 0)
            {
                start = kept[i] + 1;
                break;
            }
        }
        var end = lines.Count;
        for (var i = gap.OldStart + gap.OldCount; i < oldCount; i++)
        {
            if (kept[i] >= 0)
            {
                end = kept[i];
                break;
            }
        }
        return end <= start ? "" : string.Join('\n', lines.Skip(start).Take(end - start));
    }

    /// <summary>Whitespace-normalised text: each line trimmed, runs of whitespace as one space, blank lines left out.</summary>
    public static string Normalise(string text) =>
        string.Join('\n', text.Split('\n')
            .Select(line => string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
            .Where(line => line.Length > 0));

    /// <summary>Levenshtein distance (insertions, deletions, substitutions of one character each), two rows of the dynamic programme.</summary>
    public static int Levenshtein(string a, string b)
    {
        if (a.Length < b.Length)
            (a, b) = (b, a);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
