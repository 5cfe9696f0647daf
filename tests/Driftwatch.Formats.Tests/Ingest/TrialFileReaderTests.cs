using System.Text;
using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Formats.Ingest;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Ingest;

public sealed class TrialFileReaderTests : IDisposable
{
    private const string KnownFields = "date, agent, suite, task, trial, outcome, run, category, tests_passed, tests_total, " +
        "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, turns, duration_ms, agent_version, model, error";

    private static readonly IngestOptions None = new();

    private readonly TempDirectory _temp = new("generic");

    public void Dispose() => _temp.Dispose();

    private static string Fixtures => Path.Combine(RepositoryPaths.Root, "tests", "Driftwatch.Formats.Tests", "Ingest", "Fixtures", "generic");

    private static string TrialsJsonl => Path.Combine(Fixtures, "trials.jsonl");

    private static string TrialsCsv => Path.Combine(Fixtures, "trials.csv");

    private static IReadOnlyList<IngestedRun> Read(string file, IngestOptions? options = null) =>
        (file.EndsWith(".csv", StringComparison.Ordinal) ? TrialFileReader.Csv : TrialFileReader.JsonLines).Read(file, options ?? None);

    private static string Refusal(string file, IngestOptions? options = null) =>
        Should.Throw<InvalidInputException>(() => Read(file, options)).Message;

    private static IngestedRun RunOf(IReadOnlyList<IngestedRun> runs, string key) => runs.Single(r => r.Key == key);

    private static Trial TrialOf(IngestedRun run, string task, int index = 1) =>
        run.Trials.Single(t => t.Trial.TaskId == task && t.Trial.TrialIndex == index).Trial;

    /// <summary>The run as it would be without its format and its trials' sources: what two encodings of one file share.</summary>
    private static string HashOfContent(IngestedRun run) =>
        (run with { Format = "", Trials = [.. run.Trials.Select(t => t with { Trial = t.Trial with { Source = null } })] }).ContentHash();

    private static DateTimeOffset At(string time) => DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Records_group_into_one_run_per_agent_suite_and_date_keyed_by_them()
    {
        // When the fixture of two agents over two days is read
        var runs = Read(TrialsJsonl);

        // Then each agent × suite × day is a run, ordered by start, then agent
        runs.Select(r => r.Key).ShouldBe(["claude-code/mini/2026-11-02", "codex/mini/2026-11-02", "claude-code/mini/2026-11-03"]);
        runs.Select(r => r.Trials.Count).ShouldBe([3, 2, 2]);
        runs.ShouldAllBe(r => r.Format == "jsonl" && r.Path == TrialsJsonl && r.Suite == "mini" && !r.TotalsOnly);
        runs[1].Agent.ShouldBe("codex");
        // and a run starts at its day and ends when its longest trial does
        runs[1].StartedAt.ShouldBe(At("2026-11-02T00:00:00Z"));
        runs[1].FinishedAt.ShouldBe(At("2026-11-02T00:10:00Z"));
    }

    [Fact]
    public void Jsonl_and_csv_of_the_same_trials_are_the_same_runs_each_trial_naming_its_own_record()
    {
        // Given the same seven trials as JSON Lines and as CSV
        var fromJsonl = Read(TrialsJsonl);
        var fromCsv = Read(TrialsCsv);

        // Then the runs have the same keys, family and content hash (one run when both are ingested)
        fromCsv.Select(r => r.Key).ShouldBe(fromJsonl.Select(r => r.Key));
        fromCsv.Select(HashOfContent).ShouldBe(fromJsonl.Select(HashOfContent));
        fromCsv.Select(r => r.ContentHash()).ShouldBe(fromJsonl.Select(r => r.ContentHash()));
        fromCsv.ShouldAllBe(r => r.Format == "csv" && r.Family == "trials");
        // while each trial names the record it was read from
        fromCsv[0].Trials.Select(t => t.Trial.Source).ShouldBe(["trials.csv:2", "trials.csv:3", "trials.csv:4"]);
        fromJsonl[0].Trials.Select(t => t.Trial.Source).ShouldNotBe(fromCsv[0].Trials.Select(t => t.Trial.Source));
    }

