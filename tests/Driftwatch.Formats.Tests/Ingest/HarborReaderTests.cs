using System.Text.Json.Nodes;
using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Formats.Ingest;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Ingest;

public sealed class HarborReaderTests : IDisposable
{
    private const string JobName = "2026-01-14__05-30-12";

    private readonly TempDirectory _temp = new("harbor");
    private readonly HarborReader _reader = new();

    public void Dispose() => _temp.Dispose();

    private static string Fixtures => Path.Combine(RepositoryPaths.Root, "tests", "Driftwatch.Formats.Tests", "Ingest", "Fixtures", "harbor");

    private static string Job => Path.Combine(Fixtures, JobName);

    private static DateTimeOffset At(string time) => DateTimeOffset.Parse($"2026-01-14T{time}Z", System.Globalization.CultureInfo.InvariantCulture);

    private IngestedRun ReadJob(IngestOptions? options = null) => _reader.Read(Job, options ?? new IngestOptions()).ShouldHaveSingleItem();

    private static Trial TrialOf(IngestedRun run, string trialFolder) => run.Trials.Single(t => t.Trial.Source == $"{trialFolder}/result.json").Trial;

    /// <summary>Copies the fixture job into the temp folder (under the given name) and returns its path.</summary>
    private string CopyOfJob(string relative)
    {
        var target = _temp.Combine(relative);
        foreach (var file in Directory.EnumerateFiles(Job, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(Job, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return target;
    }

    /// <summary>A job folder with one trial whose result.json is the fixture's hello-world result changed by <paramref name="change"/>.</summary>
    private string JobWithOneTrial(Action<JsonObject> change)
    {
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "hello-world__AbC1234", "result.json")))!.AsObject();
        change(result);
        _temp.Write(Path.Combine("one", "hello-world__AbC1234", "result.json"), result.ToJsonString());
        return _temp.Combine("one");
    }

    [Fact]
    public void A_job_folder_is_one_run_keyed_by_its_job_name_with_the_agent_and_model_and_the_dataset_as_suite()
    {
        // When the fixture job is read without options
        var run = ReadJob();

        // Then it is one harbor run named by its job, of the trials' agent:model on the config's dataset
        run.Format.ShouldBe("harbor");
        run.Key.ShouldBe(JobName);
        run.Path.ShouldBe(Job);
        run.Agent.ShouldBe("claude-code:claude-sonnet-4-5");
        run.Suite.ShouldBe("terminal-bench");
        run.SuiteRevision.ShouldBe("terminal-bench@2.0");
        run.AgentVersion.ShouldBe("2.0.76");
        run.Models.ShouldBe(["claude-sonnet-4-5"]);
        run.Details["harbor.dataset"].ShouldBe("terminal-bench");
        run.Details["harbor.dataset_version"].ShouldBe("2.0");
        run.Details["harbor.environment"].ShouldBe("docker");
        run.Details.ShouldNotContainKey("harbor.job_name");
        // and it is complete, with per-trial rows and no totals
        run.Status.ShouldBe(RunStatus.Complete);
        run.TotalsOnly.ShouldBeFalse();
        run.Trials.Count.ShouldBe(6);
    }

    [Fact]
    public void The_run_starts_at_its_earliest_trial_and_ends_when_the_job_says()
    {
        var run = ReadJob();

        run.StartedAt.ShouldBe(At("05:30:15.102311"));
        run.FinishedAt.ShouldBe(At("05:49:14.301775"));
        // the job's own result.json gives the wall time of the whole job (05:30:12.884301 → 05:49:14.301775)
        run.DurationMs.ShouldBe(1_141_417);
    }

    [Fact]
    public void A_reward_of_one_passes_and_a_partial_or_zero_reward_fails_without_test_counts()
    {
        var run = ReadJob();

        var pass = TrialOf(run, "hello-world__AbC1234");
        pass.Outcome.ShouldBe(TrialOutcome.Pass);
        pass.ErrorKind.ShouldBeNull();
        var partial = TrialOf(run, "fix-git__Xy9Qw2e");
        partial.Outcome.ShouldBe(TrialOutcome.Fail);
        // Harbor's result.json gives a reward, not test counts: none are made up
        partial.TestsPassed.ShouldBe(0);
        partial.TestsTotal.ShouldBe(0);
        partial.ErrorKind.ShouldBeNull();
    }

