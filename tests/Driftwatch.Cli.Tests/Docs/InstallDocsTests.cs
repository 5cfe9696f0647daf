using System.Diagnostics;
using System.Text.RegularExpressions;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Docs;

/// <summary>
/// The README's install lines are run as written: the package is made from this clone, installed
/// as a tool (into a folder of the test's own instead of the user's global tools), and the
/// installed `driftwatch` runs the built-in suite it carries.
/// </summary>
public sealed partial class InstallDocsTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-install");

    public void Dispose() => _temp.Dispose();

    [GeneratedRegex(@"To install it as a \.NET tool[^\n]*\n\n```sh\n(?<lines>.*?)```", RegexOptions.Singleline)]
    private static partial Regex InstallBlock();

    /// <summary>PATH without the folders that hold a `claude` program: a machine where Claude Code is not installed.</summary>
    private static readonly string PathWithoutClaude = string.Join(':',
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(folder => folder.Length > 0 && !File.Exists(Path.Combine(folder, "claude"))));

    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["PATH"] = PathWithoutClaude;
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task The_README_install_lines_make_a_tool_that_inits_and_runs_the_built_in_suite_without_Claude_Code_installed()
    {
        // Given the README's two install lines
        var lines = InstallBlock().Match(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"))).Groups["lines"].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.ShouldBe(["dotnet pack src/Driftwatch.Cli -o packages", "dotnet tool install --global Driftwatch --add-source packages"]);
        var packages = _temp.Combine("packages");
        var tools = _temp.Combine("tools");

        // When they run: the package from this clone (Release, beside the tests' Debug build), the
        // install into a tool folder of this test's own (warnings are errors, so NU5118 fails it)
        var pack = await RunAsync(RepositoryPaths.Root, "dotnet", "pack", "src/Driftwatch.Cli", "-o", packages, "--no-restore");
        pack.ExitCode.ShouldBe(0, pack.Output);
        pack.Output.ShouldNotContain("warning");
        var install = await RunAsync(_temp.Path, "dotnet", "tool", "install", "--tool-path", tools, "Driftwatch", "--add-source", packages);
        install.ExitCode.ShouldBe(0, install.Output);

        // Then the installed driftwatch finds the built-in suite it carries, and on a machine without
        // Claude Code, `init` makes a configuration whose plain `run` works
        var driftwatch = Path.Combine(tools, "driftwatch");
        var list = await RunAsync(_temp.Path, driftwatch, "suite", "list", "--json");
        list.ExitCode.ShouldBe(0, list.Output);
        list.Output.ShouldContain("\"core\"");
        var init = await RunAsync(_temp.Path, driftwatch, "init");
        init.ExitCode.ShouldBe(0, init.Output);
        init.Output.ShouldContain("default agent simulated");
        var run = await RunAsync(_temp.Path, driftwatch, "run", "--tasks", "gen-word-frequencies", "--json");
        run.ExitCode.ShouldBe(0, run.Output);
        run.Output.ShouldContain("\"suite\": \"core\"");
        run.Output.ShouldContain("\"agent\": \"simulated\"");
    }
}
