using Driftwatch.Core.Scoring;
using Shouldly;

namespace Driftwatch.Core.Tests.Scoring;

public sealed class FaultLocalisationTests
{
    // Ten numbered lines; the reference fix changes line 3 and line 8 (two blocks).
    private static readonly string Workspace = string.Concat(Enumerable.Range(1, 10).Select(i => $"line {i}\n"));
    private static string With(params (int Line, string Text)[] edits)
    {
        var lines = Workspace.TrimEnd('\n').Split('\n');
        foreach (var (line, text) in edits)
            lines[line - 1] = text;
        return string.Join('\n', lines) + "\n";
    }

    private static readonly FileChange[] Fix = [new("m.py", Workspace, With((3, "fixed 3"), (8, "fixed 8")))];

    [Fact]
    public void The_reference_fix_itself_touches_every_block_and_nothing_outside()
    {
        // When the reference's own change is measured
        var score = FaultLocalisation.Measure(Fix, Fix)!;

        // Then both blocks are touched and none of its four changed lines is outside
        score.ReferenceHunks.ShouldBe(2);
        score.HunksTouched.ShouldBe(1);
        score.LinesOutside.ShouldBe(0);
        score.AgentLines.ShouldBe(4);
    }

    [Fact]
    public void A_change_to_one_fixed_line_and_one_unrelated_line_touches_half_the_blocks_with_half_its_lines_outside()
    {
        // Given an agent that changed line 3 (where the fix goes) and line 6 (where it does not)
        FileChange[] agent = [new("m.py", Workspace, With((3, "other 3"), (6, "other 6")))];

        // When it is measured
        var score = FaultLocalisation.Measure(Fix, agent)!;

        // Then one of two blocks is touched, and 2 of its 4 changed lines (line 6 removed and added) lie outside
        score.HunksTouched.ShouldBe(0.5);
        score.LinesOutside.ShouldBe(0.5);
    }

    [Fact]
    public void Lines_added_just_before_a_fixed_line_touch_its_block()
    {
        // Given an agent that inserted a guard line between lines 7 and 8 (the fix's second block starts at line 8)
        FileChange[] agent = [new("m.py", Workspace, Workspace.Replace("line 8\n", "guard\nline 8\n", StringComparison.Ordinal))];

        // When it is measured
        var score = FaultLocalisation.Measure(Fix, agent)!;

        // Then the insertion meets the block: touched, and not outside
        score.HunksTouched.ShouldBe(0.5);
        score.LinesOutside.ShouldBe(0);
    }

    [Fact]
    public void Changes_to_other_files_are_all_outside_and_an_agent_that_changed_nothing_has_no_outside_share()
    {
        // Given an agent that edited only another file, and one that changed nothing
        FileChange[] elsewhere = [new("other.py", "a\n", "b\n")];

        // When they are measured
        var away = FaultLocalisation.Measure(Fix, elsewhere)!;
        var idle = FaultLocalisation.Measure(Fix, [])!;

        // Then the first touched no block with every line outside; the second touched none and has no share (absent, not zero)
        away.HunksTouched.ShouldBe(0);
        away.LinesOutside.ShouldBe(1);
        idle.HunksTouched.ShouldBe(0);
        idle.LinesOutside.ShouldBeNull();
    }
}
