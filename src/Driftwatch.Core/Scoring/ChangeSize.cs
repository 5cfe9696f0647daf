using Driftwatch.Core.Text;

namespace Driftwatch.Core.Scoring;

/// <summary>The size of a change: lines added plus lines removed over its text files (the line diff of <see cref="UnifiedDiff"/>).</summary>
public static class ChangeSize
{
    public static int Lines(IEnumerable<FileChange> files) =>
        files.Where(f => f.Changed).Sum(f => UnifiedDiff.CountChanges(f.Before, f.After) is var (added, removed) ? added + removed : 0);

    /// <summary>The agent's change size as a share of the reference's; null when the reference changes nothing (nothing to compare with).</summary>
    public static double? Ratio(IEnumerable<FileChange> agent, IEnumerable<FileChange> reference)
    {
        var needed = Lines(reference);
        return needed == 0 ? null : (double)Lines(agent) / needed;
    }
}
