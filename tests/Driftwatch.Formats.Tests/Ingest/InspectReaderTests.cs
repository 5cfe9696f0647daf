using System.IO.Compression;
using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Formats.Ingest;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Ingest;

public sealed class InspectReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new("ingest-inspect");
    private readonly InspectReader _reader = new();

    public void Dispose() => _temp.Dispose();

    private static string Fixture(params string[] parts) =>
        Path.Combine([RepositoryPaths.Root, "tests", "Driftwatch.Formats.Tests", "Ingest", "Fixtures", .. parts]);

    private static string Mixed => Fixture("inspect", "humaneval-mixed.json");

    /// <summary>Zips the fixture folder eval-archive into an .eval log, as inspect writes one (leaving out what <paramref name="skip"/> names).</summary>
    private string Archive(string name = "run.eval", params string[] skip)
    {
        var folder = Fixture("inspect", "eval-archive");
        var file = _temp.Combine(name);
        using var zip = ZipFile.Open(file, ZipArchiveMode.Create);
        foreach (var source in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var entry = Path.GetRelativePath(folder, source).Replace('\\', '/');
            if (!skip.Contains(entry))
                zip.CreateEntryFromFile(source, entry, CompressionLevel.Optimal);
        }
        return file;
    }

    private IngestedRun ReadOne(string path, IngestOptions? options = null) => _reader.Read(path, options ?? new IngestOptions()).ShouldHaveSingleItem();

    private static Trial TrialOf(IngestedRun run, string taskId, int index = 1) =>
        run.Trials.Single(t => t.Trial.TaskId == taskId && t.Trial.TrialIndex == index).Trial;

    [Fact]
    public void The_first_score_of_each_sample_decides_its_outcome()
    {
        // When a log holding every kind of score value is read
        var run = ReadOne(Mixed);

        // Then C, true and 1 pass; I, N, P and a fraction fail; the first scorer decides (sample 1 also has an I)
        TrialOf(run, "1").Outcome.ShouldBe(TrialOutcome.Pass);
        TrialOf(run, "5").Outcome.ShouldBe(TrialOutcome.Pass);
        TrialOf(run, "6").Outcome.ShouldBe(TrialOutcome.Pass);
        TrialOf(run, "1", 2).Outcome.ShouldBe(TrialOutcome.Fail);
        TrialOf(run, "4").Outcome.ShouldBe(TrialOutcome.Fail);
        TrialOf(run, "2").Outcome.ShouldBe(TrialOutcome.Fail);
        TrialOf(run, "3").Outcome.ShouldBe(TrialOutcome.Fail);
        // and a pass counts 1 of 1, anything else 0 of 1
        (TrialOf(run, "1").TestsPassed, TrialOf(run, "1").TestsTotal).ShouldBe((1, 1));
        (TrialOf(run, "3").TestsPassed, TrialOf(run, "3").TestsTotal).ShouldBe((0, 1));
        // and inspect says nothing of a task's kind or language
        run.Trials.ShouldAllBe(t => t.Trial.Category == TaskCategory.Other && t.Trial.Language == "");
    }

    [Fact]
    public void A_sample_with_an_error_is_an_error_whatever_it_scored_and_one_without_a_score_is_unscored()
    {
        var run = ReadOne(Mixed);

        // Sample 7 scored C but its sandbox died
        var errored = TrialOf(run, "7");
        errored.Outcome.ShouldBe(TrialOutcome.Error);
        errored.ErrorKind.ShouldBe("harness-error");
        errored.ErrorMessage.ShouldBe("RuntimeError: sandbox container exited (137)");
        // Sample 8 hit its time limit and was never scored
        var unscored = TrialOf(run, "8");
        unscored.Outcome.ShouldBe(TrialOutcome.Error);
        unscored.ErrorKind.ShouldBe("unscored");
        unscored.StopReason.ShouldBe("time-limit");
    }

    [Fact]
    public void Epochs_become_trial_indexes_in_inspects_order()
    {
        var run = ReadOne(Mixed);

        // Sample 1 ran in two epochs: two trials of one task
        run.Trials.Where(t => t.Trial.TaskId == "1").Select(t => t.Trial.TrialIndex).ShouldBe([1, 2]);
        // and the order is every sample of epoch 1 (by id), then epoch 2
        run.Trials.Select(t => t.Trial.Key.ToString()).ShouldBe(["1#1", "2#1", "3#1", "4#1", "5#1", "6#1", "7#1", "8#1", "1#2"]);
        run.Trials.Select(t => t.Trial.Sequence).ShouldBe(Enumerable.Range(0, 9));
        TrialOf(run, "1", 2).Source.ShouldBe("humaneval-mixed.json#1 epoch 2");
    }

    [Fact]
    public void Usage_is_summed_over_the_models_of_a_sample_and_times_are_in_milliseconds()
    {
        var trial = TrialOf(ReadOne(Mixed), "1");

        // model_usage names two models
        trial.Usage.InputTokens.ShouldBe(200);
        trial.Usage.OutputTokens.ShouldBe(15);
        trial.Usage.CacheReadTokens.ShouldBe(400);
        trial.Usage.CacheWriteTokens.ShouldBe(50);
        trial.Usage.CostUsd.ShouldBe(0.0013m);
        trial.ServedModels.ShouldBe(["anthropic/claude-haiku-4-5", "anthropic/claude-sonnet-4-5"]);
        trial.Model.ShouldBe("claude-sonnet-4-5-20250929");
        // total_time 12.5 s, working_time 10.25 s
        trial.DurationMs.ShouldBe(12_500);
        trial.AgentDurationMs.ShouldBe(10_250);
        trial.StartedAt.ShouldBe(DateTimeOffset.Parse("2026-11-28T09:14:06Z", System.Globalization.CultureInfo.InvariantCulture));
        trial.StopReason.ShouldBe("stop");
        // and a sample without any usage has none
        TrialOf(ReadOne(Mixed), "4").Usage.ShouldBe(AgentUsage.None);
    }

    [Fact]
    public void The_log_becomes_one_complete_run_keyed_by_its_eval_id()
    {
        var run = ReadOne(Mixed);

        run.Format.ShouldBe("inspect");
        run.Key.ShouldBe("kV3dQm8sYtA2pLx9RcN4Fz");
        run.Agent.ShouldBe("anthropic/claude-sonnet-4-5");
        run.Suite.ShouldBe("humaneval");
        run.Status.ShouldBe(RunStatus.Complete);
        run.StartedAt.ShouldBe(DateTimeOffset.Parse("2026-11-28T09:14:05Z", System.Globalization.CultureInfo.InvariantCulture));
        run.FinishedAt.ShouldBe(DateTimeOffset.Parse("2026-11-28T09:21:45Z", System.Globalization.CultureInfo.InvariantCulture));
        run.DurationMs.ShouldBe(460_000);
        // task_version 0 is inspect's default: no revision of its own
        run.SuiteRevision.ShouldBeNull();
        string.Join("; ", run.Details.Select(d => $"{d.Key}={d.Value}"))
            .ShouldBe("dataset=openai_humaneval; inspect_ai=0.3.95; revision=3f9c2ab; solver=system_message > generate");
        run.Models.ShouldBe(["anthropic/claude-haiku-4-5", "anthropic/claude-sonnet-4-5"]);
    }

    [Fact]
    public void The_command_line_names_the_agent_and_suite_over_the_log()
    {
        var run = ReadOne(Mixed, new IngestOptions(Agent: "claude-code", Suite: "humaneval-nightly"));

        run.Agent.ShouldBe("claude-code");
        run.Suite.ShouldBe("humaneval-nightly");
    }

    [Fact]
    public void A_cancelled_eval_is_an_incomplete_run_and_a_task_version_is_its_suite_revision()
    {
        var run = ReadOne(Fixture("inspect", "cancelled.json"));

        run.Status.ShouldBe(RunStatus.Incomplete);
        run.FinishedAt.ShouldBeNull();
        run.SuiteRevision.ShouldBe("inspect:mbpp@2.1");
        run.Details["task_version"].ShouldBe("2.1");
        TrialOf(run, "mbpp-11").Outcome.ShouldBe(TrialOutcome.Pass);
    }

    [Fact]
    public void An_eval_archive_is_read_from_its_header_and_sample_entries()
    {
        // Given an .eval zip with header.json, samples/*.json, summaries, reductions and a journal
        var run = ReadOne(Archive());

        // Then the run comes from the header and one trial from each sample entry
        run.Key.ShouldBe("Ev4Lz1Pk8Qw3Rt6Yu9Io2a");
        run.Suite.ShouldBe("inspect_evals/swe_bench_verified_mini");
        run.Status.ShouldBe(RunStatus.Complete);
        run.SuiteRevision.ShouldBe("inspect:inspect_evals/swe_bench_verified_mini@1");
        run.Details["solver"].ShouldBe("swe_bench_agent");
        run.Trials.Select(t => t.Trial.Key.ToString()).ShouldBe(["astropy__astropy-12907#1", "django__django-11099#1", "django__django-11099#2"]);
        var first = TrialOf(run, "django__django-11099");
        first.Outcome.ShouldBe(TrialOutcome.Pass);
        first.Usage.CacheReadTokens.ShouldBe(30_000);
        first.DurationMs.ShouldBe(641_200);
        first.Source.ShouldBe("run.eval#django__django-11099 epoch 1");
        TrialOf(run, "django__django-11099", 2).Outcome.ShouldBe(TrialOutcome.Fail);
        TrialOf(run, "astropy__astropy-12907").StopReason.ShouldBe("working-limit");
    }

    [Fact]
    public void An_eval_archive_still_being_written_is_read_from_its_journal_as_incomplete()
    {
        // Given an .eval without header.json (inspect writes it when the eval ends)
        var run = ReadOne(Archive("running.eval", "header.json", "summaries.json", "reductions.json"));

        run.Status.ShouldBe(RunStatus.Incomplete);
        run.Key.ShouldBe("Ev4Lz1Pk8Qw3Rt6Yu9Io2a");
        run.FinishedAt.ShouldBeNull();
        run.Trials.Count.ShouldBe(3);
    }

    [Fact]
    public void Reading_a_log_twice_or_from_another_folder_gives_the_same_content_hash()
    {
        // Given a log and a copy of it in another folder
        var moved = _temp.Combine("elsewhere", "humaneval-mixed.json");
        Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
        File.Copy(Mixed, moved);
        var archive = Archive();
        var movedArchive = _temp.Combine("elsewhere", "run.eval");
        File.Copy(archive, movedArchive);

        // Then every read has the same key and hash
        var hash = ReadOne(Mixed).ContentHash();
        ReadOne(Mixed).ContentHash().ShouldBe(hash);
        ReadOne(moved).ContentHash().ShouldBe(hash);
        ReadOne(moved).Key.ShouldBe(ReadOne(Mixed).Key);
        ReadOne(movedArchive).ContentHash().ShouldBe(ReadOne(archive).ContentHash());
    }

    [Fact]
    public void A_truncated_log_is_bad_input_naming_the_file_and_line()
    {
        var text = File.ReadAllText(Mixed);
        var truncated = _temp.Write("truncated.json", text[..(text.Length / 2)]);

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(truncated, new IngestOptions()));

        error.Message.ShouldStartWith($"{truncated}:");
        error.Message.ShouldMatch(@"truncated\.json:\d+: not valid JSON");
    }

    [Fact]
    public void A_log_cut_anywhere_is_bad_input_and_never_another_exception()
    {
        // Given the .json log cut every 7 characters before its end, and the .eval log every 61 bytes
        var text = File.ReadAllText(Mixed);
        var json = _temp.Combine("cut.json");
        var bytes = File.ReadAllBytes(Archive());
        var eval = _temp.Combine("cut.eval");

        for (var length = 0; length < text.TrimEnd().Length; length += 7)
        {
            File.WriteAllText(json, text[..length]);
            Should.Throw<InvalidInputException>(() => _reader.Read(json, new IngestOptions()), $"cut at {length}");
        }
        for (var length = 0; length < bytes.Length; length += 61)
        {
            File.WriteAllBytes(eval, bytes[..length]);
            Should.Throw<InvalidInputException>(() => _reader.Read(eval, new IngestOptions()), $"cut at {length}");
        }
    }

    [Fact]
    public void A_foreign_json_file_is_bad_input_naming_the_missing_field()
    {
        var file = Fixture("foreign-package.json");

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(file, new IngestOptions()));

        error.Message.ShouldBe($"{file}: eval: missing");
    }

    [Fact]
    public void An_unknown_score_value_is_bad_input_naming_the_sample_and_field()
    {
        var file = Fixture("inspect", "unknown-score.json");

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(file, new IngestOptions()));

        error.Message.ShouldStartWith($"{file}: samples[1]: sample 11 epoch 1: scores.verify.value: unknown score value 'maybe'");
    }

    [Fact]
    public void An_eval_file_that_is_not_a_zip_is_bad_input()
    {
        var file = Fixture("inspect", "not-a-zip.eval");

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(file, new IngestOptions()));

        error.Message.ShouldStartWith($"{file}: not a zip archive");
    }

    [Fact]
    public void A_broken_sample_entry_of_an_archive_is_bad_input_naming_the_archive_and_entry()
    {
        // Given an archive whose one sample entry is cut short
        var file = _temp.Combine("broken.eval");
        using (var zip = ZipFile.Open(file, ZipArchiveMode.Create))
        {
            zip.CreateEntryFromFile(Fixture("inspect", "eval-archive", "header.json"), "header.json");
            using var writer = new StreamWriter(zip.CreateEntry("samples/1_epoch_1.json").Open());
            writer.Write("{\n  \"id\": 1,\n  \"epoch\": 1,\n  \"scores\": {");
        }

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(file, new IngestOptions()));

        error.Message.ShouldMatch($@"^{System.Text.RegularExpressions.Regex.Escape(file)}: samples/1_epoch_1\.json:\d+: not valid JSON");
    }

    [Fact]
    public void A_log_without_samples_is_bad_input_rather_than_an_empty_run()
    {
        var file = _temp.Write("header-only.json", File.ReadAllText(Fixture("inspect", "cancelled.json")).Replace("\"samples\"", "\"dropped\"", StringComparison.Ordinal));

        var error = Should.Throw<InvalidInputException>(() => _reader.Read(file, new IngestOptions()));

        error.Message.ShouldStartWith($"{file}: samples: none in the log");
    }
}
