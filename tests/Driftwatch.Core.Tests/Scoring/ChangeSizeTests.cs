using Driftwatch.Core.Scoring;
using Shouldly;

namespace Driftwatch.Core.Tests.Scoring;

public sealed class ChangeSizeTests
{
    [Fact]
    public void The_change_size_counts_lines_added_and_removed_and_is_compared_as_a_ratio_to_the_reference()
    {
        // Given a reference that replaces one line (1 removed + 1 added) and an agent that
        // replaced the same line and added three more in a new file
        FileChange[] reference = [new("a.py", "x = 1\ny = 2\n", "x = 1\ny = 3\n")];
        FileChange[] agent = [new("a.py", "x = 1\ny = 2\n", "x = 1\ny = 4\n"), new("b.py", null, "p\nq\nr\n")];

        // When their sizes are measured
        // Then the reference's is 2 lines, the agent's 5, so 2.5 times the reference's
        ChangeSize.Lines(reference).ShouldBe(2);
        ChangeSize.Lines(agent).ShouldBe(5);
        ChangeSize.Ratio(agent, reference).ShouldBe(2.5);
    }

    [Fact]
    public void A_reference_without_change_gives_no_ratio()
    {
        ChangeSize.Ratio([new FileChange("a.py", null, "x\n")], []).ShouldBeNull();
    }
}
