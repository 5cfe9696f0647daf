using System.Text.Json;
using Driftwatch.Agents;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Configuration;
using Driftwatch.Formats.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Driftwatch.Testing.Servers;
using Microsoft.AspNetCore.Http;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// `schedule` and `--fail-on-degradation` through the real command line: exit codes for CI, an
/// alert delivered to a webhook on 127.0.0.1, bad configuration named by file and field, and a
/// SIGTERM that leaves the slot's run resumable.
/// </summary>
public sealed class ScheduleCommandTests : IDisposable
{
    private const int TaskCount = 40;
    private readonly TempDirectory _temp = new("cli-schedule");
    private readonly string _suite;
    private readonly IReadOnlyList<string> _tasks;

    public ScheduleCommandTests()
    {
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < TaskCount; i++)
            builder.AddAdder($"task-{i:00}");
        _suite = builder.Build();
        _tasks = builder.TaskIds;
    }

    public void Dispose() => _temp.Dispose();

    private string Db => _temp.Combine("dw.db");

    /// <summary>
    /// 40 days of "sim" on the suite, as the configuration in driftwatch.yaml and the suite's
    /// revision (another configuration or revision would start a new history); from day 30 eight
    /// tasks that used to pass fail.
    /// </summary>
    private Task DegradedHistory() => History((day, i) => day >= 30 && i >= 32 ? 0.02 : StoredHistory.Usual(i, TaskCount), day => day >= 30 ? "2.0" : "1.0");

    private Task SteadyHistory() => History((_, i) => StoredHistory.Usual(i, TaskCount), _ => "1.0");

    private Task History(Func<int, int, double> passRate, Func<int, string> version)
    {
        var config = DriftwatchConfigLoader.Load(_temp.Combine("driftwatch.yaml"), _temp.Path);
        return StoredHistory.WriteAsync(Db, "sim", "mini", _tasks, 40, passRate, version,
            suiteRevision: SuiteLoader.Load(_suite).Revision, agentConfigJson: AgentCatalog.Resolve("sim", config).ToJson());
    }

    /// <summary>A driftwatch.yaml with the simulated agent "sim", one daily entry running one task, and the given alerts section.</summary>
    private void Config(string alerts = "", int delayMs = 0, string tasks = "task-00", string cron = "0 6 * * *")
    {
        _temp.Write("driftwatch.yaml", $"""
            agents:
              sim:
                kind: simulated
                skill: 0.8
                seed: 3
                delay_ms: {delayMs}
            schedule:
              entries:
                - agent: sim
                  suite: {_suite}
                  cron: "{cron}"
                  tasks: "{tasks}"
            {alerts}
            """);
    }

    private CliHarness Cli(Dictionary<string, string>? environment = null) => new(_temp.Path, environment);

    [Fact]
    public async Task Run_with_fail_on_degradation_exits_3_on_a_degraded_history_and_0_on_a_steady_one()
    {
        // Given a degraded history of "sim" on the suite
        Config();
        await DegradedHistory();

        // When today's run adds one trial with --fail-on-degradation
        var degraded = await Cli().RunAsync("run", "--agent", "sim", "--suite", _suite, "--tasks", "task-00", "--db", Db, "--sandbox", "none", "--fail-on-degradation");

        // Then it exits 3 after printing the verdict; without the flag the same run exits 0
        degraded.ExitCode.ShouldBe(3, degraded.Error);
        degraded.Output.ShouldContain("degraded");
        (await Cli().RunAsync("run", "--agent", "sim", "--suite", _suite, "--tasks", "task-00", "--db", Db, "--sandbox", "none")).ExitCode.ShouldBe(0);
        var json = await Cli().RunAsync("run", "--agent", "sim", "--suite", _suite, "--tasks", "task-00", "--db", Db, "--sandbox", "none", "--json", "--fail-on-degradation");
        json.ExitCode.ShouldBe(3);
        json.Error.ShouldContain("degraded: sim on mini");
        JsonDocument.Parse(json.Output).RootElement.GetProperty("status").GetString().ShouldBe("complete");
    }

    [Fact]
    public async Task Run_with_fail_on_degradation_exits_0_when_the_history_is_steady()
    {
        Config();
        await SteadyHistory();

        var result = await Cli().RunAsync("run", "--agent", "sim", "--suite", _suite, "--tasks", "task-00", "--db", Db, "--sandbox", "none", "--fail-on-degradation");

        result.ExitCode.ShouldBe(0, result.Error);
    }

    [Fact]
    public async Task Schedule_once_runs_the_due_slot_alerts_a_local_webhook_and_exits_3_then_skips_the_slot_on_the_next_call()
    {
        // Given a degraded history, and alerts to the console and a generic webhook on 127.0.0.1 whose URL is in the environment
        await using var receiver = await LoopbackServer.StartAsync((_, context) => context.Response.WriteAsync("ok"));
        Config(alerts: """
            alerts:
              dashboard_url: http://127.0.0.1:5170/agents/{agent}/{suite}?run={run}
              sinks:
                - type: console
                - type: webhook
                  url_env: DW_TEST_HOOK
            """);
        var environment = new Dictionary<string, string> { ["DW_TEST_HOOK"] = receiver.BaseUrl + "/hook" };
        await DegradedHistory();

        // When schedule --once runs with --fail-on-degradation
        var first = await Cli(environment).RunAsync("schedule", "--once", "--fail-on-degradation", "--db", Db, "--sandbox", "none", "--parallel", "1");

        // Then the due slot ran, the verdict is degraded (exit 3), and the webhook got the alert once
        first.ExitCode.ShouldBe(3, first.Error + first.Output);
        first.Output.ShouldContain("1 slot(s) run");
        first.Output.ShouldContain("sim on mini: DEGRADED");
        receiver.Requests.Count.ShouldBe(1);
        var alert = receiver.Requests[0].Body!.AsObject();
        TestContext.Current.SendDiagnosticMessage("webhook received: {0}", receiver.Requests[0].RawBody);
        alert["event"]!.GetValue<string>().ShouldBe("degraded");
        alert["agent"]!.GetValue<string>().ShouldBe("sim");
        alert["suite"]!.GetValue<string>().ShouldBe("mini");
        alert["effect"]!.GetValue<double>().ShouldBeLessThan(0);
        alert["high"]!.GetValue<double>().ShouldBeLessThan(0);
        alert["changeDay"].ShouldNotBeNull();
        alert["flippedTasks"]!.AsArray().Count.ShouldBeInRange(1, 5);
        alert["fingerprintChanges"]!.AsArray().ShouldContain(c => c!.GetValue<string>().Contains("1.0 → 2.0", StringComparison.Ordinal));
        var runId = alert["runId"]!.GetValue<long>();
        alert["dashboardUrl"]!.GetValue<string>().ShouldBe($"http://127.0.0.1:5170/agents/sim/mini?run={runId}");
        receiver.Requests[0].RawBody.ShouldNotContain(receiver.BaseUrl);

        // When it is called again in the same slot
        var second = await Cli(environment).RunAsync("schedule", "--once", "--fail-on-degradation", "--db", Db, "--sandbox", "none");

        // Then nothing runs, no alert repeats, and the verdict still fails the job
        second.ExitCode.ShouldBe(3, second.Error);
        second.Output.ShouldContain("0 slot(s) run");
        second.Output.ShouldContain("already ran");
        receiver.Requests.Count.ShouldBe(1);
        using var store = SqliteResultStore.Open(Db);
        (await store.ListRunsAsync(new RunQuery())).Count.ShouldBe(41);
    }

    [Fact]
    public async Task Schedule_once_without_the_flag_exits_0_on_a_degradation()
    {
        Config();
        await DegradedHistory();

        var result = await Cli().RunAsync("schedule", "--once", "--db", Db, "--sandbox", "none");

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("degraded");
    }

    [Theory]
    [InlineData("cron: \"0 6 * *\"", "schedule.entries[0].cron")]
    [InlineData("cron: \"0 25 * * *\"", "schedule.entries[0].cron")]
    public async Task A_bad_cron_expression_is_bad_input_naming_the_file_and_field(string cron, string field)
    {
        _temp.Write("driftwatch.yaml", $$"""
            agents:
              sim: { kind: simulated }
            schedule:
              entries:
                - agent: sim
                  {{cron}}
            """);

        var result = await Cli().RunAsync("schedule", "--once", "--db", Db);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain(_temp.Combine("driftwatch.yaml"));
        result.Error.ShouldContain(field);
        result.Error.Trim().Split('\n').Length.ShouldBe(1);
    }

    [Fact]
    public async Task A_bad_task_pattern_in_an_entry_is_bad_input_naming_the_file_and_field_before_anything_runs()
    {
        // Given an entry whose task pattern has a range that runs backwards
        Config(tasks: "task-[9-0]*");

        // When the schedule is run
        var result = await Cli().RunAsync("schedule", "--once", "--db", Db, "--sandbox", "none");

        // Then one line names the file, the entry's field and the range, and no slot was claimed
        result.ExitCode.ShouldBe(2, result.Output + result.Error);
        result.Error.Trim().ShouldStartWith($"error: {_temp.Combine("driftwatch.yaml")}:");
        result.Error.ShouldContain("schedule.entries[0].tasks: range '9-0' runs backwards");
        result.Error.Trim().Split('\n').Length.ShouldBe(1);
        File.Exists(Db).ShouldBeFalse();
    }

    [Fact]
    public async Task An_unknown_sink_type_is_bad_input_naming_the_file_and_field()
    {
        Config(alerts: """
            alerts:
              sinks:
                - type: pager
            """);

        var result = await Cli().RunAsync("schedule", "--once", "--db", Db);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain(_temp.Combine("driftwatch.yaml"));
        result.Error.ShouldContain("alerts.sinks[0].type");
        result.Error.ShouldContain("pager");
    }

    [Fact]
    public async Task A_missing_url_env_variable_is_bad_input_before_anything_runs()
    {
        Config(alerts: """
            alerts:
              sinks:
                - type: slack
                  url_env: DW_TEST_SLACK_UNSET
            """);

        var result = await Cli().RunAsync("schedule", "--once", "--db", Db, "--sandbox", "none");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain(_temp.Combine("driftwatch.yaml"));
        result.Error.ShouldContain("alerts.sinks[0].url_env");
        result.Error.ShouldContain("DW_TEST_SLACK_UNSET is not set");
        if (File.Exists(Db))
        {
            using var store = SqliteResultStore.Open(Db);
            (await store.ListRunsAsync(new RunQuery())).ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task Fail_on_degradation_needs_once_because_a_long_running_scheduler_never_exits_on_a_verdict()
    {
        Config();

        var result = await Cli().RunAsync("schedule", "--fail-on-degradation", "--db", Db);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("--fail-on-degradation");
    }

    [Fact]
    public async Task The_commented_schedule_and_alerts_examples_that_init_writes_parse_once_uncommented()
    {
        // Given the file init writes, with its schedule and alerts examples uncommented
        (await Cli().RunAsync("init", "--out", _temp.Combine("init.yaml"))).ExitCode.ShouldBe(0);
        var lines = File.ReadAllLines(_temp.Combine("init.yaml"));
        var from = Array.IndexOf(lines, "# schedule:");
        from.ShouldBeGreaterThan(0);
        var uncommented = lines.Select((line, i) => i >= from && line.StartsWith("# ", StringComparison.Ordinal) &&
            (line[2] == ' ' || line[2..].StartsWith("schedule:", StringComparison.Ordinal) || line[2..].StartsWith("alerts:", StringComparison.Ordinal)) ? line[2..] : line);
        File.WriteAllLines(_temp.Combine("uncommented.yaml"), uncommented);

        // When it is loaded
        var config = DriftwatchConfigLoader.Load(_temp.Combine("uncommented.yaml"), _temp.Path);

        // Then both entries and all four kinds of sink are there
        config.Schedule.Entries.Select(e => e.Agent).ShouldBe(["claude-code", "codex"]);
        config.Schedule.Entries[1].Key.ShouldBe("codex-nightly");
        config.Schedule.Entries[1].Cron.TimeZone.Id.ShouldBe("Europe/Berlin");
        config.Alerts.Sinks.Select(s => s.Kind).ShouldBe([AlertSinkKind.Console, AlertSinkKind.Slack, AlertSinkKind.Discord, AlertSinkKind.Webhook]);
        config.Alerts.DashboardUrl.ShouldNotBeNull();
    }

    [Fact]
    public async Task List_shows_each_entry_with_its_next_slot()
    {
        Config();

        var result = await Cli().RunAsync("schedule", "--list", "--db", Db);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("0 6 * * *");
        result.Output.ShouldContain("sim");
        // and listing, before any run, made no database
        File.Exists(Db).ShouldBeFalse();
    }

    [Fact]
    public async Task SIGTERM_stops_a_scheduled_run_cleanly_and_the_next_start_resumes_that_run_instead_of_making_another()
    {
        // Given schedule --once in a real process, running a slow slot of 40 trials
        Config(delayMs: 150, tasks: "*");
        using var process = CliProcess.Start(_temp.Path, "schedule", "--once", "--db", Db, "--sandbox", "none", "--parallel", "2");
        var recorded = await WaitForTrials(process, atLeast: 4);

        // When it receives SIGTERM
        process.Signal(15);
        var (exitCode, output, error) = await process.WaitAsync(TimeSpan.FromSeconds(60));

        // Then it exits 130, the run is incomplete but its committed trials are kept
        exitCode.ShouldBe(130, output + error);
        output.ShouldContain("interrupted");
        using (var store = SqliteResultStore.Open(Db))
        {
            var run = (await store.ListRunsAsync(new RunQuery())).Single();
            run.Status.ShouldNotBe(RunStatus.Complete);
            (await store.GetTrialsAsync(run.Id)).Count.ShouldBeGreaterThanOrEqualTo(recorded);
        }

        // When the schedule is started again
        var again = await Cli().RunAsync("schedule", "--once", "--db", Db, "--sandbox", "none", "--parallel", "2");

        // Then the same run is finished, with each planned trial once, and no second run is made
        again.ExitCode.ShouldBe(0, again.Error);
        again.Output.ShouldContain("resum");
        using var after = SqliteResultStore.Open(Db);
        var runs = await after.ListRunsAsync(new RunQuery());
        runs.Count.ShouldBe(1);
        runs[0].Status.ShouldBe(RunStatus.Complete);
        var trials = await after.GetTrialsAsync(runs[0].Id);
        trials.Count.ShouldBe(TaskCount);
        trials.Select(t => t.TaskId).Distinct().Count().ShouldBe(TaskCount);
    }

    [Fact]
    public async Task SIGTERM_stops_an_idle_long_running_scheduler_with_exit_0()
    {
        // Given the long-running scheduler waiting for a slot a year away
        Config(cron: "0 0 1 1 *");
        using var process = CliProcess.Start(_temp.Path, "schedule", "--db", Db, "--sandbox", "none");
        for (var i = 0; i < 1200 && !File.Exists(Db); i++)
        {
            process.HasExited.ShouldBeFalse();
            await Task.Delay(50);
        }
        await Task.Delay(1500); // past start-up, into the wait for the slot

        // When it receives SIGTERM
        process.Signal(15);
        var (exitCode, output, error) = await process.WaitAsync(TimeSpan.FromSeconds(60));

        // Then it stops at once, cleanly, having run nothing
        exitCode.ShouldBe(0, output + error);
        output.ShouldContain("stopped");
        using var store = SqliteResultStore.Open(Db);
        (await store.ListRunsAsync(new RunQuery())).ShouldBeEmpty();
    }

    [Fact]
    public async Task SIGTERM_during_a_slot_of_the_long_running_scheduler_leaves_the_run_for_the_next_start_to_finish()
    {
        // Given the long-running scheduler with a slot every five seconds, running a slow slot of 40 trials
        Config(delayMs: 150, tasks: "*", cron: "*/5 * * * * *");
        using var process = CliProcess.Start(_temp.Path, "schedule", "--db", Db, "--sandbox", "none", "--parallel", "2");
        await WaitForTrials(process, atLeast: 4);

        // When it receives SIGTERM mid-run
        process.Signal(15);
        var (exitCode, output, error) = await process.WaitAsync(TimeSpan.FromSeconds(60));

        // Then it exits 130 saying the run is resumable
        exitCode.ShouldBe(130, output + error);
        output.ShouldContain("stopped during a run");

        // When the schedule runs next
        var again = await Cli().RunAsync("schedule", "--once", "--db", Db, "--sandbox", "none", "--parallel", "2");

        // Then the interrupted run is finished first — every planned trial once — and only then is a new slot run
        again.ExitCode.ShouldBe(0, again.Error);
        again.Output.ShouldContain("resuming run 1");
        using var store = SqliteResultStore.Open(Db);
        var first = (await store.GetRunAsync(1))!;
        first.Status.ShouldBe(RunStatus.Complete);
        var trials = await store.GetTrialsAsync(1);
        trials.Count.ShouldBe(TaskCount);
        trials.Select(t => t.TaskId).Distinct().Count().ShouldBe(TaskCount);
        (await store.ListRunsAsync(new RunQuery())).Count.ShouldBeLessThanOrEqualTo(2);
    }

    private async Task<int> WaitForTrials(CliProcess process, int atLeast)
    {
        for (var i = 0; i < 1200; i++)
        {
            if (File.Exists(Db))
            {
                using var store = SqliteResultStore.Open(Db);
                var runs = await store.ListRunsAsync(new RunQuery());
                if (runs.Count >= 1)
                {
                    var done = (await store.GetTrialsAsync(runs.Min(r => r.Id))).Count;
                    if (done >= atLeast)
                        return done;
                }
            }
            if (process.HasExited)
            {
                var (code, output, error) = await process.WaitAsync(TimeSpan.FromSeconds(10));
                throw new ShouldAssertException($"the schedule exited {code} before it could be stopped:\n{output}\n{error}");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"fewer than {atLeast} trials recorded after 60 s");
    }
}
