using Driftwatch.Core.Text;
using Shouldly;

namespace Driftwatch.Core.Tests.Text;

public sealed class UnifiedDiffTests
{
    [Fact]
    public void Equal_texts_give_no_diff() => UnifiedDiff.Create("a\nb\n", "a\nb\n", "a/x", "b/x").ShouldBe("");

    [Fact]
    public void A_changed_line_gives_one_hunk_with_context()
    {
        var before = string.Join('\n', Enumerable.Range(1, 10).Select(i => $"line {i}")) + "\n";
        var after = before.Replace("line 5\n", "line five\n");

        var diff = UnifiedDiff.Create(before, after, "a/f.py", "b/f.py");

        diff.ShouldBe("""
            --- a/f.py
            +++ b/f.py
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8

            """.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Added_and_removed_files_diff_against_dev_null()
    {
        UnifiedDiff.Create(null, "x\ny\n", "a/n.py", "b/n.py").ShouldBe("--- /dev/null\n+++ b/n.py\n@@ -0,0 +1,2 @@\n+x\n+y\n");
        UnifiedDiff.Create("x\n", null, "a/n.py", "b/n.py").ShouldBe("--- a/n.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n");
    }

    [Fact]
    public void Distant_changes_give_separate_hunks()
    {
        var before = string.Join('\n', Enumerable.Range(1, 30).Select(i => $"{i}")) + "\n";
        var after = before.Replace("\n3\n", "\nthree\n").Replace("\n27\n", "\ntwenty-seven\n");

        var diff = UnifiedDiff.Create(before, after, "a", "b");

        diff.Split('\n').Count(l => l.StartsWith("@@", StringComparison.Ordinal)).ShouldBe(2);
        diff.ShouldContain("-3\n+three\n");
        diff.ShouldContain("-27\n+twenty-seven\n");
    }

    [Fact]
    public void Applying_the_script_reproduces_the_new_text()
    {
        // Property: keeping ' ' and '+' lines of a whole-file diff (huge context) gives the new text.
        var random = new Random(42);
        for (var round = 0; round < 200; round++)
        {
            var before = Enumerable.Range(0, random.Next(0, 15)).Select(_ => ((char)('a' + random.Next(4))).ToString()).ToList();
            var after = before.Where(_ => random.NextDouble() > 0.3).ToList();
            for (var i = 0; i < random.Next(0, 4); i++)
                after.Insert(random.Next(after.Count + 1), ((char)('a' + random.Next(6))).ToString());
            var oldText = before.Count == 0 ? "" : string.Join('\n', before) + "\n";
            var newText = after.Count == 0 ? "" : string.Join('\n', after) + "\n";

            var diff = UnifiedDiff.Create(oldText, newText, "a", "b", context: 1000);

            if (oldText == newText)
                continue;
            var body = diff.Split('\n').Skip(2).Where(l => l.Length > 0 && !l.StartsWith("@@", StringComparison.Ordinal));
            var rebuilt = body.Where(l => l[0] is ' ' or '+').Select(l => l[1..]).ToList();
            rebuilt.ShouldBe(after, $"round {round}: {oldText.Replace('\n', ',')} -> {newText.Replace('\n', ',')}");
            body.Where(l => l[0] is ' ' or '-').Select(l => l[1..]).ShouldBe(before);
        }
    }

    [Fact]
    public void Blocks_give_each_change_with_where_it_starts_in_both_texts_and_how_many_lines_it_removes_and_adds()
    {
        // Given a text with line 2 replaced by two lines and a line inserted after line 4
        var before = "a\nb\nc\nd\n";
        var after = "a\nB1\nB2\nc\nd\ne\n";

        // When its blocks are taken
        var blocks = UnifiedDiff.Blocks(before, after);

        // Then there are two: one replacing 1 line by 2 at line index 1, one inserting 1 at the end
        blocks.ShouldBe([new DiffBlock(1, 1, 1, 2), new DiffBlock(4, 0, 5, 1)]);
        UnifiedDiff.Blocks(before, before).ShouldBeEmpty();
    }
}
