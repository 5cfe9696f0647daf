namespace Scheduling;

public static class Intervals
{
    /// <summary>Returns the union of half-open ranges, sorted and non-overlapping.</summary>
    public static List<(int Start, int End)> Merge(IEnumerable<(int Start, int End)> ranges)
    {
        throw new NotImplementedException();
    }
}
