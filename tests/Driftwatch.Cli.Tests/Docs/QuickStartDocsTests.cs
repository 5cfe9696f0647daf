using System.Text.RegularExpressions;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Docs;

/// <summary>
/// The README's quick start is exactly two commands: one runs the main job on the embedded defaults,
/// one runs the tests. CI runs the second as written (and `.ci/run` stops when the README says
/// otherwise); the first must name this clone's CLI project and a command it has.
/// </summary>
public sealed partial class QuickStartDocsTests
{
    [GeneratedRegex(@"## Quick start\n.*?```sh\n(?<lines>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();

    [GeneratedRegex(@"^dotnet run --project (?<project>\S+) -- (?<command>\S+)$")]
    private static partial Regex DotnetRun();

    private static string[] Commands() =>
        [.. QuickStartBlock().Match(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"))).Groups["lines"].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.Length > 0)];

    [Fact]
    public async Task The_quick_start_is_two_commands_the_first_running_a_command_of_this_clones_CLI_the_second_the_tests()
    {
        var commands = Commands();

        commands.Length.ShouldBe(2, string.Join(" | ", commands));
        var run = DotnetRun().Match(commands[0]);
        run.Success.ShouldBeTrue(commands[0]);
        File.Exists(Path.Combine(RepositoryPaths.Root, run.Groups["project"].Value, "Driftwatch.Cli.csproj")).ShouldBeTrue(run.Groups["project"].Value);
        using var directory = new TempDirectory("quick-start");
        var help = await new CliHarness(directory.Path).RunAsync(run.Groups["command"].Value, "--help");
        help.ExitCode.ShouldBe(0, help.Error);
        help.Output.ShouldContain($"driftwatch {run.Groups["command"].Value}");
        commands[1].ShouldStartWith("dotnet test");
    }

    [Fact]
    public void CI_runs_the_READMEs_test_command_as_written_and_stops_when_the_README_says_otherwise()
    {
        var command = Commands()[1];
        var ci = File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".ci", "run"));

        ci.ShouldContain($"\n{command} 2>&1 | tee \"$log\"\n");
        ci.ShouldContain($"if [ \"$readme_test\" != \"{command}\" ]; then");
    }
}
