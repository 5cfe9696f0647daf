using System.Text.Json;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

public sealed class RunCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-run");
    private readonly CliHarness _cli;
    private readonly string _suite;

    public RunCommandTests()
    {
        _cli = new CliHarness(_temp.Path);
        _suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").AddAdder("add-b", "debugging").AddAdder("add-c", "completion").Build();
    }

    public void Dispose() => _temp.Dispose();

    private string Db => _temp.Combine("dw.db");

    [Fact]
    public async Task Run_json_has_the_documented_shape()
    {
        // When a run is started with --json
        var result = await _cli.RunAsync("run", "--suite", _suite, "--trials", "2", "--seed", "5", "--db", Db, "--sandbox", "none", "--json");

        // Then it exits 0 and prints the run with every documented field
        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var run = json.RootElement;
        foreach (var field in new[] { "id", "agent", "suite", "status", "startedAt", "finishedAt", "trials", "summary" })
            run.TryGetProperty(field, out _).ShouldBeTrue(field);
        run.GetProperty("agent").GetString().ShouldBe("simulated");
        run.GetProperty("synthetic").GetBoolean().ShouldBeTrue();
        run.GetProperty("suite").GetString().ShouldBe("mini");
        run.GetProperty("status").GetString().ShouldBe("complete");
        run.GetProperty("seed").GetInt32().ShouldBe(5);
        var trials = run.GetProperty("trials").EnumerateArray().ToList();
        trials.Count.ShouldBe(6);
        foreach (var field in new[] { "task", "trial", "outcome", "testsPassed", "testsTotal", "durationMs", "inputTokens", "outputTokens", "costUsd", "agentVersion" })
            trials[0].TryGetProperty(field, out _).ShouldBeTrue(field);
        trials.Select(t => t.GetProperty("outcome").GetString()).ShouldAllBe(o => o == "pass" || o == "fail");
        trials.ShouldAllBe(t => t.GetProperty("testsTotal").GetInt32() == 4);
        // and the verdict the text prints, in the shape of check --json
        var verdict = run.GetProperty("verdict");
        verdict.GetProperty("agent").GetString().ShouldBe("simulated");
        verdict.GetProperty("verdict").GetString().ShouldBe("insufficient");
        verdict.GetProperty("note").GetString()!.ShouldStartWith("not enough history to judge");
        var summary = run.GetProperty("summary");
        foreach (var field in new[] { "total", "pass", "fail", "timeout", "error", "passRate", "low", "high" })
            summary.TryGetProperty(field, out _).ShouldBeTrue(field);
        summary.GetProperty("total").GetInt32().ShouldBe(6);
        var pass = summary.GetProperty("pass").GetInt32();
        summary.GetProperty("passRate").GetDouble().ShouldBe(pass / 6.0, 1e-9);
        summary.GetProperty("low").GetDouble().ShouldBeLessThanOrEqualTo(pass / 6.0);
        summary.GetProperty("high").GetDouble().ShouldBeGreaterThanOrEqualTo(pass / 6.0);
    }

    [Fact]
    public async Task Run_prints_the_closing_table_per_category_with_wilson_intervals()
    {
        var result = await _cli.RunAsync("run", "--suite", _suite, "--db", Db, "--sandbox", "none", "--seed", "1");

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("Run 1");
        result.Output.ShouldContain("(synthetic)");
        result.Output.ShouldContain("generation");
        result.Output.ShouldContain("debugging");
        result.Output.ShouldContain("completion");
        result.Output.ShouldContain("pass rate (95% CI)");
        result.Output.ShouldContain("outcomes: pass");
        result.Output.ShouldContain("harness");
        result.Error.ShouldContain("UNCONFINED: --sandbox none");
    }

    [Fact]
    public async Task Runs_and_show_list_and_describe_stored_runs()
    {
        await _cli.RunAsync("run", "--suite", _suite, "--db", Db, "--sandbox", "none", "--seed", "1");
        await _cli.RunAsync("run", "--suite", _suite, "--db", Db, "--sandbox", "none", "--seed", "2", "--tasks", "add-a");

        var runs = await _cli.RunAsync("runs", "--db", Db, "--json");
        var show = await _cli.RunAsync("show", "2", "--db", Db, "--json");
        var text = await _cli.RunAsync("show", "1", "--db", Db, "--task", "add-b");

        runs.ExitCode.ShouldBe(0);
        using var list = JsonDocument.Parse(runs.Output);
        list.RootElement.GetArrayLength().ShouldBe(2);
        foreach (var field in new[] { "id", "agent", "suite", "status", "startedAt", "summary" })
            list.RootElement[0].TryGetProperty(field, out _).ShouldBeTrue(field);
        using var one = JsonDocument.Parse(show.Output);
        one.RootElement.GetProperty("id").GetInt64().ShouldBe(2);
        one.RootElement.GetProperty("taskFilter").GetString().ShouldBe("add-a");
        one.RootElement.GetProperty("trials").GetArrayLength().ShouldBe(1);
        text.ExitCode.ShouldBe(0, text.Error);
        text.Output.ShouldContain("add-b#0 · Transcript");
        text.Output.ShouldContain("add-b#0 · TestOutput");
        text.Output.ShouldContain("\"type\":\"synthetic\"");
    }

    [Fact]
    public async Task A_run_whose_trials_all_fail_still_exits_zero()
    {
        // Given an agent that never gets it right: it finishes without touching the workspace (a
        // simulated agent of low skill still passes now and then, on days its hashes fall that way)
        _temp.Write("driftwatch.yaml", "agents:\n  hopeless:\n    kind: command\n    command: true {prompt}\n");

        var result = await _cli.RunAsync("run", "--agent", "hopeless", "--suite", _suite, "--db", Db, "--sandbox", "none", "--json");

        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("summary").GetProperty("pass").GetInt32().ShouldBe(0);
        json.RootElement.GetProperty("agent").GetString().ShouldBe("hopeless");
    }

    [Fact]
    public async Task The_database_comes_from_DRIFTWATCH_DB_when_no_flag_is_given()
    {
        var fromEnvironment = _temp.Combine("elsewhere", "env.db");
        var cli = new CliHarness(_temp.Path, new Dictionary<string, string> { ["DRIFTWATCH_DB"] = fromEnvironment });

        var result = await cli.RunAsync("run", "--suite", _suite, "--sandbox", "none", "--tasks", "add-a");

        result.ExitCode.ShouldBe(0, result.Error);
        File.Exists(fromEnvironment).ShouldBeTrue();
        File.Exists(_temp.Combine(".driftwatch", "driftwatch.db")).ShouldBeFalse();
    }

    [Fact]
    public async Task The_store_comes_from_storage_in_driftwatch_yaml_and_the_db_flag_wins_over_it()
    {
        // Given a configuration whose storage section names a SQLite file
        _temp.Write("driftwatch.yaml", "storage:\n  kind: sqlite\n  path: state/configured.db\n");

        // When one run goes by the configuration and another names --db
        var configured = await _cli.RunAsync("run", "--suite", _suite, "--sandbox", "none", "--tasks", "add-a");
        var flagged = await _cli.RunAsync("run", "--suite", _suite, "--sandbox", "none", "--tasks", "add-a", "--db", Db);

        // Then the first wrote the configured file, the second only the flag's
        configured.ExitCode.ShouldBe(0, configured.Error);
        flagged.ExitCode.ShouldBe(0, flagged.Error);
        var runs = await _cli.RunAsync("runs", "--json");
        runs.ExitCode.ShouldBe(0, runs.Error);
        JsonDocument.Parse(runs.Output).RootElement.GetArrayLength().ShouldBe(1);
        File.Exists(Db).ShouldBeTrue();
        File.Exists(_temp.Combine(".driftwatch", "driftwatch.db")).ShouldBeFalse();
    }

    [Fact]
    public async Task An_unknown_storage_kind_stops_every_command_with_exit_2_naming_the_file_and_field()
    {
        // Given a configuration asking for a store Driftwatch does not have
        var file = _temp.Write("driftwatch.yaml", "storage:\n  kind: dynamo\n");

        // When a command that opens the store starts
        var result = await _cli.RunAsync("runs");

        // Then it is bad input naming the file, line and field
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain($"{file}:2: storage.kind: unknown value 'dynamo'");
    }

    [Fact]
    public async Task Without_flag_or_variable_the_database_is_under_dot_driftwatch()
    {
        var result = await _cli.RunAsync("run", "--suite", _suite, "--sandbox", "none", "--tasks", "add-a");

        result.ExitCode.ShouldBe(0, result.Error);
        File.Exists(_temp.Combine(".driftwatch", "driftwatch.db")).ShouldBeTrue();
    }

    [Fact]
    public async Task Resume_without_an_incomplete_run_is_bad_input()
    {
        await _cli.RunAsync("run", "--suite", _suite, "--db", Db, "--sandbox", "none", "--tasks", "add-a");

        var result = await _cli.RunAsync("run", "--resume", "--db", Db);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldBe("error: --resume: no incomplete run to resume\n");
    }

    [Fact]
    public async Task Show_gives_each_trials_scores_by_category_in_json_and_with_task()
    {
        // Given a run of the simulated agent on a generation, a debugging and a completion task
        var run = await _cli.RunAsync("run", "--suite", _suite, "--trials", "1", "--seed", "5", "--db", Db, "--sandbox", "none");
        run.ExitCode.ShouldBe(0, run.Error);

        // When the run is shown as JSON, and with one completion task's details
        var json = await _cli.RunAsync("show", "1", "--db", Db, "--json");
        var text = await _cli.RunAsync("show", "1", "--db", Db, "--task", "add-c");

        // Then each trial's metrics hold its category's scores (null where the category has none),
        // and the text names the completion's scores
        using var shown = JsonDocument.Parse(json.Output);
        var metrics = shown.RootElement.GetProperty("trials").EnumerateArray()
            .ToDictionary(t => t.GetProperty("task").GetString()!, t => t.GetProperty("metrics"));
        double? Value(string task, string name) => metrics[task].GetProperty(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : null;
        Value("add-c", "completionEditSimilarity").ShouldNotBeNull();
        Value("add-c", "completionExactMatch").ShouldBeOneOf(0, 1);
        Value("add-b", "faultHunksTouched").ShouldNotBeNull();
        Value("add-a", "completionEditSimilarity").ShouldBeNull();
        Value("add-a", "faultHunksTouched").ShouldBeNull();
        text.ExitCode.ShouldBe(0, text.Error);
        text.Output.ShouldContain("score: completion edit similarity: ");
    }
}
