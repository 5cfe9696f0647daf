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
        using var prepared = _sandbox.Prepare(ProcessSpec.Shell(command, Workspace, ChildEnvironment.Inherited()), policy);
        return await ProcessRunner.RunAsync(prepared.Spec, timeout ?? TimeSpan.FromSeconds(30), CancellationToken.None);
    }

    [Fact]
    public async Task A_sandboxed_process_outlives_the_thread_that_started_it()
    {
        // Given a sandboxed command that takes a while, started from a thread that then ends (as
        // the runtime retires idle thread-pool threads after ~20 s: bubblewrap's --die-with-parent
        // is tied to the thread that forked it, not to the process)
        using var prepared = _sandbox.Prepare(ProcessSpec.Shell("touch started; sleep 2; echo finished", Workspace, ChildEnvironment.Inherited()), new SandboxPolicy { Workspace = Workspace });
        Task<ProcessResult>? running = null;
        var starter = new Thread(() =>
        {
            running = ProcessRunner.RunAsync(prepared.Spec, TimeSpan.FromSeconds(60), CancellationToken.None);
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
        var test = await Run(connect, new SandboxPolicy { Workspace = Workspace, AllowNetwork = false });
        var agent = await Run(connect, new SandboxPolicy { Workspace = Workspace, AllowNetwork = true });

        // Then only the agent gets through
        test.ExitCode.ShouldNotBe(0);
        test.StandardOutput.ShouldNotContain("connected");
        agent.ExitCode.ShouldBe(0, agent.StandardError);
        agent.StandardOutput.Trim().ShouldBe("connected");
    }

    [Fact]
    public async Task Hidden_folders_appear_empty()
    {
        var secret = _temp.Write("suite/tasks/t/solution/answer.py", "ANSWER = 42\n");
        var suite = _temp.Combine("suite");

        var result = await Run($"cat {secret} 2>&1; ls -A {suite} | wc -l", new SandboxPolicy { Workspace = Workspace, Hidden = [suite] });

        result.StandardOutput.ShouldNotContain("ANSWER = 42", Case.Sensitive);
        result.StandardOutput.Trim().ShouldEndWith("0");
    }

    [Fact]
    public async Task Extra_writable_folders_are_writable()
    {
        var report = _temp.Combine("report");
        Directory.CreateDirectory(report);

        await Run($"echo '<testsuite/>' > {report}/junit.xml", new SandboxPolicy { Workspace = Workspace, Writable = [report] });

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
