using System.Diagnostics;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// Output into a pipe (a CI log, a file) as the real executable writes it: progress lines while a
/// run works, and tables never wrapped, so that a log reads and greps as the terminal does.
/// </summary>
public sealed class PipedOutputTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-piped");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_run_piped_into_a_log_says_how_far_it_is_while_it_runs()
    {
        // Given three trials whose last one waits until the test lets it go
        var suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").AddAdder("add-b").AddAdder("add-c").Build();
        var count = _temp.Combine("count");
        var go = _temp.Combine("go");
        var agent = _temp.Write("agent.sh", $"#!/bin/sh\necho x >> {count}\nif [ \"$(wc -l < {count})\" -ge 3 ]; then while [ ! -e {go} ]; do sleep 0.1; done; fi\nexit 0\n");
        File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _temp.Write("driftwatch.yaml", $"agents:\n  waiter:\n    kind: command\n    command: {agent} {{prompt}}\n");

        // When it runs with its output piped
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = _temp.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { RepositoryPaths.CliAssembly, "run", "--agent", "waiter", "--suite", suite, "--parallel", "1", "--sandbox", "none", "--db", _temp.Combine("dw.db") })
            info.ArgumentList.Add(arg);
        info.Environment.Remove("COLUMNS");
        using var process = Process.Start(info)!;
        try
        {
            await ShouldReportProgressAsync(process, go);
        }
        finally
        {
            File.WriteAllText(go, "");
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    private static async Task ShouldReportProgressAsync(Process process, string go)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var lines = new List<string>();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while (await process.StandardError.ReadLineAsync(limit.Token) is { } line)
        {
            lines.Add(line);
            if (line.Contains("2/3 trials", StringComparison.Ordinal))
                break;
        }

        // Then the log says so before the run ends
        lines.ShouldContain(l => l.StartsWith("run 1: 2/3 trials · pass 0 · fail 2 · ", StringComparison.Ordinal), string.Join('\n', lines));
        process.HasExited.ShouldBeFalse();
        File.WriteAllText(go, "");
        var rest = await process.StandardError.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);
        process.ExitCode.ShouldBe(0, rest);
        rest.ShouldContain("run 1: 3/3 trials · pass 0 · fail 3 · ");
        (await output).ShouldContain("Run 1 ");
    }

    [Fact]
    public async Task Piped_tables_keep_each_row_on_one_line()
    {
        // Given a suite in a folder whose path is longer than any terminal is wide
        var deep = _temp.Combine(string.Join('/', Enumerable.Repeat("a-rather-long-folder-name", 8)), "suite");
        var suite = new SuiteBuilder(deep).AddAdder("add-a").Build();
        _temp.Write("driftwatch.yaml", $"suites:\n  deep: {suite}\n");

        // When suites are listed into a pipe
        using var cli = CliProcess.Start(_temp.Path, new Dictionary<string, string?> { ["COLUMNS"] = null }, "suite", "list");
        var (exitCode, output, error) = await cli.WaitAsync(TimeSpan.FromMinutes(2));

        // Then the row names the whole folder on one line
        exitCode.ShouldBe(0, error);
        output.Split('\n').ShouldContain(line => line.Contains(suite, StringComparison.Ordinal), output);
    }
}
