using System.Text;
using Driftwatch.Formats.Importing;
using Driftwatch.Formats.Yaml;
using Shouldly;

namespace Driftwatch.Formats.Tests.Importing;

public sealed class YamlWriterTests
{
    private static readonly string[] Hostile =
    [
        "", " ", "plain", "true", "No", "null", "~", "1.5", "0x1F", "1e3", ".inf", "-", "- a", "? x", ": y", "a: b", "a #b", "#c",
        "[x]", "{y: 1}", "&anchor", "*alias", "!tag", "|", ">", "%YAML", "@at", "`tick`", "'single'", "\"double\"", "back\\slash",
        "trailing ", " leading", "tab\there", "line\nbreak", "two\n\nparagraphs\n", "ends with newlines\n\n", "\nstarts with newline",
        "crlf\r\nline", "nul\0char", "bell\a", "escape\u001b[31m", "line sep\u2028x", "para sep\u2029x", "bom\uFEFFx", "nonchar\uFFFEx",
        "emoji 🙂", "rtl \u202Eevil", "über ñ 中文", "def f(x):\n    return x\n", "  indented\n  block\n", "a\n \nb\n", "a  \nb\n",
    ];

    [Fact]
    public void Every_string_written_as_a_field_reads_back_as_the_same_string()
    {
        // Given strings YAML treats specially (indicators, reserved words, numbers, blocks, control and
        // separator characters) and 2,000 random ones drawn from those characters (seeded)
        var random = new Random(20261202);
        var alphabet = string.Concat(Hostile) + "abc xyz:#-'\"\\\n\t";
        var values = Hostile.Concat(Enumerable.Range(0, 2000).Select(_ =>
        {
            var text = new StringBuilder();
            for (var i = random.Next(0, 24); i > 0; i--)
                text.Append(alphabet[random.Next(alphabet.Length)]);
            return text.ToString();
        })).Where(v => !v.Any(char.IsSurrogate) || v.EnumerateRunes().All(r => r != Rune.ReplacementChar)).ToList();

        foreach (var value in values)
        {
            // When it is written as a field, nested and flat, and as a list item, and the YAML is read
            var yaml = new YamlWriter().Comment("a comment\nover two lines").Field("value", value).Map("nested", m => m.Field("value", value))
                .Field("list", [value, "x"]).ToString();
            var map = YamlMap.Parse("task.yaml", yaml, ["value", "nested", "list"]);

            // Then every place gives the string back unchanged
            map.RequiredString("value").ShouldBe(value, $"written as:\n{yaml}");
            map.OptionalMap("nested", ["value"])!.RequiredString("value").ShouldBe(value, $"written as:\n{yaml}");
            map.StringList("list").ShouldBe([value, "x"], $"written as:\n{yaml}");
        }
    }

    [Fact]
    public void Readable_text_is_written_as_a_literal_block_and_plain_words_unquoted()
    {
        // Given an instruction over several lines and plain identifiers
        var yaml = new YamlWriter().Field("id", "gen-add").Field("tags", ["python", "math"]).Field("instruction", "Write add(a, b).\n\nReturn the sum.\n").ToString();

        // Then the YAML is what a person would write
        yaml.ShouldBe("id: gen-add\ntags: [python, math]\ninstruction: |\n  Write add(a, b).\n\n  Return the sum.\n");
    }
}
