using System.Text.Json;
using Driftwatch.Testing;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// Harbor / Terminal-Bench tasks end to end: imported, validated and run in podman containers
/// (each task's image built from its Dockerfile, its verifier's reward deciding).
/// </summary>
public sealed class HarborSuiteTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-harbor");
    private readonly CliHarness _cli;

    private readonly PlantedApiKey _key = new();

    public HarborSuiteTests()
    {
        _cli = new CliHarness(_temp.Path);
    }

    public void Dispose()
    {
        _key.Dispose();
        _temp.Dispose();
    }

    private static string Fixture => Path.Combine(RepositoryPaths.ImportFixtures, "harbor");

    [Fact]
    public async Task Harbor_tasks_import_validate_and_run_in_containers()
    {
        var missing = BaseImage.Ensure();
        Assert.SkipWhen(missing is not null, $"no container engine: {missing}");

        // Given the Harbor fixture imported as a suite
        var imported = await _cli.RunAsync("suite", "import", "harbor", Fixture, "--out", "harbor");
        imported.ExitCode.ShouldBe(0, imported.Output + imported.Error);
        var suite = _temp.Combine("harbor");
        var yaml = File.ReadAllText(Path.Combine(suite, "tasks", "word-count", "task.yaml"));
        yaml.ShouldContain("dockerfile: environment/Dockerfile");
        yaml.ShouldContain("workdir: \"/app\"");
        File.ReadAllText(Path.Combine(suite, "tasks", "word-count", "workspace", "wordcount.py")).ShouldContain("def count_words");
        File.Exists(Path.Combine(suite, "tasks", "word-count", "workspace", "data", "a.txt")).ShouldBeTrue("COPY data/ data/ lands under the WORKDIR");

        // When it is validated (solve.sh in a container of the task's image, the verifier in another)
        var validated = await _cli.RunAsync("suite", "validate", suite, "--json", "--parallel", "2");

        // Then both tasks are sound: the reference earns reward 1, the untouched workspace does not
        validated.ExitCode.ShouldBe(0, validated.Output + validated.Error);
        var verdict = JsonDocument.Parse(validated.Output).RootElement;
        verdict.GetProperty("sound").GetInt32().ShouldBe(2, validated.Output);

        // And a run of the simulated agent scores each trial by the verifier's reward, in containers
        var run = await _cli.RunAsync("run", "--suite", suite, "--trials", "2", "--seed", "3", "--db", "dw.db", "--json");
        run.ExitCode.ShouldBe(0, run.Output + run.Error);
        var trials = JsonDocument.Parse(run.Output).RootElement.GetProperty("trials").EnumerateArray().ToList();
        trials.Count.ShouldBe(4);
        trials.ShouldAllBe(t => t.GetProperty("outcome").GetString() == "pass" || t.GetProperty("outcome").GetString() == "fail", run.Output);
        trials.ShouldContain(t => t.GetProperty("outcome").GetString() == "pass", run.Output);
        var fingerprint = await _cli.RunAsync("show", "1", "--db", "dw.db", "--json");
        fingerprint.Output.ShouldContain("localhost/driftwatch-env:");

        // And the real claude CLI, inside the task's container at /app against a scripted API, fixes
        // the word counter, and Harbor's verifier rewards it in another container
        Assert.SkipWhen(Driftwatch.Agents.Common.AgentExecutables.Find(null, "claude", Driftwatch.Agents.ClaudeCode.ClaudeCodeAgent.RepositoryCopy) is null, "the claude CLI is not installed");
        var fixedCounter = File.ReadAllText(Path.Combine(suite, "tasks", "word-count", "workspace", "wordcount.py"))
            .Replace("return sum(len(line.split(\" \")) for line in text.split(\"\\n\"))", "return len(text.split())", StringComparison.Ordinal);
        fixedCounter.ShouldContain("return len(text.split())");
        await using var api = await ScriptedMessagesApi.StartAsync(ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { ["wordcount.py"] = fixedCounter }));
        File.WriteAllText(_temp.Combine("driftwatch.yaml"), _key.ClaudeAgentConfig(api.BaseUrl));
        var claude = await _cli.RunAsync("run", "--agent", "claude-local", "--suite", suite, "--tasks", "word-count", "--db", "dw.db", "--json");
        claude.ExitCode.ShouldBe(0, claude.Output + claude.Error);
        var trial = JsonDocument.Parse(claude.Output).RootElement.GetProperty("trials")[0];
        trial.GetProperty("outcome").GetString().ShouldBe("pass", claude.Output);
        trial.GetProperty("agentVersion").GetString().ShouldBe("2.1.332 (Claude Code)");
    }

    [Fact]
    public async Task A_bad_task_toml_is_exit_2_naming_the_file_and_field_and_writes_nothing()
    {
        // Given a copy of the fixture whose task.toml has a timeout that is not a number
        var source = _temp.Combine("source");
        foreach (var file in Directory.EnumerateFiles(Fixture, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(source, Path.GetRelativePath(Fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var toml = Path.Combine(source, "word-count", "task.toml");
        File.WriteAllText(toml, File.ReadAllText(toml).Replace("timeout_sec = 600.0", "timeout_sec = \"ten minutes\"", StringComparison.Ordinal));

        var result = await _cli.RunAsync("suite", "import", "harbor", source, "--out", "out");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain(toml);
        result.Error.ShouldContain("agent.timeout_sec");
        Directory.Exists(_temp.Combine("out")).ShouldBeFalse();
    }
}