    [Fact]
    public void An_agent_timeout_is_a_timeout_and_a_verifier_exception_an_error_named_by_its_type()
    {
        var run = ReadJob();

        var timeout = TrialOf(run, "build-pmars__Tt5Rr6Y");
        timeout.Outcome.ShouldBe(TrialOutcome.Timeout);
        timeout.ErrorKind.ShouldBe("AgentTimeoutError");
        timeout.ErrorMessage.ShouldBe("Agent execution timed out after 900.0 seconds");
        var error = TrialOf(run, "sqlite-with-gcov__Vv7Kk1Z");
        error.Outcome.ShouldBe(TrialOutcome.Error);
        error.ErrorKind.ShouldBe("VerifierTimeoutError");
        error.ErrorMessage.ShouldBe("Verifier execution timed out after 600.0 seconds");
    }

    [Fact]
    public void An_agent_exception_that_is_neither_leaves_the_verdict_to_the_reward_and_keeps_its_type()
    {
        var run = ReadJob();

        var crashed = TrialOf(run, "regex-log__Pp2Ww3E");
        crashed.Outcome.ShouldBe(TrialOutcome.Fail);
        crashed.ErrorKind.ShouldBe("NonZeroAgentExitCodeError");
    }

    [Theory]
    [InlineData("AgentTimeoutError", 1.0, TrialOutcome.Timeout)]
    [InlineData("AgentSetupTimeoutError", 1.0, TrialOutcome.Error)]
    [InlineData("EnvironmentStartTimeoutError", null, TrialOutcome.Error)]
    [InlineData("VerifierOutputParseError", 0.0, TrialOutcome.Error)]
    [InlineData("DownloadVerifierDirError", null, TrialOutcome.Error)]
    [InlineData("RewardFileNotFoundError", null, TrialOutcome.Error)]
    [InlineData("RewardFileEmptyError", null, TrialOutcome.Error)]
    [InlineData("AddTestsDirError", null, TrialOutcome.Error)]
    [InlineData("CancelledError", null, TrialOutcome.Error)]
    [InlineData("NonZeroAgentExitCodeError", 1.0, TrialOutcome.Pass)]
    [InlineData("NonZeroAgentExitCodeError", 0.0, TrialOutcome.Fail)]
    [InlineData("NonZeroAgentExitCodeError", null, TrialOutcome.Error)]
    [InlineData("RuntimeError", null, TrialOutcome.Error)]
    public void An_exception_type_is_classified_as_documented(string type, double? reward, TrialOutcome expected)
    {
        // Given a trial that raised the exception, with or without a reward
        var job = JobWithOneTrial(result =>
        {
            result["exception_info"] = new JsonObject { ["exception_type"] = type, ["exception_message"] = "it broke", ["occurred_at"] = "2026-01-14T05:31:00" };
            result["verifier_result"] = reward is { } r ? new JsonObject { ["rewards"] = new JsonObject { ["reward"] = r } } : null;
        });

        // When it is read
        var trial = _reader.Read(job, new IngestOptions()).ShouldHaveSingleItem().Trials.ShouldHaveSingleItem().Trial;

        // Then its outcome is the documented one, and the type is kept
        trial.Outcome.ShouldBe(expected);
        trial.ErrorKind.ShouldBe(type);
    }

    [Fact]
    public void A_trial_without_reward_or_exception_is_an_error_not_a_failure()
    {
        var job = JobWithOneTrial(result => result["verifier_result"] = null);

        var trial = _reader.Read(job, new IngestOptions()).ShouldHaveSingleItem().Trials.ShouldHaveSingleItem().Trial;

        trial.Outcome.ShouldBe(TrialOutcome.Error);
        trial.ErrorKind.ShouldBe("NoReward");
    }

    [Fact]
    public void Trials_of_one_task_are_numbered_by_start_time_not_by_name()
    {
        var run = ReadJob();

        // fix-git__Lm3Np8r sorts first by name, but fix-git__Xy9Qw2e started first
        TrialOf(run, "fix-git__Xy9Qw2e").TrialIndex.ShouldBe(1);
        TrialOf(run, "fix-git__Lm3Np8r").TrialIndex.ShouldBe(2);
        run.Trials.Where(t => t.Trial.TaskId != "fix-git").ShouldAllBe(t => t.Trial.TrialIndex == 1);
        // and the run's sequence follows start times
        run.Trials.Select(t => t.Trial.Sequence).ShouldBe([0, 1, 2, 3, 4, 5]);
        run.Trials.Select(t => t.Trial.TaskId).ShouldBe(["hello-world", "fix-git", "build-pmars", "sqlite-with-gcov", "fix-git", "regex-log"]);
    }

