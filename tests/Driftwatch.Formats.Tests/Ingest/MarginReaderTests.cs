using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Ingest;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Ingest;

public sealed class MarginReaderTests : IDisposable
{
    private static readonly IngestOptions ClaudeCode = new(Agent: "claude-code", Suite: "swe-bench-pro-subset");

    private readonly TempDirectory _temp = new("margin");
    private readonly MarginReader _reader = new();

    public void Dispose() => _temp.Dispose();

    private static string Fixtures => Path.Combine(RepositoryPaths.Root, "tests", "Driftwatch.Formats.Tests", "Ingest", "Fixtures", "margin");

    private static string Fixture(string runFolder) => Path.Combine(Fixtures, runFolder);

    private IngestedRun ReadOne(string path, IngestOptions? options = null) => _reader.Read(path, options ?? ClaudeCode).ShouldHaveSingleItem();

    /// <summary>A run folder of the given name holding the given results.json; returns the file.</summary>
    private string Results(string runFolder, string json) => _temp.Write(Path.Combine(runFolder, "results.json"), json);

    private const string Minimal = """
        { "state": "completed", "total_instances": 10, "status": { "succeeded": { "count": 6 }, "test_failed": { "count": 3 } } }
        """;

    [Fact]
    public void A_folder_of_run_folders_gives_one_totals_only_run_per_folder_keyed_by_its_name()
    {
        // When the fixture folder of three runs is read
        var runs = _reader.Read(Fixtures, ClaudeCode);

        // Then there is a margin run per folder, in name order, each with totals and no trials
        runs.Select(r => r.Key).ShouldBe(["20260116-053115", "run-20260114-053012", "run-20260115-053008"]);
        runs.ShouldAllBe(r => r.Format == "margin" && r.TotalsOnly && r.Trials.Count == 0);
        runs.ShouldAllBe(r => r.Agent == "claude-code" && r.Suite == "swe-bench-pro-subset");
    }

    [Fact]
    public void Succeeded_test_failed_and_infra_failed_become_pass_fail_and_error_and_canceled_is_not_counted()
    {
        var run = ReadOne(Fixture("run-20260114-053012"));

        run.Totals.ShouldBe(new RunTotals(Pass: 27, Fail: 19, Timeout: 0, Error: 3));
        run.Totals!.Total.ShouldBe(49);
        run.Details["margin.total_instances"].ShouldBe("50");
    }

    [Fact]
    public void The_run_starts_at_the_folder_names_time_in_utc_and_lasts_its_runtime()
    {
        var run = ReadOne(Fixture("run-20260114-053012"));

        run.StartedAt.ShouldBe(new DateTimeOffset(2026, 1, 14, 5, 30, 12, TimeSpan.Zero));
        run.DurationMs.ShouldBe(5_412_500);
        run.FinishedAt.ShouldBe(run.StartedAt.AddMilliseconds(5_412_500));
        // and a runtime given as an object's seconds is read the same way
        ReadOne(Fixture("run-20260115-053008")).DurationMs.ShouldBe(5_230_000);
    }

    [Fact]
    public void Usage_is_read_from_the_anthropic_names_and_unknown_keys_are_ignored()
    {
        ReadOne(Fixture("run-20260114-053012")).TotalUsage.ShouldBe(new AgentUsage
        {
            InputTokens = 1_204_331,
            OutputTokens = 412_870,
            CacheReadTokens = 38_120_554,
            CacheWriteTokens = 2_210_087,
            CostUsd = 61.4172m,
        });
        // total_cost_usd is the cost when cost_usd is absent
        ReadOne(Fixture("run-20260115-053008")).TotalUsage!.CostUsd.ShouldBe(58.9033m);
    }

    [Fact]
    public void Completed_and_finished_runs_are_complete_and_a_running_one_is_incomplete()
    {
        ReadOne(Fixture("run-20260114-053012")).Status.ShouldBe(RunStatus.Complete);
        ReadOne(Fixture("run-20260115-053008")).Status.ShouldBe(RunStatus.Complete);

        var running = ReadOne(Fixture("20260116-053115"));
        running.Status.ShouldBe(RunStatus.Incomplete);
        // a folder named by its timestamp alone is read too; without usage or runtime those stay unknown
        running.StartedAt.ShouldBe(new DateTimeOffset(2026, 1, 16, 5, 31, 15, TimeSpan.Zero));
        running.TotalUsage.ShouldBeNull();
        running.DurationMs.ShouldBeNull();
        running.FinishedAt.ShouldBeNull();
        running.Totals.ShouldBe(new RunTotals(11, 6, 0, 0));
    }

    [Fact]
    public void A_run_folder_and_its_results_json_read_as_the_same_run()
    {
        var fromFolder = ReadOne(Fixture("run-20260114-053012"));
        var fromFile = ReadOne(Path.Combine(Fixture("run-20260114-053012"), "results.json"));

        fromFile.Key.ShouldBe("run-20260114-053012");
        fromFile.ContentHash().ShouldBe(fromFolder.ContentHash());
    }

    [Fact]
    public void Reading_twice_or_from_a_copy_gives_the_same_key_and_content_hash()
    {
        // Given a run read twice, and a copy of its folder elsewhere
        var first = ReadOne(Fixture("run-20260114-053012"));
        var again = ReadOne(Fixture("run-20260114-053012"));
        var copyFile = _temp.Write(Path.Combine("elsewhere", "run-20260114-053012", "results.json"),
            File.ReadAllText(Path.Combine(Fixture("run-20260114-053012"), "results.json")));
        var copy = ReadOne(Path.GetDirectoryName(copyFile)!);

        // Then it is the same run with the same content
        again.ContentHash().ShouldBe(first.ContentHash());
        copy.Key.ShouldBe(first.Key);
        copy.Path.ShouldNotBe(first.Path);
        copy.ContentHash().ShouldBe(first.ContentHash());
    }

