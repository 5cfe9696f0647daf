using Driftwatch.Agents.Api;
using Shouldly;

namespace Driftwatch.Agents.Tests.Api;

public sealed class FileExtractorTests
{
    [Fact]
    public void File_blocks_are_extracted_with_their_paths()
    {
        var files = FileExtractor.Extract("x\n<file path=\"src/a.py\">\nA = 1\n</file>\n<file path='b.js'>\nconst b = 2;\n</file>", []);

        files.ShouldBe([new("src/a.py", "A = 1\n"), new("b.js", "const b = 2;\n")]);
    }

    [Fact]
    public void A_fence_inside_a_file_block_is_unwrapped()
    {
        FileExtractor.Extract("<file path=\"a.py\">\n```python\nA = 1\n```\n</file>", []).Single().Content.ShouldBe("A = 1\n");
    }

    [Fact]
    public void Fenced_blocks_that_name_their_path_are_used_when_there_are_no_file_blocks()
    {
        var files = FileExtractor.Extract("```python calc.py\nX = 1\n```\n```js\n// file: lib/util.js\nY\n```", []);

        files.Select(f => f.Path).ShouldBe(["calc.py", "lib/util.js"]);
        files[1].Content.ShouldBe("Y\n");
    }

    [Fact]
    public void A_single_unnamed_block_goes_to_the_only_file_of_its_language()
    {
        FileExtractor.Extract("```python\nX = 2\n```", ["calc.py", "README.md"]).Single().Path.ShouldBe("calc.py");
        FileExtractor.Extract("```python\nX = 2\n```", ["a.py", "b.py"]).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("../escape.py")]
    [InlineData("/etc/passwd")]
    [InlineData(".driftwatch/unittest_junit.py")]
    public void Paths_that_leave_the_workspace_or_touch_the_harness_are_dropped(string path) =>
        FileExtractor.Extract($"<file path=\"{path}\">\nX\n</file>", []).ShouldBeEmpty();
}
