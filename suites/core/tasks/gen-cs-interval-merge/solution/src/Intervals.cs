namespace Scheduling;

public static class Intervals
{
    /// <summary>Returns the union of half-open ranges, sorted and non-overlapping.</summary>
    public static List<(int Start, int End)> Merge(IEnumerable<(int Start, int End)> ranges)
    {
        var sorted = new List<(int Start, int End)>();
        foreach (var range in ranges)
        {
            if (range.End < range.Start)
                throw new ArgumentException($"range ({range.Start}, {range.End}) ends before it starts", nameof(ranges));
            if (range.End > range.Start)
                sorted.Add(range);
        }
        sorted.Sort((a, b) => a.Start.CompareTo(b.Start));

        var merged = new List<(int Start, int End)>();
        foreach (var range in sorted)
        {
            if (merged.Count > 0 && range.Start <= merged[^1].End)
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, range.End));
            else
                merged.Add(range);
        }
        return merged;
    }
}
