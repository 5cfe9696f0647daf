using System.Net;
using System.Net.Sockets;
using Driftwatch.Cli.Tests;
using Shouldly;

namespace Driftwatch.Hostile.Tests;

/// <summary>
/// Agents that look for the answer where it is kept: the suite's git history, Driftwatch's own
/// build output, the database, other trials' workspaces, a service on the machine's loopback.
/// The sandbox shows none of them.
/// </summary>
public sealed class HiddenDataAttacks : IDisposable
{
    private readonly HostileWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task The_suite_s_git_history_is_not_there()
    {
        var agent = _world.AddAgent("git-history", """
            git -C @REPO@ show HEAD:suite/tasks/py-add/solution/calc.py > calc.py 2>/dev/null && echo ESCAPED:git
            cat @REPO@/.git/HEAD >/dev/null 2>&1 && echo ESCAPED:git-folder
            exit 0
            """);

        var attempt = await _world.RunAsync(agent);

        await _world.ShouldHaveHeldAsync(attempt);
    }

    [Fact]
    public async Task An_agent_whose_program_lives_in_the_suite_s_clone_cannot_read_its_history()
    {
        // Given an agent program kept at the root of the clone that holds the suite (its folder is
        // shown to it, as an agent's installation is)
        var agent = _world.AddAgent("in-the-clone", """
            git -C @REPO@ show HEAD:suite/tasks/py-add/solution/calc.py > calc.py 2>/dev/null && echo ESCAPED:git
            ls @REPO@/.git >/dev/null 2>&1 && ls @REPO@/.git | grep -q . && echo ESCAPED:git-folder
            cat @REPO@/suite/tasks/py-add/solution/calc.py >/dev/null 2>&1 && echo ESCAPED:suite
            exit 0
            """, folder: _world.Repository);

        // When it runs
        var attempt = await _world.RunAsync(agent);

        // Then neither the suite nor the clone's history is there
        attempt.Escapes.ShouldBeEmpty();
        attempt.Outcome.ShouldBe("fail");
    }

    [Fact]
    public async Task Driftwatch_s_build_output_and_source_tree_are_not_there()
    {
        var agent = _world.AddAgent("build-output", """
            ls @BIN@/suites/core/tasks >/dev/null 2>&1 && echo ESCAPED:build-output
            ls @SOURCE@/suites/core/tasks >/dev/null 2>&1 && echo ESCAPED:source-tree
            ls @BIN@/Driftwatch.Cli.dll >/dev/null 2>&1 && echo ESCAPED:binaries
            exit 0
            """);

        var attempt = await _world.RunAsync(agent);

        attempt.Escapes.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_database_and_its_earlier_passing_diffs_are_not_there()
    {
        var agent = _world.AddAgent("read-database", """
            cat @DB@ > stolen.db 2>/dev/null && echo ESCAPED:database
            ls @ROOT@/data >/dev/null 2>&1 && echo ESCAPED:database-folder
            rm -f stolen.db
            exit 0
            """);

        var attempt = await _world.RunAsync(agent);

        await _world.ShouldHaveHeldAsync(attempt);
    }

    [Fact]
    public async Task Another_trial_s_workspace_is_not_there_even_with_TMPDIR_outside_tmp()
    {
        // Given trials made under a TMPDIR outside /tmp, two at a time, each looking for the other's folder
        var temp = Path.Combine(_world.Root, "scratch");
        Directory.CreateDirectory(temp);
        var agent = _world.AddAgent("siblings", """
            touch mine.txt
            sleep 2
            for ws in @ROOT@/scratch/driftwatch/*/*/ws; do [ -d "$ws" ] && echo "ESCAPED:sibling $ws"; done
            exit 0
            """);

        // When two trials run in parallel in a CLI process whose TMPDIR is that folder
        using var cli = CliProcess.Start(_world.Root, new Dictionary<string, string?> { ["TMPDIR"] = temp },
            "run", "--agent", agent, "--suite", _world.Suite, "--tasks", HostileWorld.PythonTask, "--trials", "2", "--parallel", "2", "--db", _world.Database, "--retries", "0");
        var (exitCode, output, error) = await cli.WaitAsync(TimeSpan.FromMinutes(3));
        exitCode.ShouldBe(0, output + error);
        var shown = await _world.Cli.RunAsync("show", "2", "--task", HostileWorld.PythonTask, "--db", _world.Database);

        // Then neither saw the other
        shown.Output.ShouldNotContain("ESCAPED:");
        shown.Output.ShouldContain("fail");
    }

    [Fact]
    public async Task A_service_on_the_machine_s_loopback_is_out_of_reach()
    {
        // Given a service on the host's loopback that hands out the solution
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                await client.GetStream().WriteAsync("def add(a, b):\n    return a + b\n"u8.ToArray(), stop.Token);
            }
        });
        var agent = _world.AddAgent("loopback", $$"""
            python3 -c "import socket; s = socket.create_connection(('127.0.0.1', {{port}}), timeout=3); open('calc.py', 'wb').write(s.recv(1000))" 2>/dev/null && echo ESCAPED:loopback
            exit 0
            """);

        // When an agent with no network of its own tries it
        var attempt = await _world.RunAsync(agent);
        await stop.CancelAsync();

        // Then it could not connect
        attempt.Escapes.ShouldBeEmpty();
        attempt.Outcome.ShouldBe("fail");
        listener.Stop();
        await Should.ThrowAsync<Exception>(serving);
    }
}
