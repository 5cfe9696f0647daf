using System.Globalization;
using System.Text.Json.Nodes;
using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Formats.Ingest;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Ingest;

public sealed class PromptfooReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new("ingest-promptfoo");
    private readonly PromptfooReader _reader = new();

    public void Dispose() => _temp.Dispose();

    private static string Fixture(params string[] parts) =>
        Path.Combine([RepositoryPaths.Root, "tests", "Driftwatch.Formats.Tests", "Ingest", "Fixtures", .. parts]);

    private static string TwoProviders => Fixture("promptfoo", "two-providers.json");

    private static string Repeats => Fixture("promptfoo", "repeats-two-prompts.json");

    private IReadOnlyList<IngestedRun> Read(string path, IngestOptions? options = null) => _reader.Read(path, options ?? new IngestOptions());

    private static IngestedRun RunOf(IReadOnlyList<IngestedRun> runs, string agent) => runs.Single(r => r.Agent == agent);

    private static Trial TrialOf(IngestedRun run, string taskId, int index = 1) =>
        run.Trials.Single(t => t.Trial.TaskId == taskId && t.Trial.TrialIndex == index).Trial;

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void Each_provider_of_the_file_is_a_run_of_its_own()
    {
        var runs = Read(TwoProviders);

        // Then one run per provider, named by its label, else its id, keyed by the eval id and the provider
        runs.Select(r => r.Agent).ShouldBe(["openai:gpt-4.1-mini", "claude"]);
        runs.Select(r => r.Key).ShouldBe(["eval-Yq3-2026-11-30T10:15:42/openai:gpt-4.1-mini", "eval-Yq3-2026-11-30T10:15:42/claude"]);
        var claude = RunOf(runs, "claude");
        claude.Format.ShouldBe("promptfoo");
        claude.Models.ShouldBe(["anthropic:messages:claude-sonnet-4-5-20250929"]);
        claude.Details["provider"].ShouldBe("anthropic:messages:claude-sonnet-4-5-20250929");
        claude.Details["promptfoo"].ShouldBe("0.119.6");
        claude.SuiteRevision.ShouldBeNull();
        // the suite is the config's description; the times the results' timestamp and duration
        runs.ShouldAllBe(r => r.Suite == "python-snippets" && r.Status == RunStatus.Complete);
        claude.StartedAt.ShouldBe(At("2026-11-30T10:15:42.118Z"));
        claude.FinishedAt.ShouldBe(At("2026-11-30T10:16:13.352Z"));
        claude.DurationMs.ShouldBe(31_234);
        runs.ShouldAllBe(r => r.Trials.Count == 2);
    }

    [Fact]
    public void Success_failure_reason_and_component_results_give_outcome_and_partial_credit()
    {
        var runs = Read(TwoProviders);
        var openai = RunOf(runs, "openai:gpt-4.1-mini");
        var claude = RunOf(runs, "claude");

        // Both assertions passed
        var pass = TrialOf(openai, "adds two numbers");
        (pass.Outcome, pass.TestsPassed, pass.TestsTotal).ShouldBe((TrialOutcome.Pass, 2, 2));
        // A pass without component results counts 1 of 1
        var plain = TrialOf(claude, "adds two numbers");
        (plain.Outcome, plain.TestsPassed, plain.TestsTotal).ShouldBe((TrialOutcome.Pass, 1, 1));
        // An assertion failed (failureReason 1): a fail with its partial credit, though promptfoo filled error
        var fail = TrialOf(openai, "reverses a string");
        (fail.Outcome, fail.TestsPassed, fail.TestsTotal).ShouldBe((TrialOutcome.Fail, 1, 2));
        fail.ErrorKind.ShouldBeNull();
        // The provider failed (failureReason 2)
        var error = TrialOf(claude, "reverses a string");
        error.Outcome.ShouldBe(TrialOutcome.Error);
        error.ErrorKind.ShouldBe("provider-error");
        error.ErrorMessage.ShouldBe("API error: 529 Overloaded");
        (error.TestsPassed, error.TestsTotal).ShouldBe((0, 1));
    }

    [Fact]
    public void Tokens_cost_and_latency_become_usage_and_duration()
    {
        var runs = Read(TwoProviders);

        var trial = TrialOf(RunOf(runs, "openai:gpt-4.1-mini"), "adds two numbers");
        trial.Usage.InputTokens.ShouldBe(40);
        trial.Usage.OutputTokens.ShouldBe(18);
        trial.Usage.CacheReadTokens.ShouldBeNull();
        trial.Usage.CostUsd.ShouldBe(0.0000448m);
        trial.DurationMs.ShouldBe(812);
        trial.AgentDurationMs.ShouldBe(812);
        trial.StartedAt.ShouldBe(At("2026-11-30T10:15:42.118Z"));
        trial.FinishedAt.ShouldBe(At("2026-11-30T10:15:42.930Z"));
        trial.Model.ShouldBe("openai:gpt-4.1-mini");
        trial.Category.ShouldBe(TaskCategory.Other);
        trial.Source.ShouldBe("two-providers.json#results.results[0]");
        // a latency with a fraction is rounded to whole milliseconds
        TrialOf(RunOf(runs, "claude"), "adds two numbers").DurationMs.ShouldBe(1431);
    }

    [Fact]
    public void Repeats_of_a_test_are_numbered_in_file_order_and_several_prompts_name_the_task()
    {
        var run = Read(Repeats).ShouldHaveSingleItem();

        // Two prompts: each task is a test × prompt; a test without description is named by its index
        run.Trials.Select(t => t.Trial.Key.ToString()).ShouldBe([
            "capital of France/terse#1", "capital of France/verbose#1", "test-1/terse#1",
            "capital of France/terse#2", "capital of France/verbose#2"]);
        run.Trials.Select(t => t.Trial.Sequence).ShouldBe([0, 1, 2, 3, 4]);
        // the failing verbose answer is a fail, its error being the assertion's reason
        TrialOf(run, "capital of France/verbose").Outcome.ShouldBe(TrialOutcome.Fail);
        TrialOf(run, "capital of France/verbose", 2).Outcome.ShouldBe(TrialOutcome.Pass);
        // a response from promptfoo's cache used no tokens of the provider
        TrialOf(run, "test-1/terse").Usage.ShouldBe(AgentUsage.None);
        // without a description in the config the suite is "promptfoo"
        run.Suite.ShouldBe("promptfoo");
        run.Details.ContainsKey("promptfoo").ShouldBeFalse();
    }

    [Fact]
    public void The_command_line_names_the_agent_and_suite_of_a_file_with_one_provider()
    {
        var run = Read(Repeats, new IngestOptions(Agent: "gpt-4.1-prod", Suite: "geography")).ShouldHaveSingleItem();

        run.Agent.ShouldBe("gpt-4.1-prod");
        run.Suite.ShouldBe("geography");
        run.Key.ShouldBe("eval-Rp9-2026-12-01T06:00:00/openai:gpt-4.1");
    }

    [Fact]
    public void One_agent_named_for_a_file_with_several_providers_is_bad_input()
    {
        var error = Should.Throw<InvalidInputException>(() => Read(TwoProviders, new IngestOptions(Agent: "mine")));

        error.Message.ShouldStartWith($"{TwoProviders}: --agent names one agent, but the file holds 2 providers (openai:gpt-4.1-mini, claude)");
    }

    [Fact]
    public void Reading_a_file_twice_or_from_another_folder_gives_the_same_content_hash()
    {
        var moved = _temp.Combine("elsewhere", "two-providers.json");
        Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
        File.Copy(TwoProviders, moved);

        var first = Read(TwoProviders).Select(r => r.ContentHash()).ToList();

        Read(TwoProviders).Select(r => r.ContentHash()).ShouldBe(first);
        Read(moved).Select(r => r.ContentHash()).ShouldBe(first);
        first.Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public void A_truncated_file_is_bad_input_naming_the_file_and_line()
    {
        var text = File.ReadAllText(TwoProviders);
        var truncated = _temp.Write("results.json", text[..(text.Length / 3)]);

        var error = Should.Throw<InvalidInputException>(() => Read(truncated));

        error.Message.ShouldStartWith($"{truncated}:");
        error.Message.ShouldMatch(@"results\.json:\d+: not valid JSON");
    }

    [Fact]
    public void A_file_cut_anywhere_is_bad_input_and_never_another_exception()
    {
        var text = File.ReadAllText(TwoProviders);
        var file = _temp.Combine("cut.json");

        for (var length = 0; length < text.TrimEnd().Length; length += 7)
        {
            File.WriteAllText(file, text[..length]);
            Should.Throw<InvalidInputException>(() => Read(file), $"cut at {length}");
        }
    }

    [Fact]
    public void A_foreign_json_file_is_bad_input_naming_the_missing_field()
    {
        var file = Fixture("foreign-package.json");

        var error = Should.Throw<InvalidInputException>(() => Read(file));

        error.Message.ShouldBe($"{file}: results: missing");
    }

    [Fact]
    public void The_older_shape_with_a_results_table_is_refused()
    {
        var file = Fixture("promptfoo", "v2-table.json");

        var error = Should.Throw<InvalidInputException>(() => Read(file));

        error.Message.ShouldStartWith($"{file}: results: version: 2: an older promptfoo output (with a results table)");
    }

    [Fact]
    public void A_result_without_success_is_bad_input_naming_the_result_and_field()
    {
        // Given the fixture with the third result's success removed
        var json = JsonNode.Parse(File.ReadAllText(TwoProviders))!;
        json["results"]!["results"]![2]!.AsObject().Remove("success");
        var file = _temp.Write("no-success.json", json.ToJsonString());

        var error = Should.Throw<InvalidInputException>(() => Read(file));

        error.Message.ShouldBe($"{file}: results.results[2]: success: missing");
    }
}
