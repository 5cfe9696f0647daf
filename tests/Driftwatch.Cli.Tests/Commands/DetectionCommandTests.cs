using System.Text.Json;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

public sealed class DetectionCommandTests : IDisposable
{
    private static readonly string[] Tasks = [.. Enumerable.Range(0, 40).Select(i => $"task-{i:00}")];
    private readonly TempDirectory _temp = new("cli-detect");
    private readonly CliHarness _cli;

    public DetectionCommandTests() => _cli = new CliHarness(_temp.Path);

    public void Dispose() => _temp.Dispose();

    private string Db => _temp.Combine("dw.db");

    /// <summary>40 days; from day 30 a new agent version and eight tasks that used to pass now fail.</summary>
    private Task Degrading() => StoredHistory.WriteAsync(Db, "sim", "core", Tasks, 40,
        (day, i) => day >= 30 && i >= 32 ? 0.02 : StoredHistory.Usual(i, Tasks.Length),
        day => day >= 30 ? "2.0" : "1.0");

    [Fact]
    public async Task Check_exits_3_on_a_degradation_and_prints_the_documented_json()
    {
        await Degrading();

        var result = await _cli.RunAsync("check", "--db", Db, "--json");

        result.ExitCode.ShouldBe(3, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var verdict = json.RootElement.EnumerateArray().Single();
        foreach (var field in new[] { "agent", "suite", "verdict", "detector", "effect", "low", "high", "changeDay", "flippedTasks", "fingerprintChanges" })
            verdict.TryGetProperty(field, out _).ShouldBeTrue(field);
        verdict.GetProperty("verdict").GetString().ShouldBe("degraded");
        verdict.GetProperty("detector").GetString().ShouldBe("cusum");
        verdict.GetProperty("effect").GetDouble().ShouldBeLessThan(-0.1);
        verdict.GetProperty("high").GetDouble().ShouldBeLessThan(0);
        DateOnly.Parse(verdict.GetProperty("changeDay").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeInRange(DateOnly.FromDateTime(StoredHistory.Start.AddDays(26).UtcDateTime), DateOnly.FromDateTime(StoredHistory.Start.AddDays(33).UtcDateTime));
        // The eight tasks that broke are the most surprising ones, listed first.
        var flipped = verdict.GetProperty("flippedTasks").EnumerateArray().Select(f => f.GetProperty("task").GetString()).ToList();
        flipped.Take(8).Order().ShouldBe(Tasks[32..]);
        verdict.GetProperty("fingerprintChanges").EnumerateArray().Single().GetString().ShouldStartWith("agent version: 1.0 → 2.0");
    }

    [Fact]
    public async Task Check_names_a_behaviour_change_in_text_and_json_with_its_signal_and_what_triggered_the_warning()
    {
        // Given 40 days with steady pass rates, on which output tokens fall by 40% from day 30
        var noise = new Core.Statistics.Rng(5);
        await StoredHistory.WriteAsync(Db, "sim", "core", Tasks, 40, (_, i) => StoredHistory.Usual(i, Tasks.Length),
            usage: (day, i) => new Core.Runs.AgentUsage { OutputTokens = (long)Math.Round((day >= 30 ? 0.6 : 1) * (500 + 50 * i) * Math.Exp(0.3 * noise.NextNormal())) });

        // When it is checked, in text and in JSON
        var text = await _cli.RunAsync("check", "--db", Db);
        var result = await _cli.RunAsync("check", "--db", Db, "--json");

        // Then the text says what moved, and the JSON carries the signal and what triggered the warning
        text.ExitCode.ShouldBe(0, text.Error);
        System.Text.RegularExpressions.Regex.IsMatch(text.Output, "behaviour changed: output tokens −(3[3-9]|4[0-7])% since 2026-0(3-3[01]|4-01)").ShouldBeTrue(text.Output);
        using var json = JsonDocument.Parse(result.Output);
        var verdict = json.RootElement.EnumerateArray().Single();
        verdict.GetProperty("verdict").GetString().ShouldBe("warning");
        verdict.GetProperty("triggeredBy").EnumerateArray().Select(t => t.GetString()).ShouldBe(["outputTokens"]);
        var tokens = verdict.GetProperty("signals").EnumerateArray().Single(s => s.GetProperty("signal").GetString() == "outputTokens");
        tokens.GetProperty("kind").GetString().ShouldBe("behaviour");
        tokens.GetProperty("polarity").GetString().ShouldBe("neutral");
        tokens.GetProperty("status").GetString().ShouldBe("warning");
        tokens.GetProperty("direction").GetString().ShouldBe("down");
        tokens.GetProperty("change").GetDouble().ShouldBe(-0.4, 0.08);
        tokens.GetProperty("arl0").GetDouble().ShouldBe(730);
        tokens.GetProperty("days").GetArrayLength().ShouldBe(40);
    }

    [Fact]
    public async Task Check_of_a_steady_agent_exits_0()
    {
        await StoredHistory.WriteAsync(Db, "sim", "core", Tasks, 40, (_, i) => StoredHistory.Usual(i, Tasks.Length));

        var result = await _cli.RunAsync("check", "--db", Db);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldContain("sim");
        result.Output.ShouldContain("baseline");
    }

    [Fact]
    public async Task Check_of_a_short_history_says_insufficient_never_ok_and_exits_0()
    {
        // Given five days, fewer than a judgement needs
        await StoredHistory.WriteAsync(Db, "sim", "core", Tasks, 5, (_, i) => StoredHistory.Usual(i, Tasks.Length));

        // When it is checked, as text and as JSON
        var text = await _cli.RunAsync("check", "--db", Db);
        var json = await _cli.RunAsync("check", "--db", Db, "--json");

        // Then both say insufficient with the reason, never ok, and neither is a degradation
        text.ExitCode.ShouldBe(0, text.Error);
        text.Output.ShouldStartWith("insufficient · sim on core", Case.Sensitive);
        text.Output.ShouldContain("not enough history to judge: 5 day(s)", Case.Sensitive);
        System.Text.RegularExpressions.Regex.IsMatch(text.Output, @"\bok\b").ShouldBeFalse(text.Output);
        json.ExitCode.ShouldBe(0, json.Error);
        using var doc = JsonDocument.Parse(json.Output);
        var verdict = doc.RootElement.EnumerateArray().Single();
        verdict.GetProperty("verdict").GetString().ShouldBe("insufficient");
        verdict.GetProperty("note").GetString()!.ShouldStartWith("not enough history");
    }

    [Fact]
    public async Task Check_names_the_trackers_rule_when_asked_and_rejects_unknown_detectors()
    {
        await Degrading();

        (await _cli.RunAsync("check", "--db", Db, "--detector", "tracker-windows")).Output.ShouldContain("tracker-windows");
        var bad = await _cli.RunAsync("check", "--db", Db, "--detector", "astrology");
        bad.ExitCode.ShouldBe(2);
        bad.Error.ShouldContain("--detector: unknown detector 'astrology'");
    }

    [Fact]
    public async Task Check_with_the_trackers_rule_shows_its_windows_in_text_and_json()
    {
        // Given a history whose last days dropped
        await Degrading();

        // When it is checked with the trackers' rule, as text and as JSON
        var text = await _cli.RunAsync("check", "--db", Db, "--detector", "tracker-windows");
        var json = await _cli.RunAsync("check", "--db", Db, "--detector", "tracker-windows", "--json");

        // Then the text has a line per window with the tracker's figures, and the JSON the same windows
        text.ExitCode.ShouldBe(3, text.Error);
        var lines = text.Output.Split('\n');
        foreach (var window in new[] { "1 day ", "7 days ", "30 days " })
        {
            var line = lines.Single(l => l.TrimStart().StartsWith(window, StringComparison.Ordinal));
            line.ShouldContain("trials · accuracy");
            line.ShouldContain("95% CI");
            line.ShouldContain("p↓");
            line.ShouldContain("for significance");
        }
        text.Output.ShouldContain("fires: worse");
        using var document = JsonDocument.Parse(json.Output);
        var windows = document.RootElement.EnumerateArray().Single().GetProperty("trackerWindows").EnumerateArray().ToList();
        windows.Select(w => w.GetProperty("days").GetInt32()).ShouldBe([1, 7, 30]);
        windows.ShouldContain(w => w.GetProperty("worse").GetBoolean());
        foreach (var field in new[] { "trials", "passes", "accuracy", "wilsonLow", "wilsonHigh", "pLower", "pUpper", "dropThreshold", "riseThreshold", "threshold", "better" })
            windows[0].TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Fact]
    public async Task Check_without_runs_is_bad_input()
    {
        // Given a database with no run in it
        using (Driftwatch.Storage.Sqlite.SqliteResultStore.Open(Db))
        {
        }

        (await _cli.RunAsync("check", "--db", Db)).Error.ShouldContain("no runs stored yet");
    }

    [Fact]
    public async Task Compare_lists_the_flipped_tasks_with_a_paired_test()
    {
        await Degrading();

        var result = await _cli.RunAsync("compare", "5", "38", "--db", Db, "--json");

        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        root.GetProperty("method").GetString().ShouldBe("mcnemar-exact");
        root.GetProperty("pairedTasks").GetInt32().ShouldBe(40);
        root.GetProperty("difference").GetDouble().ShouldBeLessThan(0);
        root.GetProperty("passToFail").GetInt32().ShouldBeGreaterThan(root.GetProperty("failToPass").GetInt32());
        root.GetProperty("flippedTasks").GetArrayLength().ShouldBe(root.GetProperty("passToFail").GetInt32() + root.GetProperty("failToPass").GetInt32());
    }

    [Fact]
    public async Task Simulate_tokens_compares_the_pass_rate_alone_with_the_combined_verdict_in_the_same_json_rows()
    {
        // When the tokens scenario is simulated (its null run comes with it)
        var result = await _cli.RunAsync("simulate", "--scenario", "tokens", "--reps", "3", "--null-reps", "3", "--arl0", "50", "--json");

        // Then there are null and tokens rows for the pass rate alone (cusum), the combined verdict and each of its signals alone, in the usual fields
        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var rows = json.RootElement.EnumerateArray().Select(r => (r.GetProperty("detector").GetString(), r.GetProperty("scenario").GetString())).ToList();
        rows.ShouldBe([
            ("cusum", "null"), ("cusum", "tokens"), ("combined", "null"), ("combined", "tokens"),
            ("outputTokens", "null"), ("outputTokens", "tokens"), ("lintBeyondReference", "null"), ("lintBeyondReference", "tokens")]);
        var combined = json.RootElement.EnumerateArray().Single(r => r.GetProperty("detector").GetString() == "combined" && r.GetProperty("scenario").GetString() == "tokens");
        combined.GetProperty("medianDelay").GetDouble().ShouldBeLessThanOrEqualTo(3);
    }

    [Fact]
    public async Task Simulate_json_has_a_row_per_detector_and_scenario()
    {
        var result = await _cli.RunAsync("simulate", "--scenario", "null,step", "--delta", "0.1", "--reps", "20", "--null-reps", "20", "--arl0", "50", "--json");

        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var rows = json.RootElement.EnumerateArray().ToList();
        rows.Count.ShouldBe(6);
        foreach (var field in new[] { "detector", "scenario", "delta", "tau", "reps", "arl0", "falseAlarmYearShare", "meanDelay", "medianDelay", "detectedWithin7Share" })
            rows[0].TryGetProperty(field, out _).ShouldBeTrue(field);
        var nullRow = rows.First(r => r.GetProperty("scenario").GetString() == "null");
        nullRow.GetProperty("arl0").GetDouble().ShouldBeGreaterThan(0);
        nullRow.GetProperty("meanDelay").ValueKind.ShouldBe(JsonValueKind.Null);
        var stepRow = rows.First(r => r.GetProperty("scenario").GetString() == "step");
        stepRow.GetProperty("delta").GetDouble().ShouldBe(0.1);
        stepRow.GetProperty("arl0").ValueKind.ShouldBe(JsonValueKind.Null);
        rows.Select(r => r.GetProperty("detector").GetString()).Distinct().ShouldBe(["cusum", "ewma", "tracker-windows"]);
    }

    [Fact]
    public async Task Plan_recommends_a_design_from_history()
    {
        await StoredHistory.WriteAsync(Db, "sim", "core", Tasks, 30, (_, i) => StoredHistory.Usual(i, Tasks.Length));

        var result = await _cli.RunAsync("plan", "--db", Db, "--agent", "sim", "--suite", "core", "--delta", "0.1", "--json");

        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("tasks").GetInt32().ShouldBe(40);
        json.RootElement.GetProperty("source").GetString()!.ShouldContain("sim on core");
        var designs = json.RootElement.GetProperty("designs").EnumerateArray().ToList();
        designs.Select(d => d.GetProperty("allocation").GetString()).ShouldContain("adaptive");
        var uniform = designs.Where(d => d.GetProperty("allocation").GetString() == "uniform").Select(d => d.GetProperty("power").GetDouble()).ToList();
        uniform.ShouldBe(uniform.Order().ToList());
    }

    [Fact]
    public async Task Run_with_a_budget_spends_it_adaptively_from_the_baseline()
    {
        // Given a suite and 20 days of history of the simulated agent on it
        var suite = new SuiteBuilder(_temp.Combine("suite"), name: "mini");
        for (var i = 0; i < 8; i++)
            suite.AddAdder($"add-{i}");
        var path = suite.Build();
        await StoredHistory.WriteAsync(Db, "simulated", "mini", [.. suite.TaskIds], 20, (_, i) => i < 2 ? 0.99 : 0.5);

        // When a run is given a budget of 12 trials
        var result = await _cli.RunAsync("run", "--suite", path, "--budget", "12", "--db", Db, "--sandbox", "none", "--json");

        // Then it runs 12 trials, most on the informative tasks
        result.ExitCode.ShouldBe(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToList();
        trials.Count.ShouldBe(12);
        trials.Count(t => t.GetProperty("task").GetString() is "add-0" or "add-1").ShouldBeLessThanOrEqualTo(3);
        using var store = SqliteResultStore.Open(Db);
        (await store.GetRunAsync(json.RootElement.GetProperty("id").GetInt64()))!.Allocation.ShouldBe("adaptive");
    }
}