    [Fact]
    public void Reading_a_copy_elsewhere_or_under_another_name_gives_the_same_key_and_content_hash()
    {
        var copy = _temp.Write("trials.csv", File.ReadAllText(TrialsCsv));
        var renamed = _temp.Write("nightly-export.csv", File.ReadAllText(TrialsCsv));

        Read(copy).Select(r => (r.Key, r.ContentHash())).ShouldBe(Read(TrialsCsv).Select(r => (r.Key, r.ContentHash())));
        Read(renamed).Select(r => (r.Key, r.ContentHash())).ShouldBe(Read(TrialsCsv).Select(r => (r.Key, r.ContentHash())));
    }

    [Fact]
    public void Each_field_becomes_the_trials_value()
    {
        var run = RunOf(Read(TrialsJsonl), "claude-code/mini/2026-11-02");

        var trial = TrialOf(run, "fizzbuzz");
        trial.Outcome.ShouldBe(TrialOutcome.Pass);
        trial.Category.ShouldBe(TaskCategory.Generation);
        (trial.TestsPassed, trial.TestsTotal).ShouldBe((5, 5));
        trial.Usage.ShouldBe(new AgentUsage { InputTokens = 1200, OutputTokens = 340, CacheReadTokens = 8000, CostUsd = 0.0123m, Turns = 3 });
        trial.DurationMs.ShouldBe(41_000);
        trial.AgentDurationMs.ShouldBe(41_000);
        trial.StartedAt.ShouldBe(At("2026-11-02T00:00:00Z"));
        trial.FinishedAt.ShouldBe(At("2026-11-02T00:00:41Z"));
        trial.Model.ShouldBe("claude-sonnet-4-5");
        trial.AgentVersion.ShouldBe("2.0.76");
        trial.ErrorKind.ShouldBeNull();
        trial.Source.ShouldBe("trials.jsonl:1");
        (TrialOf(run, "parse-log").TestsPassed, TrialOf(run, "parse-log").TestsTotal).ShouldBe((2, 4));
    }

    [Fact]
    public void An_error_keeps_its_message_and_a_trial_without_test_counts_counts_one_test()
    {
        var run = RunOf(Read(TrialsCsv), "codex/mini/2026-11-02");

        var error = TrialOf(run, "fizzbuzz");
        error.Outcome.ShouldBe(TrialOutcome.Error);
        error.ErrorKind.ShouldBe("ingested");
        error.ErrorMessage.ShouldBe("sandbox killed: \"out of memory\", exit 137");
        (error.TestsPassed, error.TestsTotal).ShouldBe((0, 1));
        error.Usage.ShouldBe(AgentUsage.None);
        TrialOf(run, "parse-log").Outcome.ShouldBe(TrialOutcome.Timeout);
        TrialOf(run, "parse-log").Category.ShouldBe(TaskCategory.Debugging);
    }

    [Fact]
    public void A_run_field_groups_trials_of_several_days_into_one_run()
    {
        // Given one nightly run that went past midnight, and a record of the same agent without a run
        var file = _temp.Write("nightly.jsonl", """
            {"date": "2026-11-02T23:50:00Z", "agent": "a", "suite": "s", "task": "t1", "outcome": "pass", "run": "nightly-7"}
            {"date": "2026-11-03T00:20:00Z", "agent": "a", "suite": "s", "task": "t2", "outcome": "fail", "run": "nightly-7"}
            {"date": "2026-11-03T06:00:00Z", "agent": "a", "suite": "s", "task": "t1", "outcome": "pass"}
            """);

        var runs = Read(file);

        // Then the run field is the run's key, and the other record is a run of its own day
        runs.Select(r => r.Key).ShouldBe(["a/s/nightly-7", "a/s/2026-11-03"]);
        runs[0].Trials.Select(t => t.Trial.TaskId).ShouldBe(["t1", "t2"]);
        runs[0].StartedAt.ShouldBe(At("2026-11-02T23:50:00Z"));
        runs[0].FinishedAt.ShouldBe(At("2026-11-03T00:20:00Z"));
    }

