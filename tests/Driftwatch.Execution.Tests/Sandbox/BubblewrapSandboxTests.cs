using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Driftwatch.Execution.Processes;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Sandbox;

/// <summary>
/// The sandbox for real: every test runs a command in bubblewrap and checks what it could do.
/// (Skipped only where bwrap cannot run at all; CI installs it.)
/// </summary>
public sealed class BubblewrapSandboxTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("bwrap");
    private BubblewrapSandbox _sandbox = null!;

    public async ValueTask InitializeAsync()
    {
        var problem = await SandboxFactory.ProbeBubblewrapAsync(CancellationToken.None);
        Assert.SkipWhen(problem is not null, $"bubblewrap unavailable: {problem}");
        _sandbox = new BubblewrapSandbox(SandboxFactory.FindOnPath("bwrap")!);
        Directory.CreateDirectory(Workspace);
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    private string Workspace => _temp.Combine("ws");

    private async Task<ProcessResult> Run(string command, SandboxPolicy? policy = null, TimeSpan? timeout = null, ResourceLimits? limits = null)
    {
        policy ??= new SandboxPolicy { Workspace = Workspace };
        if (limits is not null)
            policy = policy with { Limits = limits };
        var view = _sandbox.View(policy);
        using var prepared = _sandbox.Prepare(ProcessSpec.Shell(command, view.Workspace, ChildEnvironment.ForTrial(view)), policy);
        return await prepared.RunAsync(timeout ?? TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    [Fact]
    public async Task A_sandboxed_process_outlives_the_thread_that_started_it()
    {
        // Given a sandboxed command that takes a while, started from a thread that then ends (as
        // the runtime retires idle thread-pool threads after ~20 s: bubblewrap's --die-with-parent
        // is tied to the thread that forked it, not to the process)
        using var prepared = _sandbox.Prepare(ProcessSpec.Shell("touch started; sleep 2; echo finished", BubblewrapSandbox.WorkspacePath, ChildEnvironment.Inherited()), new SandboxPolicy { Workspace = Workspace });
        Task<ProcessResult>? running = null;
        var starter = new Thread(() =>
        {
            running = prepared.RunAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            // the thread ends only once the sandbox is set up and the command runs
            SpinWait.SpinUntil(() => File.Exists(Path.Combine(Workspace, "started")) || running.IsCompleted, TimeSpan.FromSeconds(30));
        });
        starter.Start();
        starter.Join();

        // When the starting thread is gone
        var result = await running!;

        // Then the command still ran to its own end
        result.StandardOutput.ShouldBe("finished\n", result.StandardError);
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task The_workspace_is_writable_and_the_rest_of_the_file_system_is_not()
    {
        var outside = _temp.Combine("outside.txt");

        var result = await Run($"echo inside > result.txt && (echo escaped > {outside}) 2>/dev/null; echo done");

        result.ExitCode.ShouldBe(0);
        File.ReadAllText(Path.Combine(Workspace, "result.txt")).ShouldBe("inside\n");
        File.Exists(outside).ShouldBeFalse();
    }

    [Fact]
    public async Task The_home_folder_of_the_user_is_read_only()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var marker = Path.Combine(home, $".driftwatch-sandbox-test-{Guid.NewGuid():N}");

        await Run($"touch {marker} 2>/dev/null; true");

        File.Exists(marker).ShouldBeFalse();
    }

    [Fact]
    public async Task Tmp_is_private()
    {
        // Given a file in the host's /tmp
        var hostFile = Path.Combine("/tmp", $"driftwatch-host-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(hostFile, "host");
        try
        {
            // When the sandboxed command looks for it and writes its own
            var guestFile = $"/tmp/driftwatch-guest-{Guid.NewGuid():N}";
            var result = await Run($"test -e {hostFile} && echo visible || echo hidden; echo guest > {guestFile}");

            // Then it cannot see the host's, and its own vanishes with it
            result.StandardOutput.Trim().ShouldBe("hidden");
            File.Exists(guestFile).ShouldBeFalse();
        }
        finally
        {
            File.Delete(hostFile);
        }
    }

    [Fact]
    public async Task The_test_command_has_no_network_and_the_agent_has()
    {
        // Given a listener on the host's loopback
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connect = $"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=3); print('connected')\"";

        // When a test command (no network) and an agent (network) try to reach it
        var test = await Run(connect, new SandboxPolicy { Workspace = Workspace, Network = NetworkAccess.None });
        var agent = await Run(connect, new SandboxPolicy { Workspace = Workspace, Network = NetworkAccess.Host });

        // Then only the agent gets through
        test.ExitCode.ShouldNotBe(0);
        test.StandardOutput.ShouldNotContain("connected");
        agent.ExitCode.ShouldBe(0, agent.StandardError);
        agent.StandardOutput.Trim().ShouldBe("connected");
    }

    [Fact]
    public async Task A_hidden_folder_stays_hidden_inside_a_shown_one()
    {
        // Given a folder shown read-only (an agent's installation, say) with the suite inside it
        var shown = _temp.Combine("shown");
        _temp.Write("shown/tool.txt", "tool\n");
        var secret = _temp.Write("shown/suite/tasks/t/solution/answer.py", "ANSWER = 42\n");
        var suite = _temp.Combine("shown", "suite");

        // When the command looks for both
        var result = await Run($"cat {shown}/tool.txt; cat {secret} 2>&1; ls -A {suite} | wc -l",
            new SandboxPolicy { Workspace = Workspace, ReadOnly = [shown], Hidden = [suite] });

        // Then it sees the one and not the other
        result.StandardOutput.ShouldStartWith("tool\n");
        result.StandardOutput.ShouldNotContain("ANSWER = 42", Case.Sensitive);
        result.StandardOutput.Trim().ShouldEndWith("0");
    }

    [Fact]
    public async Task The_process_has_no_capabilities_and_cannot_remount_or_unhide_anything()
    {
        // When a command running as the same user as Driftwatch (root in CI) tries what root may do
        var result = await Run(
            "grep CapEff /proc/self/status; mount -o remount,rw / 2>/dev/null && echo remounted; " +
            "umount /tmp 2>/dev/null && echo unmounted; touch /usr/driftwatch-escape 2>/dev/null && echo wrote-usr; " +
            "unshare -U -r true 2>/dev/null && echo nested-namespace; echo end");

        // Then it holds no capability and each attempt fails
        result.StandardOutput.ShouldBe("CapEff:\t0000000000000000\nend\n", result.StandardError);
        File.Exists("/usr/driftwatch-escape").ShouldBeFalse();
    }

    [Fact]
    public async Task The_host_shows_its_system_and_toolchains_but_no_home_folder_and_no_other_files()
    {
        // Given a key in the operator's home folder and a database beside the test's files
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var keys = Path.Combine(home, $".driftwatch-test-keys-{Guid.NewGuid():N}");
        Directory.CreateDirectory(keys);
        await File.WriteAllTextAsync(Path.Combine(keys, "id_rsa"), "PRIVATE KEY");
        var database = _temp.Write("data/driftwatch.db", "rows");
        try
        {
            // When the command looks around
            var result = await Run($"cat {keys}/id_rsa 2>/dev/null; cat {database} 2>/dev/null; ls {home} 2>/dev/null | grep -c driftwatch-test-keys; " +
                "python3 -c 'print(\"python works\")'; node -e 'console.log(\"node works\")'; cat /etc/shadow | wc -c");

            // Then the toolchains run, and neither the key, the database nor /etc's secrets are there
            result.StandardOutput.ShouldNotContain("PRIVATE KEY");
            result.StandardOutput.ShouldNotContain("rows");
            result.StandardOutput.ShouldContain("python works", customMessage: result.StandardError);
            result.StandardOutput.ShouldContain("node works", customMessage: result.StandardError);
            result.StandardOutput.Split('\n').ShouldContain("0");
        }
        finally
        {
            Directory.Delete(keys, recursive: true);
        }
    }

    [Fact]
    public async Task With_an_endpoint_network_only_that_endpoint_is_reachable()
    {
        Assert.SkipUnless(EndpointForwarder.Possible, "opening a sandbox's way to its endpoint needs root");
        // Given two services on the host's loopback: the endpoint, and another one
        using var endpoint = new TcpListener(IPAddress.Loopback, 0);
        using var other = new TcpListener(IPAddress.Loopback, 0);
        endpoint.Start();
        other.Start();
        var serving = Task.Run(async () =>
        {
            using var client = await endpoint.AcceptTcpClientAsync();
            await client.GetStream().WriteAsync("hello from the endpoint\n"u8.ToArray());
        });
        var policy = new SandboxPolicy { Workspace = Workspace, Network = NetworkAccess.Endpoint, EndpointPort = ((IPEndPoint)endpoint.LocalEndpoint).Port };
        var view = _sandbox.View(policy);
        var otherPort = ((IPEndPoint)other.LocalEndpoint).Port;

        // When the command reaches for the endpoint where the view says it is, and for the other service
        var result = await Run(
            $"python3 -c \"import socket,sys; s=socket.create_connection(('127.0.0.1', {new Uri(view.EndpointAddress!).Port}), timeout=5); print(s.recv(100).decode().strip())\"; " +
            $"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {otherPort}), timeout=3); print('reached the other service')\" 2>/dev/null; echo end", policy);

        // Then only the endpoint answers
        await serving;
        result.StandardOutput.ShouldBe("hello from the endpoint\nend\n", result.StandardError);
        view.Network.ShouldBe("endpoint only");
    }

    [Fact]
    public async Task A_sandbox_killed_from_outside_is_told_apart_from_a_command_that_failed()
    {
        // Given a sandboxed command that waits
        var policy = new SandboxPolicy { Workspace = Workspace };
        using var prepared = _sandbox.Prepare(ProcessSpec.Shell("sleep 60", BubblewrapSandbox.WorkspacePath, ChildEnvironment.Inherited()), policy);
        var running = prepared.RunAsync(TimeSpan.FromSeconds(120), CancellationToken.None);

        // When something outside kills bubblewrap (the process above the command)
        var child = await WaitForChildPid(prepared);
        var bwrap = int.Parse(File.ReadAllText($"/proc/{child}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        Process.GetProcessById(bwrap).Kill();
        var result = await running;

        // Then the ending says so, where a command's own exit 137 would be an exit
        result.Ending.ShouldBe(ProcessEnding.Killed);
        var own = await Run("kill -9 $$");
        own.Ending.ShouldBe(ProcessEnding.Exited, $"{own.EndingDetail} {own.StandardError}");
        own.ExitCode.ShouldBe(137);
    }

    [Fact]
    public async Task A_sandbox_that_cannot_start_is_named()
    {
        var result = await Run("echo ran", new SandboxPolicy { Workspace = _temp.Combine("no-such-folder") });

        result.Ending.ShouldBe(ProcessEnding.SandboxFailed);
        result.EndingDetail.ShouldNotBeNull().ShouldContain("did not start");
        result.StandardOutput.ShouldNotContain("ran");
    }

    [Fact]
    public async Task A_command_that_fills_the_disk_is_stopped_at_the_limit()
    {
        // Given a disk limit of 20 MB over the trial's folders
        var limits = ResourceLimits.Default with { MaxDiskBytes = 20_000_000 };

        // When the command writes 5 MB files, one every tenth of a second, up to a gigabyte
        var result = await Run("for i in $(seq 1 200); do head -c 5000000 /dev/urandom > f$i; sleep 0.1; done; echo wrote-everything", limits: limits);

        // Then it was stopped, and what it left is near the limit, not the gigabyte
        result.Ending.ShouldBe(ProcessEnding.DiskLimit);
        result.StandardOutput.ShouldNotContain("wrote-everything");
        Directory.EnumerateFiles(Workspace).Sum(f => new FileInfo(f).Length).ShouldBeLessThan(200_000_000);
    }

    private static async Task<int> WaitForChildPid(SandboxedProcess prepared)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(prepared.StatusFile!) && System.Text.RegularExpressions.Regex.Match(File.ReadAllText(prepared.StatusFile!), "\"child-pid\": (\\d+)") is { Success: true } match)
                return int.Parse(match.Groups[1].Value);
            await Task.Delay(20);
        }
        throw new TimeoutException("the sandbox never named its command's pid");
    }

    [Fact]
    public async Task The_trial_folders_are_writable_at_the_same_paths_in_every_trial()
    {
        // Given a trial's home, temp and report folders on the host
        var (home, temp, report) = (_temp.Combine("home"), _temp.Combine("tmp"), _temp.Combine("report"));
        foreach (var folder in new[] { home, temp, report })
            Directory.CreateDirectory(folder);
        var policy = new SandboxPolicy { Workspace = Workspace, Home = home, Temp = temp, Reports = report };

        // When the command writes into each and says where it is
        var result = await Run("pwd; echo \"$HOME $TMPDIR\"; echo ws > f; echo h > \"$HOME/f\"; echo t > /tmp/f; echo '<testsuite/>' > /driftwatch/reports/junit.xml", policy);

        // Then it worked in fixed places, and the files are in the trial's folders
        result.StandardOutput.ShouldBe("/workspace\n/home/driftwatch /tmp\n", result.StandardError);
        File.ReadAllText(Path.Combine(Workspace, "f")).ShouldBe("ws\n");
        File.ReadAllText(Path.Combine(home, "f")).ShouldBe("h\n");
        File.ReadAllText(Path.Combine(temp, "f")).ShouldBe("t\n");
        File.ReadAllText(Path.Combine(report, "junit.xml")).ShouldBe("<testsuite/>\n");
    }

    [Fact]
    public async Task A_timeout_kills_everything_in_the_sandbox()
    {
        var started = DateTime.UtcNow;

        var result = await Run("sleep 300 & sleep 300 & wait", timeout: TimeSpan.FromSeconds(1));

        result.TimedOut.ShouldBeTrue();
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_file_larger_than_the_limit_cannot_be_written()
    {
        var result = await Run("head -c 3000000 /dev/zero > big.bin", limits: ResourceLimits.Default with { MaxFileBytes = 1_000_000 });

        result.ExitCode.ShouldNotBe(0);
        new FileInfo(Path.Combine(Workspace, "big.bin")).Length.ShouldBeLessThanOrEqualTo(1_000_000);
    }

    [Fact]
    public async Task Memory_beyond_the_limit_kills_the_process_where_cgroups_allow()
    {
        Assert.SkipUnless(CgroupLimits.Available(), "no writable cgroup on this machine");

        var result = await Run(
            "python3 -c \"x = bytearray(400 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]); print('allocated')\"",
            limits: ResourceLimits.Default with { MemoryBytes = 128L * 1024 * 1024 });

        result.ExitCode.ShouldNotBe(0);
        result.StandardOutput.ShouldNotContain("allocated");
        result.MemoryLimitReached.ShouldBeTrue();
    }

    [Fact]
    public async Task The_number_of_processes_is_capped_where_cgroups_allow()
    {
        Assert.SkipUnless(CgroupLimits.Available(), "no writable cgroup on this machine");

        var result = await Run(
            "for i in $(seq 1 60); do sleep 5 & done; echo started all",
            limits: ResourceLimits.Default with { MaxProcesses = 20 }, timeout: TimeSpan.FromSeconds(20));

        result.ExitCode.ShouldNotBe(0);
        result.StandardOutput.ShouldNotContain("started all");
        result.StandardError.ShouldContain("fork", Case.Insensitive);
    }
}
