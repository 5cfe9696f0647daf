using Driftwatch.Execution.Scoring.Scorers;
using Shouldly;

namespace Driftwatch.Execution.Tests.Scoring.Scorers;

public sealed class TrialScoresTests
{
    [Fact]
    public void Notes_become_at_most_five_flags_the_last_counting_the_rest()
    {
        // Given scores with eight notes (an agent can make a scorer say many things)
        var scores = new TrialScores(new Dictionary<string, double>(), [.. Enumerable.Range(1, 8).Select(i => $"note {i}")]);

        // When they are turned into trial flags
        var flags = scores.Flags.ToList();

        // Then four notes are kept as they are and the fifth flag counts the other four
        flags.Count.ShouldBe(5);
        flags[0].ShouldBe("scorer: note 1");
        flags[4].ShouldBe("scorer: and 4 more note(s)");
    }

    [Fact]
    public void Notes_name_a_few_files_and_count_the_rest()
    {
        ILintToolNotes.Files(["a.py", "b.py"]).ShouldBe("a.py, b.py");
        ILintToolNotes.Files(["a.py", "b.py", "c.py", "d.py", "e.py"]).ShouldBe("a.py, b.py, c.py and 2 more file(s)");
    }
}
