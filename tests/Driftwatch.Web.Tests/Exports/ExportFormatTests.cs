using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Driftwatch.Core.Metrics;
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
        suite.Attribute("tests")!.Value.ShouldBe("5");
        suite.Attribute("failures")!.Value.ShouldBe("2");
        suite.Attribute("errors")!.Value.ShouldBe("2");
        suite.Elements("testcase").Count().ShouldBe(5);
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
        var counters = lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal) && l.EndsWith(" counter", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet();
        foreach (var sample in lines.Where(l => !l.StartsWith('#')))
        {
            var match = SampleLine().Match(sample);
            match.Success.ShouldBeTrue(sample);
            var name = match.Groups["name"].Value;
            // A counter's samples are its family name with "_total" (OpenMetrics 1.0); no other family's are.
            if (name.EndsWith("_total", StringComparison.Ordinal) && counters.Contains(name[..^"_total".Length]))
                name = name[..^"_total".Length];
            else
                counters.ShouldNotContain(name);
            typed.ShouldContain(name);
        }
        typed.ShouldBeSubsetOf(["driftwatch_pass_rate", "driftwatch_pass_rate_low", "driftwatch_pass_rate_high", "driftwatch_run_trials",
            "driftwatch_run_cost_usd", "driftwatch_run_tokens", "driftwatch_run_duration_seconds", "driftwatch_run_start_time_seconds",
            "driftwatch_run_flagged_trials", "driftwatch_flagged_trials", "driftwatch_baseline_pass_rate", "driftwatch_verdict"]);
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
        rows.Count.ShouldBe(6);
        rows.ShouldAllBe(r => r.Count == rows[0].Count);
        var version = rows[0].IndexOf("agent_version");
        rows[1][version].ShouldBe("2.1.0 (Claude Code, \"beta\")");
        text.ShouldContain("\"2.1.0 (Claude Code, \"\"beta\"\")\"");
        rows[2][rows[0].IndexOf("flip")].ShouldBe("broke");
        text.Split("\r\n").Length.ShouldBe(7);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    public void Csv_fields_are_quoted_only_when_needed(string value, string field) =>
        CsvExporter.Field(value).ShouldBe(field);

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")]
    [InlineData("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1:A2)", "'@SUM(A1:A2)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("claude-sonnet-4-5", "claude-sonnet-4-5")]
    public void Csv_text_that_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(string value, string field) =>
        CsvExporter.Text(value).ShouldBe(field);

    [Fact]
    public void Csv_numbers_are_written_as_numbers_and_an_agent_s_formula_as_text()
    {
        // Given a trial whose agent reported a model name that is a spreadsheet formula
        var text = Exporters.Write(new CsvExporter(), ExportSample.WithModel("=1+1"));

        // When it is read back, the model is text, the numbers are numbers
        var rows = ReadCsv(text);
        rows[1][rows[0].IndexOf("model")].ShouldBe("'=1+1");
        rows[1][rows[0].IndexOf("tests_passed")].ShouldBe("4");
    }

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
    public void Csv_adds_the_flags_and_served_models_after_every_earlier_column()
    {
        // Given the sample, whose pass was served by a fallback model and whose gen-e passed with a suspect change
        // When it is written as CSV
        var rows = ReadCsv(Exporters.Write(new CsvExporter(), ExportSample.Data));

        // Then the earlier columns keep their places, and flags and served models come after them
        rows[0].Take(24).ShouldBe(["run", "agent", "suite", "suite_revision", "run_started_at", "task", "trial", "category", "language", "outcome",
            "tests_passed", "tests_total", "duration_ms", "input_tokens", "output_tokens", "cost_usd", "agent_version", "model",
            "stop_reason", "error_kind", "attempts", "flip", "flags", "served_models"]);
        var byTask = rows.Skip(1).ToDictionary(r => r[5], r => (Flags: r[22], Served: r[23], ErrorKind: r[19]));
        byTask["gen-a"].ShouldBe((ExportSample.Fallback, "claude-sonnet-4-5", ""));
        byTask["gen-e"].ShouldBe((ExportSample.Suspect, "claude-sonnet-4-5", "suspect"));
        byTask["gen-c"].ShouldBe(("", "", ""));
    }

    [Fact]
    public void Csv_has_a_metric_column_per_catalog_metric_after_every_earlier_column_with_each_trials_value()
    {
        // Given the sample, whose trials were measured by the catalog (gen-d's agent reported no tokens)
        // When it is written as CSV
        var rows = ReadCsv(Exporters.Write(new CsvExporter(), ExportSample.Data));

        // Then after the 24 earlier columns comes metric_<name> for each catalog metric, in catalog order
        rows[0].Skip(24).ShouldBe(TrialMetrics.All.Select(m => "metric_" + m.Name));
        var duration = rows[0].IndexOf("metric_durationMs");
        var tokens = rows[0].IndexOf("metric_outputTokens");
        var byTask = rows.Skip(1).ToDictionary(r => r[5]);
        byTask["gen-a"][duration].ShouldBe("1200");
        byTask["gen-a"][tokens].ShouldBe("250");
        byTask["gen-d"][tokens].ShouldBe("");
    }

    [Fact]
    public void Json_trials_have_a_metrics_object_with_every_catalog_metric_and_null_for_those_a_trial_lacks()
    {
        // Given the sample, whose trials were measured by the catalog (gen-d's agent reported no tokens)
        // When it is written as JSON
        using var json = JsonDocument.Parse(Exporters.Write(new JsonExporter(), ExportSample.Data));

        // Then each trial's metrics object names every catalog metric, in catalog order, with its value or null
        var trials = json.RootElement.GetProperty("runs")[0].GetProperty("trials").EnumerateArray()
            .ToDictionary(t => t.GetProperty("task").GetString()!, t => t.GetProperty("metrics"));
        trials.Values.ShouldAllBe(m => m.EnumerateObject().Select(p => p.Name).SequenceEqual(TrialMetrics.All.Select(c => c.Name)));
        trials["gen-a"].GetProperty("durationMs").GetDouble().ShouldBe(1200);
        trials["gen-a"].GetProperty("outputTokens").GetDouble().ShouldBe(250);
        trials["gen-d"].GetProperty("outputTokens").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void Junit_carries_each_trials_flags_as_testcase_properties_and_the_runs_flagged_counts()
    {
        // Given the sample with one suspect, one fallback and one refused trial
        // When it is written as JUnit XML
        var suite = XDocument.Parse(Exporters.Write(new JUnitExporter(), ExportSample.Data)).Root!.Element("testsuite")!;

        // Then the run counts each kind, and each flagged testcase lists its flags and who served it
        var properties = suite.Element("properties")!.Elements("property").ToDictionary(p => p.Attribute("name")!.Value, p => p.Attribute("value")!.Value);
        (properties["suspectTrials"], properties["fallbackTrials"], properties["refusedTrials"]).ShouldBe(("1", "1", "1"));
        var suspect = suite.Elements("testcase").Single(t => t.Attribute("name")!.Value == "gen-e#0");
        suspect.Element("properties")!.Elements("property").Select(p => (p.Attribute("name")!.Value, p.Attribute("value")!.Value))
            .ShouldBe([("flag", ExportSample.Suspect), ("servedModel", "claude-sonnet-4-5")]);
        suspect.Element("error")!.Attribute("type")!.Value.ShouldBe("suspect");
        suite.Elements("testcase").Single(t => t.Attribute("name")!.Value == "gen-c#0").Element("properties").ShouldBeNull();
    }

    [Fact]
    public void Markdown_has_a_note_per_flagged_trial_saying_what_each_flag_means()
    {
        // Given the sample with three flagged trials
        // When it is written as Markdown
        var lines = Exporters.Write(new MarkdownExporter(), ExportSample.Data).Split('\n');

        // Then the run says how many of each kind, and each flagged trial has its own line
        lines.ShouldContain("⚠️ **Flagged trials**: 1 suspect, 1 served by a fallback model, 1 refused.");
        var notes = lines.Where(l => l.StartsWith("- `gen-", StringComparison.Ordinal)).ToList();
        notes.Count.ShouldBe(3);
        notes.ShouldContain(l => l.StartsWith("- `gen-e#0` error (suspect) · `" + ExportSample.Suspect + "`: the change touched the test machinery", StringComparison.Ordinal));
        notes.ShouldContain(l => l.StartsWith("- `gen-a#0` pass · `" + ExportSample.Fallback + "`: a model other than the one asked for", StringComparison.Ordinal));
        notes.ShouldContain(l => l.StartsWith("- `gen-b#0` fail · `refusal`: the model refused", StringComparison.Ordinal));
    }

    [Fact]
    public void Openmetrics_has_the_latest_runs_flagged_trials_and_a_counter_of_those_so_far()
    {
        // Given the sample: one of each kind in its run; 3 suspect, 2 fallback and 1 refused over every run so far
        // When it is written as OpenMetrics
        var lines = Exporters.Write(new OpenMetricsExporter(), ExportSample.Data).Split('\n');

        // Then the gauge has the run's counts and the counter (samples ending in _total) the counts so far
        lines.ShouldContain("# TYPE driftwatch_run_flagged_trials gauge");
        lines.ShouldContain("driftwatch_run_flagged_trials{agent=\"claude\",suite=\"core\",flag=\"suspect\"} 1");
        lines.ShouldContain("# TYPE driftwatch_flagged_trials counter");
        lines.ShouldContain("driftwatch_flagged_trials_total{agent=\"claude\",suite=\"core\",flag=\"suspect\"} 3");
        lines.ShouldContain("driftwatch_flagged_trials_total{agent=\"claude\",suite=\"core\",flag=\"fallback\"} 2");
        lines.ShouldContain("driftwatch_flagged_trials_total{agent=\"claude\",suite=\"core\",flag=\"refusal\"} 1");
    }

    [Fact]
    public void Json_runs_count_their_flagged_trials_by_kind()
    {
        using var json = JsonDocument.Parse(Exporters.Write(new JsonExporter(), ExportSample.Data));

        var flagged = json.RootElement.GetProperty("runs")[0].GetProperty("flagged");

        (flagged.GetProperty("suspect").GetInt32(), flagged.GetProperty("fallback").GetInt32(), flagged.GetProperty("refusal").GetInt32()).ShouldBe((1, 1, 1));
    }

    [Fact]
    public void Markdown_shows_a_short_history_as_insufficient_with_its_reason_never_ok()
    {
        var text = Exporters.Write(new MarkdownExporter(), ExportSample.Insufficient);

        text.ShouldContain("⚪ **insufficient** (cusum) · not enough history to judge: 5 day(s) since the last declared change, 8 needed", Case.Sensitive);
        text.ShouldNotContain("**ok**", Case.Sensitive);
        text.ShouldNotContain("🟢", Case.Sensitive);
    }

    [Fact]
    public void Openmetrics_has_an_insufficient_state_set_for_a_short_history_and_keeps_the_other_states()
    {
        var lines = Exporters.Write(new OpenMetricsExporter(), ExportSample.Insufficient).Split('\n');

        lines.ShouldContain("driftwatch_verdict{agent=\"claude\",suite=\"core\",driftwatch_verdict=\"insufficient\"} 1");
        foreach (var other in new[] { "ok", "warning", "degraded", "improved" })
            lines.ShouldContain($"driftwatch_verdict{{agent=\"claude\",suite=\"core\",driftwatch_verdict=\"{other}\"}} 0");
    }

    [Fact]
    public void Junit_says_insufficient_in_the_verdict_property_of_a_short_history()
    {
        var xml = XDocument.Parse(Exporters.Write(new JUnitExporter(), ExportSample.Insufficient));

        var verdict = xml.Root!.Element("testsuite")!.Element("properties")!.Elements("property").Single(p => p.Attribute("name")!.Value == "verdict");
        verdict.Attribute("value")!.Value.ShouldBe("insufficient");
    }

    [Fact]
    public void Json_says_insufficient_for_a_short_history()
    {
        using var json = JsonDocument.Parse(Exporters.Write(new JsonExporter(), ExportSample.Insufficient));

        json.RootElement.GetProperty("verdicts")[0].GetProperty("verdict").GetString().ShouldBe("insufficient");
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
