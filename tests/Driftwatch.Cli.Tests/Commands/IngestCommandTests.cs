using System.Globalization;
using System.Text.Json;
using Driftwatch.Testing;
using Driftwatch.Testing.Servers;
using Microsoft.AspNetCore.Http;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// `ingest` through the real command line (docs/ingest.md): every format's fixture, idempotence, a
/// `check` over an ingested history with a drop (per trial and per-run totals), the other commands
/// on ingested runs, bad input that writes nothing, and a scheduled ingest that alerts a webhook.
/// </summary>
public sealed class IngestCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-ingest");

    public void Dispose() => _temp.Dispose();

    private string Db => _temp.Combine("dw.db");

    private CliHarness Cli(Dictionary<string, string>? environment = null) => new(_temp.Path, environment);

    private static string Fixture(params string[] parts) =>
        Path.Combine([RepositoryPaths.Root, "tests", "Driftwatch.Formats.Tests", "Ingest", "Fixtures", .. parts]);

    private static readonly DateOnly Day0 = new(2026, 9, 1);

    /// <summary>
    /// A generic file of <paramref name="days"/> daily runs of 20 tasks, twice each; task i passes
    /// with a fixed rate, and from day <paramref name="dropFrom"/> tasks 12–19 mostly fail.
    /// </summary>
    private string TrialFile(string name, int days, int dropFrom, int seed = 1)
    {
        var random = new Random(seed);
        var lines = new List<string>();
        for (var day = 0; day < days; day++)
        {
            for (var task = 0; task < 20; task++)
            {
                for (var trial = 1; trial <= 2; trial++)
                {
                    var rate = day >= dropFrom && task >= 12 ? 0.05 : 0.3 + 0.65 * task / 19;
                    var outcome = random.NextDouble() < rate ? "pass" : "fail";
                    lines.Add(JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["date"] = Day0.AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        ["agent"] = "their-agent",
                        ["suite"] = "their-suite",
                        ["task"] = $"task-{task:00}",
                        ["trial"] = trial,
                        ["outcome"] = outcome,
                        ["output_tokens"] = 400 + random.Next(200),
                        ["cost_usd"] = 0.02,
                    }));
                }
            }
        }
        return _temp.Write(name, string.Join('\n', lines) + "\n");
    }

    /// <summary>Margin run folders, one a day with 50 instances: 58% succeed, from <paramref name="dropFrom"/> on 36%; two infrastructure failures a day.</summary>
    private string MarginRuns(string folder, int days, int dropFrom, int seed = 2)
    {
        var random = new Random(seed);
        for (var day = 0; day < days; day++)
        {
            var rate = day >= dropFrom ? 0.36 : 0.58;
            var succeeded = Enumerable.Range(0, 48).Count(_ => random.NextDouble() < rate);
            var name = $"run-{Day0.AddDays(day):yyyyMMdd}-053000";
            _temp.Write(Path.Combine(folder, name, "results.json"), $$"""
                {
                  "state": "completed",
                  "total_instances": 50,
                  "status": {
                    "succeeded": { "count": {{succeeded}} },
                    "test_failed": { "count": {{48 - succeeded}} },
                    "infra_failed": { "count": 2 },
                    "canceled": { "count": 0 }
                  },
                  "usage": { "input_tokens": 1200000, "output_tokens": 400000, "cost_usd": 61.5 },
                  "runtime": 5400
                }
                """);
        }
        return _temp.Combine(folder);
    }

    [Theory]
    [InlineData("inspect", "inspect/humaneval-mixed.json", "", "", 1)]
    [InlineData("harbor", "harbor/2026-01-14__05-30-12", "", "", 1)]
    [InlineData("margin", "margin", "claude-code", "swe-pro", 3)]
    [InlineData("promptfoo", "promptfoo/two-providers.json", "", "", 2)]
    public async Task Each_format_ingests_its_fixture_once_and_adds_nothing_the_second_time(string format, string fixture, string agent, string suite, int runs)
    {
        string[] names = agent.Length == 0 ? [] : ["--agent", agent, "--suite", suite];

        var first = await Cli().RunAsync(["ingest", format, Fixture(fixture.Split('/')), "--db", Db, .. names]);
        var second = await Cli().RunAsync(["ingest", format, Fixture(fixture.Split('/')), "--db", Db, .. names]);

        first.ExitCode.ShouldBe(0, first.Error);
        first.Output.ShouldContain($"ingested {runs} new run(s)");
        second.ExitCode.ShouldBe(0, second.Error);
        second.Output.ShouldContain($"ingested 0 new run(s) (0 trials); {runs} already there");
        var listed = await Cli().RunAsync("runs", "--db", Db, "--json");
        var stored = JsonDocument.Parse(listed.Output).RootElement.EnumerateArray().ToList();
        stored.Count.ShouldBe(runs);
        stored.ShouldAllBe(r => r.GetProperty("source").GetProperty("format").GetString() == format);
    }

    [Fact]
    public async Task Check_over_an_ingested_history_with_a_drop_is_degraded_and_names_the_tasks()
    {
        // Given 40 days of another harness's trials, 8 of 20 tasks failing from day 30
        var file = TrialFile("trials.jsonl", 40, dropFrom: 30);
        (await Cli().RunAsync("ingest", "jsonl", file, "--db", Db)).ExitCode.ShouldBe(0);

        // When it is checked
        var check = await Cli().RunAsync("check", "--db", Db, "--json");

        // Then it is degraded (exit 3), dated near day 30, and the tasks that moved most are the eight that broke
        check.ExitCode.ShouldBe(3, check.Error);
        var verdict = JsonDocument.Parse(check.Output).RootElement.EnumerateArray().ShouldHaveSingleItem();
        verdict.GetProperty("verdict").GetString().ShouldBe("degraded");
        verdict.GetProperty("basis").GetString().ShouldBe("per task");
        var changeDay = DateOnly.Parse(verdict.GetProperty("changeDay").GetString()!, CultureInfo.InvariantCulture);
        (changeDay.DayNumber - Day0.DayNumber).ShouldBeInRange(27, 33);
        var flipped = verdict.GetProperty("flippedTasks").EnumerateArray().Select(f => f.GetProperty("task").GetString()!).ToList();
        flipped.Take(8).ShouldBe(Enumerable.Range(12, 8).Select(i => $"task-{i:00}"), ignoreOrder: true);
    }

    [Fact]
    public async Task Ingest_judges_each_history_it_added_to_once_and_keeps_the_verdict_check_reads()
    {
        // Given 40 days of another harness's trials, ingested
        var file = TrialFile("trials.jsonl", 40, dropFrom: 30);
        var ingest = await Cli().RunAsync("ingest", "jsonl", file, "--db", Db);
        ingest.ExitCode.ShouldBe(0, ingest.Error);

        // When the store is read before anything else judges it
        using var store = Storage.StoreFactory.Open(new Core.Configuration.StorageConfig(Path: Db), Storage.StoreAccess.Read, TimeProvider.System);
        var runs = await store.Results.ListRunsAsync(new Core.Runs.RunQuery("their-agent", "their-suite"));
        var kept = await store.Results.GetStoredVerdictAsync("their-agent", "their-suite");

        // Then the verdict of the new day is already kept, under the key `check` looks it up by (the
        // default options): `check` reads it instead of judging 100,000 trials again (#20)
        kept.ShouldNotBeNull();
        kept.Key.ShouldBe(Core.Detection.StoredVerdicts.Key(runs, new Core.Detection.CheckOptions()));
        Core.Detection.KeptVerdictJson.Deserialize(kept.Json).ShouldNotBeNull().Status.ShouldBe(Core.Detection.VerdictStatus.Degraded);
        // once for the history, whatever number of runs it gained (40 here)
        ingest.Output.Split('\n').Count(line => line.Contains("(kept for check and the dashboard)", StringComparison.Ordinal)).ShouldBe(1, ingest.Output);
        ingest.Output.ShouldContain("DEGRADED · their-agent on their-suite");

        // And `check` reads it: it answers degraded without judging and keeping it again
        var check = await Cli().RunAsync("check", "--db", Db, "--json");
        check.ExitCode.ShouldBe(3, check.Error);
        (await store.Results.GetStoredVerdictAsync("their-agent", "their-suite")).ShouldNotBeNull().ShouldBe(kept);
    }

    [Fact]
    public async Task Check_over_per_run_totals_with_a_drop_is_degraded_on_daily_totals_and_says_so()
    {
        // Given 44 days of a tracker's per-run results.json, 58% then 36% from day 30
        var runs = MarginRuns("margin-runs", 44, dropFrom: 30);
        var ingest = await Cli().RunAsync("ingest", "margin", runs, "--agent", "claude-code", "--suite", "swe-pro", "--db", Db);
        ingest.ExitCode.ShouldBe(0, ingest.Error);
        ingest.Output.ShouldContain("ingested 44 new run(s)");

        // When it is checked, as text and as JSON
        var text = await Cli().RunAsync("check", "--db", Db);
        var json = await Cli().RunAsync("check", "--db", Db, "--json");

        // Then it is degraded on daily totals, and both say that no task can be named
        text.ExitCode.ShouldBe(3, text.Error);
        text.Output.ShouldContain("DEGRADED · claude-code on swe-pro");
        text.Output.ShouldContain("judged on daily totals only");
        var verdict = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ShouldHaveSingleItem();
        verdict.GetProperty("basis").GetString().ShouldBe("daily totals");
        verdict.GetProperty("flippedTasks").GetArrayLength().ShouldBe(0);
        verdict.GetProperty("effect").GetDouble().ShouldBeLessThan(-0.1);
    }

    [Fact]
    public async Task Show_export_and_report_work_on_ingested_runs()
    {
        // Given a history of per-trial and of per-run-totals runs
        (await Cli().RunAsync("ingest", "jsonl", TrialFile("t.jsonl", 3, dropFrom: 99), "--db", Db)).ExitCode.ShouldBe(0);
        (await Cli().RunAsync("ingest", "margin", MarginRuns("m", 2, dropFrom: 99), "--agent", "claude-code", "--suite", "swe-pro", "--db", Db)).ExitCode.ShouldBe(0);

        // When each is shown, exported and reported
        var showTrials = await Cli().RunAsync("show", "1", "--db", Db);
        var showTotals = await Cli().RunAsync("show", "4", "--db", Db);
        var export = await Cli().RunAsync("export", "--format", "json", "--db", Db);
        var csv = await Cli().RunAsync("export", "--format", "csv", "--db", Db, "--last", "5");
        var report = await Cli().RunAsync("report", "--db", Db, "--out", _temp.Combine("report"));

        // Then each says where the run came from, the totals run shows its counts, and nothing fails
        showTrials.ExitCode.ShouldBe(0, showTrials.Error);
        showTrials.Output.ShouldContain("ingested from jsonl run their-agent/their-suite/2026-09-01");
        showTrials.Output.ShouldContain("task-00");
        showTotals.ExitCode.ShouldBe(0, showTotals.Error);
        showTotals.Output.ShouldContain("per-run totals only");
        showTotals.Output.ShouldContain("usage: 1,200,000 input tokens");
        export.ExitCode.ShouldBe(0, export.Error);
        var exported = string.Concat(export.Output.Where(c => !char.IsWhiteSpace(c)));
        exported.ShouldContain("\"totalsOnly\":true");
        exported.ShouldContain("\"source\":\"t.jsonl:");
        csv.ExitCode.ShouldBe(0, csv.Error);
        report.ExitCode.ShouldBe(0, report.Error);
        File.ReadAllText(_temp.Combine("report", "index.html")).ShouldContain("swe-pro");
    }

    [Fact]
    public async Task A_bad_file_in_a_batch_is_exit_2_naming_file_and_line_and_nothing_is_written()
    {
        // Given a good file and a file cut short in its third line
        var good = TrialFile("good.jsonl", 2, dropFrom: 99);
        var lines = File.ReadAllLines(TrialFile("cut.jsonl", 2, dropFrom: 99, seed: 5));
        File.WriteAllText(_temp.Combine("cut.jsonl"), string.Join('\n', lines.Take(2)) + "\n" + lines[2][..20]);

        // When both are ingested together
        var result = await Cli().RunAsync("ingest", "jsonl", good, _temp.Combine("cut.jsonl"), "--db", Db);

        // Then the message names the file and line, and not even the good file's runs were stored
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain($"{_temp.Combine("cut.jsonl")}:3:");
        var runs = await Cli().RunAsync("runs", "--db", Db, "--json");
        JsonDocument.Parse(runs.Output).RootElement.GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_run_exported_again_with_other_content_is_refused_with_exit_2()
    {
        var file = TrialFile("trials.jsonl", 2, dropFrom: 99);
        (await Cli().RunAsync("ingest", "jsonl", file, "--db", Db)).ExitCode.ShouldBe(0);
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"outcome\":\"pass\"", "\"outcome\":\"fail\"", StringComparison.Ordinal));

        var again = await Cli().RunAsync("ingest", "jsonl", file, "--db", Db);

        again.ExitCode.ShouldBe(2);
        again.Error.ShouldContain("was ingested before (run 1");
        again.Error.ShouldContain("nothing was written");
    }

    [Fact]
    public async Task A_job_read_while_still_running_is_replaced_by_its_finished_read()
    {
        // Given a copy of a Harbor job whose last trial is still running (no result.json yet)
        var job = _temp.Combine("jobs", "2026-01-14__05-30-12");
        CopyFolder(Fixture("harbor", "2026-01-14__05-30-12"), job);
        var running = Directory.GetDirectories(job).Order(StringComparer.Ordinal).Last();
        File.Move(Path.Combine(running, "result.json"), _temp.Combine("held-back.json"));
        var first = await Cli().RunAsync("ingest", "harbor", job, "--db", Db);

        // When the job has finished and is ingested again
        File.Move(_temp.Combine("held-back.json"), Path.Combine(running, "result.json"));
        var second = await Cli().RunAsync("ingest", "harbor", job, "--db", Db);

        // Then the first read was stored incomplete, and the finished read took its place
        first.ExitCode.ShouldBe(0, first.Error);
        first.Output.ShouldContain("5 trials");
        first.Output.ShouldContain("incomplete: the harness had not finished it");
        second.ExitCode.ShouldBe(0, second.Error);
        second.Output.ShouldContain("6 trials");
        second.Output.ShouldContain("replaces run 1");
        var runs = JsonDocument.Parse((await Cli().RunAsync("runs", "--db", Db, "--json")).Output).RootElement;
        runs.GetArrayLength().ShouldBe(1);
        runs[0].GetProperty("status").GetString().ShouldBe("complete");
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(from))
            CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
    }

    [Fact]
    public async Task Unknown_format_and_missing_path_are_exit_2()
    {
        var format = await Cli().RunAsync("ingest", "junit", _temp.Path, "--db", Db);
        var missing = await Cli().RunAsync("ingest", "jsonl", _temp.Combine("nope.jsonl"), "--db", Db);

        format.ExitCode.ShouldBe(2);
        format.Error.ShouldContain("FORMAT: unknown format 'junit' (expected inspect, harbor, margin, promptfoo, jsonl, csv)");
        missing.ExitCode.ShouldBe(2);
        missing.Error.ShouldContain("nope.jsonl: no such file or folder");
    }

    [Fact]
    public async Task A_scheduled_ingest_judges_the_new_runs_and_alerts_a_webhook_once()
    {
        // Given a tracker's run folders with a drop, a schedule that ingests them daily, and a webhook on 127.0.0.1
        await using var receiver = await LoopbackServer.StartAsync((_, context) => context.Response.WriteAsync("ok"));
        MarginRuns("runs", 44, dropFrom: 30);
        _temp.Write("driftwatch.yaml", """
            schedule:
              entries:
                - name: tracker-nightly
                  ingest: margin
                  paths: runs
                  agent: claude-code
                  suite: swe-pro
                  cron: "30 6 * * *"
            alerts:
              sinks:
                - type: webhook
                  url_env: DW_TEST_HOOK
            """);
        var environment = new Dictionary<string, string> { ["DW_TEST_HOOK"] = receiver.BaseUrl + "/hook" };

        // When schedule --once runs twice
        var first = await Cli(environment).RunAsync("schedule", "--once", "--fail-on-degradation", "--db", Db);
        var second = await Cli(environment).RunAsync("schedule", "--once", "--db", Db);

        // Then the first ingested the 44 runs, judged them degraded (exit 3) and alerted once; the second ran nothing new
        first.ExitCode.ShouldBe(3, first.Error + first.Output);
        first.Output.ShouldContain("tracker-nightly: ingested 44 new run(s)");
        first.Output.ShouldContain("claude-code on swe-pro DEGRADED");
        receiver.Requests.Count.ShouldBe(1);
        var alert = receiver.Requests[0].Body!.AsObject();
        alert["event"]!.GetValue<string>().ShouldBe("degraded");
        alert["dailyTotals"]!.GetValue<bool>().ShouldBeTrue();
        second.ExitCode.ShouldBe(0, second.Error);
        second.Output.ShouldContain("skipped, already ran");
        receiver.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_scheduled_ingest_of_a_missing_folder_is_bad_configuration_naming_the_entry()
    {
        _temp.Write("driftwatch.yaml", """
            schedule:
              entries:
                - ingest: margin
                  paths: [no-such-runs]
                  cron: "30 6 * * *"
            """);

        var result = await Cli().RunAsync("schedule", "--once", "--db", Db);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("schedule.entries[0].paths");
        result.Error.ShouldContain("no-such-runs: no such file or folder");
    }
}