    [Fact]
    public void A_trial_keeps_its_task_name_times_model_version_and_source()
    {
        var trial = TrialOf(ReadJob(), "hello-world__AbC1234");

        trial.TaskId.ShouldBe("hello-world");
        trial.Category.ShouldBe(TaskCategory.Other);
        trial.Language.ShouldBe("");
        trial.Source.ShouldBe("hello-world__AbC1234/result.json");
        trial.StartedAt.ShouldBe(At("05:30:15.102311"));
        trial.FinishedAt.ShouldBe(At("05:31:33.412870"));
        trial.DurationMs.ShouldBe(78_310);
        trial.AgentDurationMs.ShouldBe(39_273); // agent_execution 05:30:41.500112 → 05:31:20.774001
        trial.TestDurationMs.ShouldBe(8_229); // verifier 05:31:20.774001 → 05:31:29.003145
        trial.Model.ShouldBe("claude-sonnet-4-5");
        trial.AgentVersion.ShouldBe("2.0.76");
    }

    [Fact]
    public void Usage_comes_from_agent_result_with_cache_reads_taken_out_of_the_input()
    {
        var run = ReadJob();

        // n_input_tokens 48210 counts the 39876 cache reads
        TrialOf(run, "hello-world__AbC1234").Usage.ShouldBe(new AgentUsage { InputTokens = 8_334, CacheReadTokens = 39_876, OutputTokens = 2_211, CostUsd = 0.0912m });
        // a cost Harbor leaves null stays unknown
        TrialOf(run, "regex-log__Pp2Ww3E").Usage.CostUsd.ShouldBeNull();
    }

    [Fact]
    public void The_agent_and_suite_options_override_what_the_job_says()
    {
        var run = ReadJob(new IngestOptions(Agent: "cc-nightly", Suite: "tb2-subset"));

        run.Agent.ShouldBe("cc-nightly");
        run.Suite.ShouldBe("tb2-subset");
    }

    [Fact]
    public void A_folder_of_job_folders_gives_one_run_per_job()
    {
        // Given two jobs side by side, the second under another job name
        CopyOfJob(Path.Combine("jobs", JobName));
        var second = CopyOfJob(Path.Combine("jobs", "2026-01-15__05-30-09"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(second, "config.json")))!.AsObject();
        config["job_name"] = "2026-01-15__05-30-09";
        File.WriteAllText(Path.Combine(second, "config.json"), config.ToJsonString());

        // When the parent folder is read
        var runs = _reader.Read(_temp.Combine("jobs"), new IngestOptions());

        // Then each job is a run of its own
        runs.Select(r => r.Key).ShouldBe([JobName, "2026-01-15__05-30-09"]);
        runs.ShouldAllBe(r => r.Trials.Count == 6);
    }

