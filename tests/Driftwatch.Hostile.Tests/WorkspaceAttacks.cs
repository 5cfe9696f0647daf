using Driftwatch.Cli.Tests;
using Shouldly;

namespace Driftwatch.Hostile.Tests;

/// <summary>
/// Agents that turn their workspace against the harness, which works on it as root after they
/// end: links that lead the hidden tests or the diff out of the workspace, a FIFO that would block
/// a read forever, a disk filled to the brim. The harness follows no link, opens no special file,
/// caps what it reads and what a trial may write, and stays alive and stoppable.
/// </summary>
public sealed class WorkspaceAttacks : IDisposable
{
    private readonly HostileWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task A_link_in_place_of_the_tests_folder_does_not_lead_the_hidden_tests_out()
    {
        // Given a JavaScript task whose hidden tests live in test/, and an agent that makes test/ a link to a host folder
        var agent = _world.AddAgent("tests-link", """
            rm -rf test
            ln -s @HOST@ test
            exit 0
            """);

        // When the hidden tests are put in place
        var attempt = await _world.RunAsync(agent, HostileWorld.JavaScriptTask);

        // Then they went into the workspace, not into the host's folder
        attempt.Outcome.ShouldBe("fail");
        attempt.Trial.GetProperty("testsTotal").GetInt32().ShouldBe(3);
        await _world.ShouldBeUntouchedAsync();
    }

    [Fact]
    public async Task A_link_in_place_of_the_support_folder_does_not_lead_the_runners_out()
    {
        var agent = _world.AddAgent("support-link", """
            ln -s @HOST@ .driftwatch
            exit 0
            """);

        var attempt = await _world.RunAsync(agent);

        attempt.Outcome.ShouldBe("fail");
        await _world.ShouldBeUntouchedAsync();
    }

    [Fact]
    public async Task A_link_to_etc_puts_nothing_of_etc_into_the_diff()
    {
        var agent = _world.AddAgent("etc-link", """
            ln -s /etc etc
            ln -s /etc/passwd passwd
            exit 0
            """);

        var attempt = await _world.RunAsync(agent);

        attempt.Shown.ShouldContain("symbolic link to /etc");
        attempt.Shown.ShouldNotContain("root:x:0:0");
        attempt.Outcome.ShouldBe("fail");
    }

    [Fact]
    public async Task A_link_to_a_huge_folder_costs_the_harness_nothing()
    {
        var agent = _world.AddAgent("usr-share-link", """
            ln -s /usr/share share
            ln -s / root
            exit 0
            """);

        var attempt = await _world.RunAsync(agent);

        attempt.Outcome.ShouldBe("fail");
        attempt.Shown.Length.ShouldBeLessThan(200_000);
    }

    [Fact]
    public async Task A_FIFO_in_the_workspace_does_not_hang_the_run()
    {
        var agent = _world.AddAgent("fifo", """
            mkfifo pipe
            mkfifo calc.pyc
            exit 0
            """);

        var attempt = await _world.RunAsync(agent).WaitAsync(TimeSpan.FromMinutes(2));

        attempt.Outcome.ShouldBe("fail");
        attempt.Shown.ShouldContain("special file");
    }

    [Fact]
    public async Task A_FIFO_in_a_suite_is_refused_by_suite_validate_instead_of_hanging_it()
    {
        // Given a suite whose task workspace holds a FIFO
        var fifo = Path.Combine(_world.Suite, "tasks", HostileWorld.PythonTask, "workspace", "pipe");
        using (var make = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            await make.WaitForExitAsync();

        // When it is validated
        var result = await _world.Cli.RunAsync("suite", "validate", _world.Suite).WaitAsync(TimeSpan.FromMinutes(2));

        // Then the file is named as bad input
        result.ExitCode.ShouldBe(2, result.Output + result.Error);
        result.Error.ShouldContain(fifo);
    }

    [Fact]
    public async Task Filling_the_disk_stops_the_agent_at_the_limit_and_fails_the_trial()
    {
        // Given an agent that writes three files of 1 GiB (more than the 2 GiB the trial's folders may take)
        var agent = _world.AddAgent("fill-disk", """
            for i in 1 2 3; do head -c 1073741824 /dev/zero > big$i; done
            echo ESCAPED:wrote-3-GiB
            """);

        // When it runs
        var attempt = await _world.RunAsync(agent);

        // Then the disk watch stopped it, the trial failed as its own doing, and the folder is gone
        attempt.Escapes.ShouldBeEmpty();
        attempt.Outcome.ShouldBe("fail");
        attempt.Kind.ShouldBe("disk-limit");
        Directory.EnumerateFiles(Path.GetTempPath(), "big*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 6 })
            .Where(f => f.Contains("driftwatch", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public async Task SIGTERM_stops_a_run_whose_agent_ignores_it()
    {
        // Given a run whose agent ignores SIGTERM and sleeps, and leaves a FIFO behind
        var started = HostileWorld.Secret("stubborn-started");
        var agent = _world.AddAgent("stubborn", $"""
            trap '' TERM
            mkfifo pipe
            touch {started}
            sleep 600
            """);
        using var cli = CliProcess.Start(_world.Root, "run", "--agent", agent, "--suite", _world.Suite, "--tasks", HostileWorld.PythonTask, "--db", _world.Database);
        await WaitUntilAsync(() => cli.HasExited
            || Directory.EnumerateFiles(Path.GetTempPath(), started, new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 6 }).Any());

        // When the operator sends SIGTERM
        cli.Signal(15);
        var (exitCode, _, _) = await cli.WaitAsync(TimeSpan.FromMinutes(1));

        // Then Driftwatch stops, leaving the run resumable
        exitCode.ShouldBe(130);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!condition())
            await Task.Delay(50, timeout.Token);
    }
}