    [Fact]
    public void Agent_model_and_benchmark_fields_name_the_run_when_no_option_does()
    {
        var file = Results("run-20260201-000000", """
            { "agent": "claude-code", "model": "claude-opus-4-5", "benchmark": "swe-bench-pro",
              "state": "completed", "total_instances": 10, "status": { "succeeded": { "count": 6 }, "test_failed": { "count": 4 } } }
            """);

        var run = ReadOne(file, new IngestOptions());
        run.Agent.ShouldBe("claude-code:claude-opus-4-5");
        run.Suite.ShouldBe("swe-bench-pro");
        run.Models.ShouldBe(["claude-opus-4-5"]);
        // and the options still override them
        ReadOne(file, ClaudeCode).Agent.ShouldBe("claude-code");
    }

    [Fact]
    public void Without_an_agent_or_suite_in_the_file_or_the_options_it_asks_for_them()
    {
        var file = Results("run-20260201-000000", Minimal);

        Should.Throw<InvalidInputException>(() => _reader.Read(file, new IngestOptions(Suite: "s"))).Message.ShouldContain("--agent");
        Should.Throw<InvalidInputException>(() => _reader.Read(file, new IngestOptions(Agent: "a"))).Message.ShouldContain("--suite");
    }

    [Fact]
    public void Counts_that_exceed_total_instances_are_bad_input_naming_the_file_and_status()
    {
        var file = Results("run-20260201-000000", """
            { "state": "completed", "total_instances": 10,
              "status": { "succeeded": { "count": 6 }, "test_failed": { "count": 3 }, "infra_failed": { "count": 1 }, "canceled": { "count": 1 } } }
            """);

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(file, ClaudeCode));

        error.Message.ShouldStartWith($"{file}: status: ");
        error.Message.ShouldContain("= 11, more than total_instances 10");
    }

    [Fact]
    public void A_negative_count_is_bad_input_naming_the_field()
    {
        var file = Results("run-20260201-000000", """
            { "state": "completed", "total_instances": 10, "status": { "succeeded": { "count": -1 }, "test_failed": { "count": 3 } } }
            """);

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(file, ClaudeCode));

        error.Message.ShouldBe($"{file}: status.succeeded: count: expected a count ≥ 0, found -1");
    }

    [Fact]
    public void A_fractional_count_is_bad_input()
    {
        var file = Results("run-20260201-000000", """
            { "state": "completed", "total_instances": 10.5, "status": { "succeeded": { "count": 6 } } }
            """);

        Should.Throw<InvalidInputException>(() => _reader.Read(file, ClaudeCode))
            .Message.ShouldBe($"{file}: total_instances: expected a count ≥ 0, found 10.5");
    }

    [Fact]
    public void A_folder_name_without_a_timestamp_is_bad_input_naming_the_folder()
    {
        var file = Results("nightly-run", Minimal);

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(file, ClaudeCode));

        error.Message.ShouldStartWith($"{Path.GetDirectoryName(file)}: ");
        error.Message.ShouldContain("YYYYMMDD-HHMMSS");
    }

    [Fact]
    public void A_timestamp_that_is_not_a_date_is_bad_input()
    {
        var file = Results("run-20261399-253012", Minimal);

        Should.Throw<InvalidInputException>(() => _reader.Read(file, ClaudeCode))
            .Message.ShouldContain("'20261399-253012'");
    }

    [Fact]
    public void A_truncated_results_json_is_bad_input_naming_the_file_and_line()
    {
        var whole = File.ReadAllText(Path.Combine(Fixture("run-20260114-053012"), "results.json"));
        var file = Results("run-20260114-053012", whole[..whole.IndexOf("\"infra_failed\"", StringComparison.Ordinal)]);

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(file, ClaudeCode));

        // cut at the start of line 7: the input ends there
        error.Message.ShouldStartWith($"{file}:7: not valid JSON");
    }

    [Fact]
    public void A_foreign_json_is_bad_input_naming_the_missing_field()
    {
        var file = Results("run-20260201-000000", """{ "results": [ { "id": "a", "passed": true } ] }""");

        Should.Throw<InvalidInputException>(() => _reader.Read(file, ClaudeCode))
            .Message.ShouldBe($"{file}: state: missing");
    }

    [Fact]
    public void A_runtime_that_is_not_seconds_is_bad_input()
    {
        var file = Results("run-20260201-000000", """
            { "state": "completed", "total_instances": 10, "status": { "succeeded": { "count": 6 } }, "runtime": "1h30m" }
            """);

        Should.Throw<InvalidInputException>(() => _reader.Read(file, ClaudeCode))
            .Message.ShouldBe($"{file}: runtime: expected a number, found a string");
    }

    [Fact]
    public void A_folder_without_any_results_json_is_bad_input()
    {
        Directory.CreateDirectory(_temp.Combine("empty", "run-20260201-000000"));

        Should.Throw<InvalidInputException>(() => _reader.Read(_temp.Combine("empty"), ClaudeCode))
            .Message.ShouldContain("no results.json");
    }
}