    [Fact]
    public void A_trial_still_running_is_left_out_and_the_run_is_incomplete()
    {
        // Given the job with one more trial folder that has no result.json yet, and a job result without finished_at
        var job = CopyOfJob(JobName);
        _temp.Write(Path.Combine(JobName, "kv-store-grpc__Qq1Aa2S", "config.json"), """{ "trial_name": "kv-store-grpc__Qq1Aa2S", "task": { "path": "kv-store-grpc" } }""");
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "result.json")))!.AsObject();
        result["finished_at"] = null;
        result["n_total_trials"] = 7;
        File.WriteAllText(Path.Combine(job, "result.json"), result.ToJsonString());

        // When it is read
        var run = _reader.Read(job, new IngestOptions()).ShouldHaveSingleItem();

        // Then the finished trials are there, the running one is not, and the run is incomplete
        run.Status.ShouldBe(RunStatus.Incomplete);
        run.Trials.Count.ShouldBe(6);
        run.Trials.ShouldNotContain(t => t.Trial.TaskId == "kv-store-grpc");
        run.FinishedAt.ShouldBeNull();
        run.DurationMs.ShouldBeNull();
    }

    [Fact]
    public void Reading_twice_or_from_a_copy_gives_the_same_key_and_content_hash()
    {
        // Given the job read twice, and a copy of it in another folder
        var first = ReadJob();
        var again = ReadJob();
        var copy = _reader.Read(CopyOfJob(Path.Combine("elsewhere", JobName)), new IngestOptions()).ShouldHaveSingleItem();

        // Then all three are the same run with the same content
        again.ContentHash().ShouldBe(first.ContentHash());
        copy.Key.ShouldBe(first.Key);
        copy.Path.ShouldNotBe(first.Path);
        copy.ContentHash().ShouldBe(first.ContentHash());
    }

    [Fact]
    public void A_reward_that_changes_the_outcome_changes_the_content_hash()
    {
        // Given the partial-credit trial re-exported as a pass
        var job = CopyOfJob(JobName);
        var file = Path.Combine(job, "fix-git__Xy9Qw2e", "result.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"reward\": 0.5", "\"reward\": 1.0", StringComparison.Ordinal));

        // When it is read, Then its content is not the original's: ingesting it again is refused, not silently merged
        _reader.Read(job, new IngestOptions()).ShouldHaveSingleItem().ContentHash().ShouldNotBe(ReadJob().ContentHash());
    }

    [Fact]
    public void A_job_without_job_files_is_keyed_by_its_folder_and_the_older_reward_field_is_read()
    {
        // Given a job folder with only a trial, whose verifier_result has the older flat reward
        var job = JobWithOneTrial(result => result["verifier_result"] = new JsonObject { ["reward"] = 1 });

        var run = _reader.Read(job, new IngestOptions()).ShouldHaveSingleItem();

        run.Key.ShouldBe("one");
        run.Suite.ShouldBe("harbor");
        run.SuiteRevision.ShouldBeNull();
        run.Trials.ShouldHaveSingleItem().Trial.Outcome.ShouldBe(TrialOutcome.Pass);
    }

    [Fact]
    public void A_truncated_result_json_is_bad_input_naming_the_file_and_line()
    {
        // Given a trial result cut off in the middle of its 11th line
        var job = CopyOfJob(JobName);
        var file = Path.Combine(job, "hello-world__AbC1234", "result.json");
        var lines = File.ReadAllLines(file);
        File.WriteAllText(file, string.Join("\n", lines.Take(10)) + "\n" + lines[10][..(lines[10].Length / 2)]);

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(job, new IngestOptions()));

        error.Message.ShouldStartWith($"{file}:11: not valid JSON");
    }

    [Fact]
    public void A_foreign_json_is_bad_input_naming_the_missing_field()
    {
        var job = _temp.Combine("foreign");
        var file = _temp.Write(Path.Combine("foreign", "some-trial", "result.json"), """{ "task": "hello-world", "score": 1 }""");
        _temp.Write(Path.Combine("foreign", "config.json"), """{ "job_name": "foreign" }""");

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(job, new IngestOptions()));

        error.Message.ShouldBe($"{file}: task_name: missing");
    }

    [Fact]
    public void A_reward_of_the_wrong_kind_is_bad_input_naming_where_it_is()
    {
        var job = JobWithOneTrial(result => result["verifier_result"] = new JsonObject { ["rewards"] = new JsonObject { ["reward"] = "1.0" } });

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(job, new IngestOptions()));

        error.Message.ShouldBe($"{Path.Combine(job, "hello-world__AbC1234", "result.json")}: verifier_result.rewards: reward: expected a number, found a string");
    }

    [Fact]
    public void Cache_tokens_above_the_input_that_includes_them_are_bad_input()
    {
        var job = JobWithOneTrial(result => result["agent_result"]!["n_cache_tokens"] = 50_000);

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(job, new IngestOptions()));

        error.Message.ShouldContain("agent_result: n_cache_tokens:");
    }

    [Fact]
    public void A_job_of_several_agents_is_bad_input()
    {
        var job = CopyOfJob(JobName);
        var file = Path.Combine(job, "regex-log__Pp2Ww3E", "result.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"name\": \"claude-code\"", "\"name\": \"codex\"", StringComparison.Ordinal));

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(job, new IngestOptions()));

        error.Message.ShouldContain("agent_info");
        error.Message.ShouldContain("claude-code:claude-sonnet-4-5, codex:claude-sonnet-4-5");
    }

    [Fact]
    public void A_trial_folder_a_folder_without_jobs_or_a_missing_folder_is_bad_input()
    {
        Should.Throw<InvalidInputException>(() => _reader.Read(Path.Combine(Job, "hello-world__AbC1234"), new IngestOptions()))
            .Message.ShouldContain("one trial's folder");
        Directory.CreateDirectory(_temp.Combine("empty", "nothing"));
        Should.Throw<InvalidInputException>(() => _reader.Read(_temp.Combine("empty"), new IngestOptions()))
            .Message.ShouldContain("no Harbor job");
        Should.Throw<InvalidInputException>(() => _reader.Read(_temp.Combine("missing"), new IngestOptions()));
    }
}
