using System.Diagnostics;
using System.Text.Json;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>`suite import`: every format gives a suite that `suite validate` proves sound; bad data is exit 2 and leaves nothing.</summary>
public sealed class SuiteImportCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-import");
    private readonly CliHarness _cli;

    public SuiteImportCommandTests() => _cli = new CliHarness(_temp.Path);

    public void Dispose() => _temp.Dispose();

    private static string Fixture(params string[] parts) => Path.Combine([RepositoryPaths.ImportFixtures, .. parts]);

    private async Task<JsonElement> ValidateAsync(string suite, params string[] extra)
    {
        var result = await _cli.RunAsync(["suite", "validate", suite, "--json", "--parallel", "2", .. extra]);
        result.ExitCode.ShouldBe(0, result.Output + result.Error);
        return JsonDocument.Parse(result.Output).RootElement.Clone();
    }

    private async Task<string> ImportAsync(string format, string source, string name)
    {
        var result = await _cli.RunAsync("suite", "import", format, source, "--out", name);
        result.ExitCode.ShouldBe(0, result.Output + result.Error);
        return _temp.Combine(name);
    }

    [Theory]
    [InlineData("mbpp", "mbpp/mbpp.jsonl", 5)]
    [InlineData("mbpp", "mbpp/sanitized-mbpp.json", 5)]
    [InlineData("exercism", "exercism", 4)]
    public async Task Imported_fixtures_are_sound_in_the_sandbox(string format, string source, int tasks)
    {
        var problem = await SandboxFactory.ProbeBubblewrapAsync(CancellationToken.None);
        Assert.SkipWhen(problem is not null, $"bubblewrap unavailable: {problem}");

        // Given a suite imported from the fixture
        var suite = await ImportAsync(format, Fixture(source.Split('/')), "suite");

        // When it is validated in bubblewrap
        var verdict = await ValidateAsync(suite, "--sandbox", "bwrap");

        // Then every reference passes every re-enabled test and every bare stub fails
        verdict.GetProperty("sound").GetInt32().ShouldBe(tasks);
        foreach (var task in verdict.GetProperty("tasks").EnumerateArray())
        {
            var reference = task.GetProperty("reference");
            reference.GetProperty("testsPassed").GetInt32().ShouldBe(reference.GetProperty("testsTotal").GetInt32());
            reference.GetProperty("testsTotal").GetInt32().ShouldBeGreaterThanOrEqualTo(3);
            task.GetProperty("bare").GetProperty("testsPassed").GetInt32().ShouldBe(0);
        }
    }

    [Fact]
    public async Task A_sample_of_HumanEval_and_its_infilling_is_sound()
    {
        var he = await ImportAsync("humaneval", Path.Combine(RepositoryPaths.Datasets, "humaneval", "HumanEval.jsonl.gz"), "he");
        var infill = await ImportAsync("humaneval-infilling",
            Path.Combine(RepositoryPaths.Datasets, "humaneval-infilling", "HumanEval-RandomSpanInfillingLight.jsonl.gz"), "infill");

        (await ValidateAsync(he, "--tasks", "humaneval-1?")).GetProperty("sound").GetInt32().ShouldBe(10);
        (await ValidateAsync(infill, "--tasks", "*-humaneval-2?-*")).GetProperty("sound").GetInt32().ShouldBe(10);
    }

    [Fact]
    public async Task QuixBugs_python_and_java_tasks_are_sound()
    {
        var suite = await ImportAsync("quixbugs", Path.Combine(RepositoryPaths.Datasets, "quixbugs"), "qb");

        (await ValidateAsync(suite, "--tasks", "quixbugs-python-[gk]*")).GetProperty("unsound").GetInt32().ShouldBe(0);

        Assert.SkipWhen(!HasJavac(), "javac is not installed (apt-get install default-jdk-headless); the Java QuixBugs tasks need it to be checked");
        var java = await ValidateAsync(suite, "--tasks", "quixbugs-java-[gk]*");
        java.GetProperty("unsound").GetInt32().ShouldBe(0);
        java.GetProperty("sound").GetInt32().ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task A_gap_that_makes_the_code_hang_fails_once_not_once_per_assertion()
    {
        // Given an infilling task whose gap is the loop's increment, with six assertions
        var record = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["task_id"] = "Loop/0",
            ["prompt"] = "def count(n):\n    i = 0\n    while i < n:\n        pass\n",
            ["canonical_solution"] = "        i += 1\n",
            ["suffix"] = "    return i\n",
            ["test"] = "def check(candidate):\n" + string.Concat(Enumerable.Range(1, 6).Select(n => $"    assert candidate({n}) == {n}\n")),
            ["entry_point"] = "count",
        });
        var suite = await ImportAsync("humaneval-infilling", _temp.Write("loop.jsonl", record + "\n"), "loop");

        // When it is validated (each case may run 10 s before the runner stops it)
        var verdict = await ValidateAsync(suite);

        // Then the bare workspace fails after the first hang instead of timing out as a whole
        var task = verdict.GetProperty("tasks")[0];
        task.GetProperty("sound").GetBoolean().ShouldBeTrue(task.ToString());
        task.GetProperty("bare").GetProperty("outcome").GetString().ShouldBe("fail");
        task.GetProperty("bare").GetProperty("testsTotal").GetInt32().ShouldBe(6);
        task.GetProperty("bare").GetProperty("durationMs").GetInt32().ShouldBeLessThan(30_000);
    }

    [Fact]
    public async Task Json_reports_what_was_imported_and_skipped()
    {
        var result = await _cli.RunAsync("suite", "import", "quixbugs", Path.Combine(RepositoryPaths.Datasets, "quixbugs"), "--out", "qb", "--json",
            "--tasks", "quixbugs-python-*");

        result.ExitCode.ShouldBe(0, result.Error);
        var json = JsonDocument.Parse(result.Output).RootElement;
        json.GetProperty("format").GetString().ShouldBe("quixbugs");
        json.GetProperty("categories").GetProperty("debugging").GetInt32().ShouldBe(json.GetProperty("tasks").GetInt32());
        json.GetProperty("revision").GetString().ShouldNotBeNullOrEmpty();
        json.GetProperty("sourceRevision").GetString().ShouldStartWith("sha256:");
        json.GetProperty("skipped").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ShouldContain("reverse_linked_list");
        Directory.EnumerateDirectories(_temp.Combine("qb", "tasks")).ShouldAllBe(d => Path.GetFileName(d).StartsWith("quixbugs-python-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_data_is_exit_2_naming_file_line_and_field_and_leaves_nothing_behind()
    {
        // Given a JSONL file whose second record lacks its test
        var file = _temp.Write("data/bad.jsonl",
            "{\"task_id\": \"X/0\", \"prompt\": \"def f():\\n\", \"canonical_solution\": \"    return 1\\n\", \"test\": \"def check(c):\\n    assert c() == 1\\n\", \"entry_point\": \"f\"}\n" +
            "{\"task_id\": \"X/1\", \"prompt\": \"def g():\\n\", \"canonical_solution\": \"    return 1\\n\", \"entry_point\": \"g\"}\n");

        // When it is imported
        var result = await _cli.RunAsync("suite", "import", "humaneval", file, "--out", "out/suite");

        // Then the error names the file, line, record and field, and no folder was made
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldBe($"error: {file}:2: X/1: test: required field is missing\n");
        Directory.Exists(_temp.Combine("out")).ShouldBeFalse();
    }

    [Fact]
    public async Task An_unknown_format_is_exit_2()
    {
        var result = await _cli.RunAsync("suite", "import", "apps", Fixture("mbpp", "mbpp.jsonl"), "--out", "x");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("FORMAT: unknown format 'apps'");
        Directory.Exists(_temp.Combine("x")).ShouldBeFalse();
    }

    [Fact]
    public async Task A_missing_out_is_a_usage_error()
    {
        var result = await _cli.RunAsync("suite", "import", "mbpp", Fixture("mbpp", "mbpp.jsonl"));

        result.ExitCode.ShouldBe(2);
        (result.Output + result.Error).ShouldContain("--out");
    }

    private static bool HasJavac()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("javac", "-version") { RedirectStandardOutput = true, RedirectStandardError = true });
            process!.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
