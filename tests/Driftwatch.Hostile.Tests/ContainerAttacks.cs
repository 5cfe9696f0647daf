using System.Net;
using System.Net.Sockets;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Hostile.Tests;

/// <summary>
/// The attacks that matter against the container sandbox (docs/containers.md), by an agent whose
/// task runs in a container of the base image: what is on the host, the network, privileges, and
/// rigging the tests from a process left behind. The container shows none of it and holds.
/// </summary>
public sealed class ContainerAttacks : IDisposable
{
    private readonly HostileWorld _world = new();

    public ContainerAttacks()
    {
        var missing = BaseImage.Ensure();
        Assert.SkipWhen(missing is not null, $"no container engine: {missing}");
    }

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task The_host_s_files_the_suite_its_history_and_the_database_are_not_in_the_container()
    {
        var agent = _world.AddAgent("box-reader", """
            grep -q untouched @CANARY@ 2>/dev/null && echo ESCAPED:canary
            echo changed > @CANARY@ 2>/dev/null && echo ESCAPED:canary-write
            touch @HOST@/planted 2>/dev/null && echo ESCAPED:host-folder
            cat @SUITE@/tasks/py-add-box/solution/calc.py > calc.py 2>/dev/null && echo ESCAPED:suite
            git -C @REPO@ show HEAD:suite/tasks/py-add/solution/calc.py 2>/dev/null && echo ESCAPED:git
            cat @DB@ >/dev/null 2>&1 && echo ESCAPED:database
            ls @SOURCE@/suites >/dev/null 2>&1 && echo ESCAPED:source-tree
            test -e /run/.containerenv && echo IN-CONTAINER
            exit 0
            """);

        var attempt = await _world.RunAsync(agent, HostileWorld.ContainerTask);

        attempt.Shown.ShouldContain("IN-CONTAINER", customMessage: "the agent ran in the task's container");
        await _world.ShouldHaveHeldAsync(attempt);
    }

    [Fact]
    public async Task An_agent_without_network_reaches_neither_the_host_s_loopback_nor_the_internet()
    {
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        var agent = _world.AddAgent("box-network", $$"""
            python3 -c "import socket; socket.create_connection(('127.0.0.1', {{port}}), timeout=3)" 2>/dev/null && echo ESCAPED:loopback
            python3 -c "import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)" 2>/dev/null && echo ESCAPED:internet
            python3 -c "import socket; socket.getaddrinfo('deb.debian.org', 80)" 2>/dev/null && echo ESCAPED:dns
            exit 0
            """);

        var attempt = await _world.RunAsync(agent, HostileWorld.ContainerTask);

        await _world.ShouldHaveHeldAsync(attempt);
        service.Pending().ShouldBeFalse("nothing connected to the host's service");
    }

    [Fact]
    public async Task Privileges_are_gone_mounts_namespaces_and_kernel_settings_are_refused()
    {
        var agent = _world.AddAgent("box-privileges", """
            mount -t tmpfs none /mnt 2>/dev/null && echo ESCAPED:mount
            mount -o remount,rw /proc/sys 2>/dev/null && echo ESCAPED:remount
            echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo ESCAPED:sysctl
            unshare -U -r true 2>/dev/null && unshare -m true 2>/dev/null && echo ESCAPED:namespaces
            chown 12345 calc.py 2>/dev/null && echo ESCAPED:chown
            grep -E '^CapEff:\s*0+$' /proc/self/status >/dev/null || echo ESCAPED:capabilities
            exit 0
            """);

        var attempt = await _world.RunAsync(agent, HostileWorld.ContainerTask);

        await _world.ShouldHaveHeldAsync(attempt);
    }

    [Fact]
    public async Task A_process_left_behind_cannot_rig_the_workspace_after_the_agent_ended()
    {
        // A daemon that waits for the agent to end, then writes the solution and a passing test
        var agent = _world.AddAgent("box-daemon", """
            (sleep 3; printf 'def add(a, b):\n    return a + b\n' > /workspace/calc.py; echo ESCAPED:daemon > /workspace/daemon.txt) </dev/null >/dev/null 2>&1 &
            exit 0
            """);

        var attempt = await _world.RunAsync(agent, HostileWorld.ContainerTask);
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);

        await _world.ShouldHaveHeldAsync(attempt);
        attempt.Shown.ShouldNotContain("daemon.txt");
    }

    [Fact]
    public async Task Tests_planted_in_the_workspace_do_not_replace_the_hidden_ones()
    {
        var agent = _world.AddAgent("box-rigger", """
            printf 'import unittest\nclass T(unittest.TestCase):\n    def test_ok(self): pass\n' > test_calc.py
            printf 'import sys\nsys.exit(0)\n' > sitecustomize.py
            mkdir -p .driftwatch && printf 'raise SystemExit(0)\n' > .driftwatch/unittest_junit.py
            exit 0
            """);

        var attempt = await _world.RunAsync(agent, HostileWorld.ContainerTask);

        attempt.Outcome.ShouldNotBe("pass");
        attempt.Escapes.ShouldBeEmpty();
        await _world.ShouldBeUntouchedAsync();
    }

    [Fact]
    public async Task A_fork_bomb_in_the_container_stops_at_the_process_limit()
    {
        // Given an agent that forks sleepers until the kernel refuses (at most 5000)
        var agent = _world.AddAgent("box-forks", """
            python3 - <<'EOF'
            import os, time
            forked = 0
            for _ in range(5000):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    time.sleep(600)
                    os._exit(0)
                forked += 1
            print(f"FORKED {forked}")
            EOF
            exit 0
            """);

        // When it runs in the task's container
        var attempt = await _world.RunAsync(agent, HostileWorld.ContainerTask);

        // Then the container's process limit (1024) stopped it, and its sleepers went with the container
        var forked = int.Parse(System.Text.RegularExpressions.Regex.Match(attempt.Shown, @"FORKED (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        forked.ShouldBeLessThan(1024);
        await _world.ShouldHaveHeldAsync(attempt);
    }

    [Fact]
    public async Task Filling_the_disk_from_the_container_stops_the_agent_at_the_limit_and_fails_the_trial()
    {
        // Given an agent that writes three files of 1 GiB into its workspace (more than the 2 GiB the trial may take)
        var agent = _world.AddAgent("box-fill-disk", """
            for i in 1 2 3; do head -c 1073741824 /dev/zero > big$i; done
            echo ESCAPED:wrote-3-GiB
            """);

        // When it runs in the task's container
        var attempt = await _world.RunAsync(agent, HostileWorld.ContainerTask);

        // Then the disk watch stopped it, and the trial failed as its own doing
        attempt.Escapes.ShouldBeEmpty();
        attempt.Outcome.ShouldBe("fail");
        attempt.Kind.ShouldBe("disk-limit");
    }
}
