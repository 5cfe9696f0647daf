using Driftwatch.TestKit;
using Scheduling;

public static class IntervalsTests
{
    [Test]
    public static void EmptyInputGivesEmptyResult() =>
        Check.Equal(0, Intervals.Merge([]).Count);

    [Test]
    public static void OverlappingRangesMerge() =>
        Check.SequenceEqual([(1, 6)], Intervals.Merge([(1, 4), (3, 6)]));

    [Test]
    public static void TouchingRangesMerge() =>
        Check.SequenceEqual([(1, 5)], Intervals.Merge([(1, 3), (3, 5)]));

    [Test]
    public static void DisjointRangesStaySeparateAndSorted() =>
        Check.SequenceEqual([(1, 2), (5, 7), (9, 10)], Intervals.Merge([(9, 10), (1, 2), (5, 7)]));

    [Test]
    public static void ContainedRangeIsAbsorbed() =>
        Check.SequenceEqual([(0, 10)], Intervals.Merge([(0, 10), (2, 3), (4, 8)]));

    [Test]
    public static void EmptyRangesContributeNothing() =>
        Check.SequenceEqual([(1, 2)], Intervals.Merge([(5, 5), (1, 2), (7, 7)]));

    [Test]
    public static void BackwardsRangeThrows() =>
        Check.Throws<ArgumentException>(() => Intervals.Merge([(1, 2), (4, 3)]));

    [Test]
    public static void ChainOfOverlapsCollapses() =>
        Check.SequenceEqual([(0, 9)], Intervals.Merge([(6, 9), (0, 2), (1, 4), (3, 7)]));
}