    [Fact]
    public void Two_suites_of_one_agent_on_one_day_are_two_runs()
    {
        var file = _temp.Write("suites.csv", """
            date,agent,suite,task,outcome
            2026-11-02,a,small,t1,pass
            2026-11-02,a,large,t1,pass
            """);

        Read(file).Select(r => r.Key).ShouldBe(["a/large/2026-11-02", "a/small/2026-11-02"]);
    }

    [Fact]
    public void Repeats_of_a_task_without_a_trial_number_are_numbered_1_2_in_file_order_within_their_run()
    {
        var runs = Read(TrialsJsonl);

        RunOf(runs, "claude-code/mini/2026-11-02").Trials.Select(t => t.Trial.Key.ToString()).ShouldBe(["fizzbuzz#1", "parse-log#1", "fizzbuzz#2"]);
        TrialOf(RunOf(runs, "claude-code/mini/2026-11-02"), "fizzbuzz", 2).Source.ShouldBe("trials.jsonl:3");
        // a new run numbers its trials from 1 again
        RunOf(runs, "claude-code/mini/2026-11-03").Trials.Select(t => t.Trial.Key.ToString()).ShouldBe(["fizzbuzz#1", "parse-log#1"]);
    }

    [Fact]
    public void An_explicit_trial_number_is_kept_and_a_later_implicit_one_follows_the_highest()
    {
        var file = _temp.Write("numbered.csv", """
            date,agent,suite,task,trial,outcome
            2026-11-02,a,s,t1,3,pass
            2026-11-02,a,s,t1,1,fail
            2026-11-02,a,s,t1,,pass
            2026-11-02,a,s,t2,,pass
            """);

        Read(file).ShouldHaveSingleItem().Trials.Select(t => t.Trial.Key.ToString()).ShouldBe(["t1#3", "t1#1", "t1#4", "t2#1"]);
    }

    [Fact]
    public void Agent_and_suite_options_name_runs_of_a_file_without_them_and_override_a_file_with_them()
    {
        // Given a file without agent and suite
        var bare = _temp.Write("bare.jsonl", """{"date": "2026-11-02", "task": "t1", "outcome": "pass"}""");

        // Then the options name its run
        Read(bare, new IngestOptions(Agent: "claude-code", Suite: "mini")).ShouldHaveSingleItem().Key.ShouldBe("claude-code/mini/2026-11-02");
        // and override what a file says, so both agents of the fixture are one run a day
        var runs = Read(TrialsJsonl, new IngestOptions(Agent: "everyone", Suite: "all"));
        runs.Select(r => r.Key).ShouldBe(["everyone/all/2026-11-02", "everyone/all/2026-11-03"]);
        runs.ShouldAllBe(r => r.Agent == "everyone" && r.Suite == "all");
        runs[0].Trials.Select(t => t.Trial.Key.ToString()).ShouldBe(["fizzbuzz#1", "parse-log#1", "fizzbuzz#2", "fizzbuzz#3", "parse-log#2"]);
    }

    [Fact]
    public void Without_agent_or_suite_in_the_record_or_the_options_the_message_says_which_to_pass()
    {
        var bare = _temp.Write("bare.jsonl", """{"date": "2026-11-02", "task": "t1", "outcome": "pass"}""");

        Refusal(bare, new IngestOptions(Suite: "mini")).ShouldBe($"{bare}:1: agent: missing (or pass --agent)");
        Refusal(bare, new IngestOptions(Agent: "claude-code")).ShouldBe($"{bare}:1: suite: missing (or pass --suite)");
    }

    [Fact]
    public void Csv_quoting_keeps_commas_doubled_quotes_and_newlines_and_later_records_keep_their_line_numbers()
    {
        // Given an error message over three lines (with a comma and a quoted word) followed by two records
        var file = _temp.Write("quoted.csv", """
            date,agent,suite,task,outcome,error
            2026-11-02,a,s,t1,error,"first line, with a comma
            a ""quoted"" word
            last line"
            2026-11-02,a,s,t2,pass,
            "2026-11-02","a","s","t3","fail",""
            """);

        var run = Read(file).ShouldHaveSingleItem();

        TrialOf(run, "t1").ErrorMessage.ShouldBe("first line, with a comma\na \"quoted\" word\nlast line");
        run.Trials.Select(t => t.Trial.Source).ShouldBe(["quoted.csv:2", "quoted.csv:5", "quoted.csv:6"]);
        // a quoted empty field is no value
        TrialOf(run, "t3").ErrorMessage.ShouldBeNull();
    }

