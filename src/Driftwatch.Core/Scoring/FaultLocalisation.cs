using Driftwatch.Core.Text;

namespace Driftwatch.Core.Scoring;

/// <summary>Where an agent's fix went against where the reference fix went.</summary>
/// <param name="HunksTouched">The share of the reference fix's changed blocks that the agent's change touched.</param>
/// <param name="LinesOutside">The share of the agent's changed lines (added and removed) that lie outside every block of the reference fix; null when the agent changed no line.</param>
/// <param name="ReferenceHunks">The reference fix's changed blocks.</param>
/// <param name="AgentLines">The agent's changed lines (added and removed).</param>
public sealed record FaultScore(double HunksTouched, double? LinesOutside, int ReferenceHunks, int AgentLines);

/// <summary>
/// Debugging tasks: the reference fix's blocks (its line diff, workspace → solution) mark where the
/// fault is. Positions are on the workspace's lines: a block that removes lines covers them, one
/// that only inserts covers the point between two lines; an agent's block touches a reference
/// block when they overlap or meet at that point.
/// </summary>
public static class FaultLocalisation
{
    /// <summary>Null when the reference fix changes no text line (nothing to localise).</summary>
    public static FaultScore? Measure(IReadOnlyList<FileChange> reference, IReadOnlyList<FileChange> agent)
    {
        var fix = reference.Where(f => f.Changed).ToDictionary(f => f.Path, f => UnifiedDiff.Blocks(f.Before, f.After), StringComparer.Ordinal);
        var hunks = fix.Values.Sum(b => b.Count);
        if (hunks == 0)
            return null;
        var agentBlocks = agent.Where(f => f.Changed).ToDictionary(f => f.Path, f => UnifiedDiff.Blocks(f.Before, f.After), StringComparer.Ordinal);

        var touched = fix.Sum(file => file.Value.Count(r =>
            agentBlocks.TryGetValue(file.Key, out var mine) && mine.Any(a => Touch(a, r))));

        int lines = 0, outside = 0;
        foreach (var (path, blocks) in agentBlocks)
        {
            var target = fix.GetValueOrDefault(path) ?? [];
            foreach (var block in blocks)
            {
                // A removed line is the span [line, line + 1); an added line sits at the block's start.
                for (var i = 0; i < block.OldCount; i++)
                {
                    lines++;
                    if (!target.Any(r => Overlaps(block.OldStart + i, block.OldStart + i + 1, r)))
                        outside++;
                }
                for (var i = 0; i < block.NewCount; i++)
                {
                    lines++;
                    if (!target.Any(r => Overlaps(block.OldStart, block.OldStart + block.OldCount, r)))
                        outside++;
                }
            }
        }
        return new FaultScore((double)touched / hunks, lines == 0 ? null : (double)outside / lines, hunks, lines);
    }

    private static bool Touch(DiffBlock agent, DiffBlock reference) => Overlaps(agent.OldStart, agent.OldStart + agent.OldCount, reference);

    /// <summary>Whether the span [start, end) of workspace lines (a point when empty) meets a reference block.</summary>
    private static bool Overlaps(int start, int end, DiffBlock reference)
    {
        int rStart = reference.OldStart, rEnd = reference.OldStart + reference.OldCount;
        if (start == end && rStart == rEnd)
            return start == rStart;
        if (start == end)
            return rStart <= start && start <= rEnd;
        if (rStart == rEnd)
            return start <= rStart && rStart <= end;
        return start < rEnd && rStart < end;
    }
}
