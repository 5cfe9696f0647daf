using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Driftwatch.Web.Exports;
using Shouldly;

namespace Driftwatch.Web.Tests.Exports;

public sealed partial class ExportFormatTests
{
    [Theory]
    [InlineData("json", "sample.json")]
    [InlineData("csv", "sample.csv")]
    [InlineData("junit", "sample.junit.xml")]
    [InlineData("markdown", "sample.md")]
    [InlineData("openmetrics", "sample.openmetrics.txt")]
    public void Each_format_writes_the_golden_file(string format, string golden)
    {
        // Given the hand-built sample
        // When it is exported
        var actual = Exporters.Write(Exporters.Find(format), ExportSample.Data);

        // Then the text is exactly the golden file (kept as written, line ends included)
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", golden));
        if (actual != expected)
        {
            var dump = Path.Combine(AppContext.BaseDirectory, "TestResults", "golden-actual", golden);
            Directory.CreateDirectory(Path.GetDirectoryName(dump)!);
            File.WriteAllText(dump, actual);
        }
        actual.ShouldBe(expected);
    }

    [Fact]
    public void Junit_parses_and_counts_failures_and_errors_apart()
    {
        var xml = XDocument.Parse(Exporters.Write(new JUnitExporter(), ExportSample.Data));

        var suite = xml.Root!.Element("testsuite")!;
        xml.Root.Name.LocalName.ShouldBe("testsuites");
        suite.Attribute("tests")!.Value.ShouldBe("4");
        suite.Attribute("failures")!.Value.ShouldBe("2");
        suite.Attribute("errors")!.Value.ShouldBe("1");
        suite.Elements("testcase").Count().ShouldBe(4);
        suite.Elements("testcase").Single(t => t.Attribute("name")!.Value == "gen-d#0").Element("error")!.Attribute("message")!.Value.ShouldBe("overloaded <retry later>");
        suite.Elements("testcase").Single(t => t.Attribute("name")!.Value == "gen-c#0").Element("failure")!.Attribute("type")!.Value.ShouldBe("timeout");
    }

    [Fact]
    public void Openmetrics_has_a_type_for_every_family_prefixed_samples_and_ends_with_eof()
    {
        var text = Exporters.Write(new OpenMetricsExporter(), ExportSample.Data);

        text.ShouldEndWith("# EOF\n");
        var lines = text.TrimEnd('\n').Split('\n');
        lines.Count(l => l == "# EOF").ShouldBe(1);
        var typed = lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet();
        foreach (var sample in lines.Where(l => !l.StartsWith('#')))
        {
            var match = SampleLine().Match(sample);
            match.Success.ShouldBeTrue(sample);
            typed.ShouldContain(match.Groups["name"].Value);
        }
        typed.ShouldBeSubsetOf(["driftwatch_pass_rate", "driftwatch_pass_rate_low", "driftwatch_pass_rate_high", "driftwatch_run_trials",
            "driftwatch_run_cost_usd", "driftwatch_run_tokens", "driftwatch_run_duration_seconds", "driftwatch_run_start_time_seconds",
            "driftwatch_baseline_pass_rate", "driftwatch_verdict"]);
        // The verdict is a state set with exactly one state on.
        lines.Where(l => l.StartsWith("driftwatch_verdict{", StringComparison.Ordinal)).Count(l => l.EndsWith(" 1", StringComparison.Ordinal)).ShouldBe(1);
    }

    [GeneratedRegex("""^(?<name>driftwatch_[a-z_]+)\{agent="[^"]*",suite="[^"]*"(,[a-z_]+="[^"]*")*\} -?[0-9.eE+-]+$""")]
    private static partial Regex SampleLine();

    [Fact]
    public void Csv_quotes_fields_with_commas_and_quotes_and_reads_back_to_the_same_values()
    {
        var text = Exporters.Write(new CsvExporter(), ExportSample.Data);

        var rows = ReadCsv(text);
        rows.Count.ShouldBe(5);
        rows.ShouldAllBe(r => r.Count == rows[0].Count);
        var version = rows[0].IndexOf("agent_version");
        rows[1][version].ShouldBe("2.1.0 (Claude Code, \"beta\")");
        text.ShouldContain("\"2.1.0 (Claude Code, \"\"beta\"\")\"");
        rows[2][rows[0].IndexOf("flip")].ShouldBe("broke");
        text.Split("\r\n").Length.ShouldBe(6);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    public void Csv_fields_are_quoted_only_when_needed(string value, string field) =>
        CsvExporter.Field(value).ShouldBe(field);

    [Fact]
    public void Json_has_the_run_shape_of_show_json_and_the_verdict_shape_of_check_json()
    {
        using var json = JsonDocument.Parse(Exporters.Write(new JsonExporter(), ExportSample.Data));

        var run = json.RootElement.GetProperty("runs")[0];
        foreach (var field in new[] { "id", "agent", "suite", "status", "startedAt", "finishedAt", "trials", "summary" })
            run.TryGetProperty(field, out _).ShouldBeTrue(field);
        run.GetProperty("summary").GetProperty("passRate").GetDouble().ShouldBe(1.0 / 3, 1e-12);
        var verdict = json.RootElement.GetProperty("verdicts")[0];
        foreach (var field in new[] { "agent", "suite", "verdict", "detector", "effect", "low", "high", "changeDay", "flippedTasks", "fingerprintChanges" })
            verdict.TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Fact]
    public void Markdown_escapes_pipes_in_table_cells() =>
        MarkdownExporter.Cell("a|b\nc").ShouldBe("a\\|b c");

    [Fact]
    public void An_unknown_format_is_bad_input_naming_the_option() =>
        Should.Throw<Core.InvalidInputException>(() => Exporters.Find("xml")).Message.ShouldStartWith("--format: unknown format 'xml'");

    /// <summary>A small RFC 4180 reader, to prove the writer's quoting round-trips.</summary>
    private static List<List<string>> ReadCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add(row); row = []; i++; }
            else field.Append(c);
        }
        return rows;
    }
}