    [Fact]
    public void After_a_quoted_newline_bad_input_names_the_line_the_record_starts_on()
    {
        var file = _temp.Write("quoted.csv", """
            date,agent,suite,task,outcome,error
            2026-11-02,a,s,t1,error,"two
            lines"
            2026-11-02,a,s,t2,passed,
            """);

        Refusal(file).ShouldBe($"{file}:4: outcome: expected pass, fail, timeout or error, found 'passed'");
    }

    [Fact]
    public void Crlf_files_read_as_lf_files_do()
    {
        var jsonl = _temp.Write(Path.Combine("crlf", "trials.jsonl"), File.ReadAllText(TrialsJsonl).Replace("\n", "\r\n"));
        var csv = _temp.Write(Path.Combine("crlf", "trials.csv"), File.ReadAllText(TrialsCsv).Replace("\n", "\r\n"));

        Read(jsonl).Select(r => r.ContentHash()).ShouldBe(Read(TrialsJsonl).Select(r => r.ContentHash()));
        Read(csv).Select(r => r.ContentHash()).ShouldBe(Read(TrialsCsv).Select(r => r.ContentHash()));
        // and the last field of a CRLF row carries no carriage return
        TrialOf(RunOf(Read(csv), "codex/mini/2026-11-02"), "fizzbuzz").ErrorMessage.ShouldBe("sandbox killed: \"out of memory\", exit 137");
    }

