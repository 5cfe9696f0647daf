using System.Text.Json;
using Driftwatch.Testing;
using Driftwatch.Testing.Servers;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// The Exercism polyglot tracks end to end: imported, then run by the simulated agent and by the
/// real claude CLI inside each track's toolchain image, the hidden tests in another container of it.
/// (Each language's soundness is checked in Driftwatch.Execution.Tests' ExercismPolyglotTests.)
/// </summary>
public sealed class ExercismPolyglotSuiteTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-exercism-polyglot");
    private readonly CliHarness _cli;
    private readonly PlantedApiKey _key = new();

    public ExercismPolyglotSuiteTests()
    {
        _cli = new CliHarness(_temp.Path);
    }

    public void Dispose()
    {
        _key.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Polyglot_tasks_run_in_their_toolchain_images_with_the_simulated_agent_and_the_real_CLI()
    {
        var missing = BaseImage.Ensure();
        Assert.SkipWhen(missing is not null, $"no container engine: {missing}");

        // Given the C++, Go, Java and Rust fixture exercises imported as a suite
        var imported = await _cli.RunAsync("suite", "import", "exercism", Path.Combine(RepositoryPaths.ImportFixtures, "exercism-polyglot"), "--out", "polyglot", "--json");
        imported.ExitCode.ShouldBe(0, imported.Output + imported.Error);
        JsonDocument.Parse(imported.Output).RootElement.GetProperty("tasks").GetInt32().ShouldBe(4);
        var suite = _temp.Combine("polyglot");

        // When the simulated agent runs every task (its images built first, once per track)
        var run = await _cli.RunAsync("run", "--suite", suite, "--trials", "2", "--seed", "3", "--db", "dw.db", "--json");

        // Then every trial is scored by the track's own tests, pass or fail, never an error
        run.ExitCode.ShouldBe(0, run.Output + run.Error);
        var trials = JsonDocument.Parse(run.Output).RootElement.GetProperty("trials").EnumerateArray().ToList();
        trials.Count.ShouldBe(8);
        trials.ShouldAllBe(t => t.GetProperty("outcome").GetString() == "pass" || t.GetProperty("outcome").GetString() == "fail", run.Output);
        trials.ShouldContain(t => t.GetProperty("outcome").GetString() == "pass", run.Output);
        var shown = await _cli.RunAsync("show", "1", "--db", "dw.db", "--json");
        shown.Output.ShouldContain("localhost/driftwatch-env:");

        // And the real claude CLI, in the Go and the Java images against a scripted API, writes the
        // solution, and the hidden tests pass it
        Assert.SkipWhen(Driftwatch.Agents.Common.AgentExecutables.Find(null, "claude", Driftwatch.Agents.ClaudeCode.ClaudeCodeAgent.RepositoryCopy) is null, "the claude CLI is not installed");
        var exercises = Path.Combine(RepositoryPaths.ImportFixtures, "exercism-polyglot");
        foreach (var (task, file, example) in new[]
        {
            ("exercism-go-digit-sum", "digit_sum.go", Path.Combine(exercises, "go", "exercises", "practice", "digit-sum", ".meta", "example.go")),
            ("exercism-java-acronym", "src/main/java/Acronym.java", Path.Combine(exercises, "java", "exercises", "practice", "acronym", ".meta", "src", "reference", "java", "Acronym.java")),
        })
        {
            await using var api = await ScriptedMessagesApi.StartAsync(ScriptedMessagesApi.SolveByWriting(new Dictionary<string, string> { [file] = File.ReadAllText(example) }));
            File.WriteAllText(_temp.Combine("driftwatch.yaml"), _key.ClaudeAgentConfig(api.BaseUrl));
            var claude = await _cli.RunAsync("run", "--agent", "claude-local", "--suite", suite, "--tasks", task, "--db", "dw.db", "--json");
            claude.ExitCode.ShouldBe(0, claude.Output + claude.Error);
            var trial = JsonDocument.Parse(claude.Output).RootElement.GetProperty("trials")[0];
            trial.GetProperty("outcome").GetString().ShouldBe("pass", claude.Output);
            trial.GetProperty("testsPassed").GetInt32().ShouldBe(trial.GetProperty("testsTotal").GetInt32(), claude.Output);
            trial.GetProperty("testsTotal").GetInt32().ShouldBeGreaterThanOrEqualTo(5, task);
        }
    }
}
