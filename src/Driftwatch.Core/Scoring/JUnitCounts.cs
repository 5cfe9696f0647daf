namespace Driftwatch.Core.Scoring;

/// <summary>Counts from a JUnit XML report: what partial credit is made of.</summary>
public sealed record JUnitCounts(int Total, int Passed, int Failed, int Skipped)
{
    /// <summary>Tests that count for credit: skipped ones do not.</summary>
    public int Counted => Total - Skipped;

    /// <summary>
    /// What Driftwatch's own runners said about the run itself, as a test case of class "driftwatch":
    /// "unfinished" (the report a runner writes first, left when the process ended early),
    /// "tampered" (the code under test replaced the test machinery); null when they said nothing.
    /// </summary>
    public string? RunnerNote { get; init; }
}