    [Fact]
    public void A_csv_written_with_a_byte_order_mark_reads_its_first_column()
    {
        var file = _temp.Combine("excel.csv");
        File.WriteAllText(file, "date,agent,suite,task,outcome\n2026-11-02,a,s,t1,pass\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Read(file).ShouldHaveSingleItem().Key.ShouldBe("a/s/2026-11-02");
    }

    [Fact]
    public void A_date_and_time_with_an_offset_is_read_as_utc_and_its_utc_day_is_the_run()
    {
        // 23:30 at UTC-2 is 01:30 UTC the next day
        var file = _temp.Write("offset.jsonl", """
            {"date": "2026-11-02T23:30:00-02:00", "agent": "a", "suite": "s", "task": "t1", "outcome": "pass", "duration_ms": 1500}
            {"date": "2026-11-03T09:15:30.250+05:30", "agent": "a", "suite": "s", "task": "t2", "outcome": "pass"}
            {"date": "2026-11-03T12:00:00", "agent": "a", "suite": "s", "task": "t3", "outcome": "pass"}
            {"date": "2026-11-03 18:00Z", "agent": "a", "suite": "s", "task": "t4", "outcome": "pass"}
            """);

        var run = Read(file).ShouldHaveSingleItem();

        run.Key.ShouldBe("a/s/2026-11-03");
        TrialOf(run, "t1").StartedAt.ShouldBe(At("2026-11-03T01:30:00Z"));
        TrialOf(run, "t1").StartedAt.Offset.ShouldBe(TimeSpan.Zero);
        TrialOf(run, "t1").FinishedAt.ShouldBe(At("2026-11-03T01:30:01.5Z"));
        TrialOf(run, "t2").StartedAt.ShouldBe(At("2026-11-03T03:45:30.25Z"));
        // a time without an offset is taken as UTC
        TrialOf(run, "t3").StartedAt.ShouldBe(At("2026-11-03T12:00:00Z"));
        // and a space may stand for the T, as RFC 3339 allows
        TrialOf(run, "t4").StartedAt.ShouldBe(At("2026-11-03T18:00:00Z"));
        run.StartedAt.ShouldBe(At("2026-11-03T01:30:00Z"));
    }

    [Fact]
    public void A_misspelt_column_is_an_unknown_field_named_at_the_header()
    {
        var file = _temp.Write("misspelt.csv", """
            date,agent,suite,task,outcome,tests_pased
            2026-11-02,a,s,t1,pass,3
            """);
        var headerOnly = _temp.Write("header-only.csv", "date,agent,suite,task,outcome,tests_pased\n");

        Refusal(file).ShouldBe($"{file}:1: tests_pased: unknown field (the fields are: {KnownFields})");
        // even before any record
        Refusal(headerOnly).ShouldBe($"{headerOnly}:1: tests_pased: unknown field (the fields are: {KnownFields})");
    }

    [Fact]
    public void A_misspelt_key_is_an_unknown_field_named_at_its_line()
    {
        var file = _temp.Write("misspelt.jsonl", """
            {"date": "2026-11-02", "agent": "a", "suite": "s", "task": "t1", "outcome": "pass"}
            {"date": "2026-11-02", "agent": "a", "suite": "s", "task": "t2", "outcome": "pass", "cost": 0.01}
            """);

        Refusal(file).ShouldBe($"{file}:2: cost: unknown field (the fields are: {KnownFields})");
    }

    [Fact]
    public void A_record_without_an_outcome_is_bad_input()
    {
        var file = _temp.Write("no-outcome.csv", """
            date,agent,suite,task,outcome
            2026-11-02,a,s,t1,pass
            2026-11-02,a,s,t2,
            """);

        Refusal(file).ShouldBe($"{file}:3: outcome: missing");
    }

    [Fact]
    public void An_outcome_other_than_pass_fail_timeout_or_error_is_bad_input()
    {
        var file = _temp.Write("passed.jsonl", """{"date": "2026-11-02", "agent": "a", "suite": "s", "task": "t1", "outcome": "passed"}""");

        Refusal(file).ShouldBe($"{file}:1: outcome: expected pass, fail, timeout or error, found 'passed'");
    }

    [Theory]
    [InlineData("2026-13-02")]
    [InlineData("02/11/2026")]
    [InlineData("11/02/2026")]
    [InlineData("Nov 2, 2026")]
    [InlineData("2026-11-02T25:00:00Z")]
    [InlineData("yesterday")]
    public void A_date_that_is_not_an_iso_date_is_bad_input(string date)
    {
        var file = _temp.Write("dates.csv", $"""
            date,agent,suite,task,outcome
            2026-11-02,a,s,t1,pass
            "{date}",a,s,t2,pass
            """);

        Refusal(file).ShouldBe($"{file}:3: date: expected a date (2026-11-02) or an ISO 8601 date and time, found '{date}'");
    }

    [Fact]
    public void More_tests_passed_than_there_are_is_bad_input()
    {
        var file = _temp.Write("tests.jsonl", """{"date": "2026-11-02", "agent": "a", "suite": "s", "task": "t1", "outcome": "pass", "tests_passed": 5, "tests_total": 4}""");

        Refusal(file).ShouldBe($"{file}:1: tests_passed: 5 passed of 4");
    }

    [Fact]
    public void Tests_passed_without_tests_total_or_the_other_way_round_is_bad_input()
    {
        var onlyPassed = _temp.Write("passed.csv", "date,agent,suite,task,outcome,tests_passed,tests_total\n2026-11-02,a,s,t1,pass,3,\n");
        var onlyTotal = _temp.Write("total.csv", "date,agent,suite,task,outcome,tests_passed,tests_total\n2026-11-02,a,s,t1,pass,,3\n");

        Refusal(onlyPassed).ShouldBe($"{onlyPassed}:2: tests_total: tests_passed and tests_total go together");
        Refusal(onlyTotal).ShouldBe($"{onlyTotal}:2: tests_passed: tests_passed and tests_total go together");
    }

    [Fact]
    public void A_negative_token_count_is_bad_input()
    {
        var file = _temp.Write("tokens.jsonl", """{"date": "2026-11-02", "agent": "a", "suite": "s", "task": "t1", "outcome": "pass", "output_tokens": -40}""");

        Refusal(file).ShouldBe($"{file}:1: output_tokens: expected a whole number ≥ 0, found '-40'");
    }

    [Fact]
    public void A_value_that_is_neither_a_string_nor_a_number_is_bad_input()
    {
        var file = _temp.Write("bool.jsonl", """{"date": "2026-11-02", "agent": "a", "suite": "s", "task": "t1", "outcome": true}""");

        Refusal(file).ShouldBe($"{file}:1: outcome: expected a string or a number, found true");
    }

    [Fact]
    public void The_same_task_and_trial_twice_in_one_run_is_bad_input_naming_both_lines()
    {
        var file = _temp.Write("twice.jsonl", """
            {"date": "2026-11-02", "agent": "a", "suite": "s", "task": "t1", "trial": 2, "outcome": "pass"}
            {"date": "2026-11-02", "agent": "b", "suite": "s", "task": "t1", "trial": 2, "outcome": "pass"}
            {"date": "2026-11-02", "agent": "a", "suite": "s", "task": "t1", "trial": 2, "outcome": "fail"}
            """);

        Refusal(file).ShouldBe($"{file}:3: trial: task 't1' trial 2 of run 'a/s/2026-11-02' is already on line 1");
    }

    [Fact]
    public void An_explicit_trial_number_already_taken_by_an_implicit_one_is_bad_input()
    {
        var file = _temp.Write("taken.csv", """
            date,agent,suite,task,trial,outcome
            2026-11-02,a,s,t1,,pass
            2026-11-02,a,s,t1,1,fail
            """);

        Refusal(file).ShouldBe($"{file}:3: trial: task 't1' trial 1 of run 'a/s/2026-11-02' is already on line 2");
    }

    [Fact]
    public void A_csv_row_with_the_wrong_number_of_fields_is_bad_input()
    {
        var file = _temp.Write("short.csv", """
            date,agent,suite,task,outcome
            2026-11-02,a,s,t1,pass
            2026-11-02,a,s,pass
            """);

        Refusal(file).ShouldBe($"{file}:3: 4 fields, the header has 5");
    }

    [Fact]
    public void A_csv_cut_short_inside_a_quoted_field_is_bad_input_naming_the_line_the_field_starts_on()
    {
        var whole = File.ReadAllText(TrialsCsv);
        var file = _temp.Write("trials.csv", whole[..(whole.IndexOf("out of memory", StringComparison.Ordinal))]);

        Refusal(file).ShouldBe($"{file}:5: a quoted field is never closed (the file is cut short?)");
    }

    [Fact]
    public void A_json_line_cut_short_is_bad_input_naming_its_line()
    {
        var whole = File.ReadAllText(TrialsJsonl);
        var file = _temp.Write("trials.jsonl", whole[..whole.IndexOf("\"out of memory", StringComparison.Ordinal)]);

        Refusal(file).ShouldBe($"{file}:4: not a JSON object (Expected end of string, but instead reached end of data)");
    }

    [Fact]
    public void A_json_line_that_is_an_array_is_bad_input()
    {
        var file = _temp.Write("array.jsonl", """
            {"date": "2026-11-02", "agent": "a", "suite": "s", "task": "t1", "outcome": "pass"}
            ["2026-11-02", "a", "s", "t2", "pass"]
            """);

        Refusal(file).ShouldBe($"{file}:2: each line must be one JSON object");
    }

    [Theory]
    [InlineData("empty.jsonl", "")]
    [InlineData("blank.jsonl", "\n\n")]
    [InlineData("empty.csv", "")]
    [InlineData("header-only.csv", "date,agent,suite,task,outcome\n")]
    public void A_file_without_trials_is_bad_input(string name, string content)
    {
        var file = _temp.Write(name, content);

        Refusal(file).ShouldBe($"{file}: no trials in it");
    }

    [Fact]
    public void A_file_that_is_not_utf8_is_bad_input()
    {
        // "café" in Latin-1: the é is a lone 0xE9
        var file = _temp.Combine("latin1.csv");
        File.WriteAllBytes(file, [.. Encoding.ASCII.GetBytes("date,agent,suite,task,outcome\n2026-11-02,a,s,caf"), 0xE9, .. Encoding.ASCII.GetBytes(",pass\n")]);

        Refusal(file).ShouldBe($"{file}: not UTF-8 text");
    }
}
