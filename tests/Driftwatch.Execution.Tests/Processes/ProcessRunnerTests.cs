using System.Collections.Immutable;
using Driftwatch.Execution.Processes;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Processes;

public sealed class ProcessRunnerTests : IDisposable
{
    private readonly TempDirectory _temp = new("process");

    public void Dispose() => _temp.Dispose();

    private ProcessSpec Shell(string command) => ProcessSpec.Shell(command, _temp.Path, ChildEnvironment.Inherited());

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    [Fact]
    public async Task Captures_exit_code_and_both_streams()
    {
        var result = await ProcessRunner.RunAsync(Shell("echo out; echo err >&2; exit 3"), TimeSpan.FromSeconds(10), CancellationToken.None);

        result.ExitCode.ShouldBe(3);
        result.TimedOut.ShouldBeFalse();
        result.StandardOutput.ShouldBe("out\n");
        result.StandardError.ShouldBe("err\n");
    }

    [Fact]
    public async Task A_timeout_kills_the_whole_process_group_including_background_children()
    {
        // Given a command that leaves a background child and then hangs, run in its own group
        var spec = new NoSandbox().Prepare(Shell($"sleep 300 & echo $! > {_temp.Combine("child.pid")}; sleep 300"), new SandboxPolicy { Workspace = _temp.Path }).Spec;

        // When it runs past its timeout
        var result = await ProcessRunner.RunAsync(spec, TimeSpan.FromSeconds(1), CancellationToken.None);

        // Then it is reported as timed out and the background child is dead too
        result.TimedOut.ShouldBeTrue();
        result.Duration.ShouldBeLessThan(TimeSpan.FromSeconds(15));
        var child = int.Parse(File.ReadAllText(_temp.Combine("child.pid")).Trim());
        await WaitUntil(() => !Alive(child));
        Alive(child).ShouldBeFalse();
    }

    [Fact]
    public async Task Processes_left_behind_after_a_normal_exit_are_killed()
    {
        var spec = new NoSandbox().Prepare(Shell($"(sleep 300 & echo $! > {_temp.Combine("child.pid")}) ; exit 0"), new SandboxPolicy { Workspace = _temp.Path }).Spec;

        var result = await ProcessRunner.RunAsync(spec, TimeSpan.FromSeconds(30), CancellationToken.None);

        result.ExitCode.ShouldBe(0);
        var child = int.Parse(File.ReadAllText(_temp.Combine("child.pid")).Trim());
        await WaitUntil(() => !Alive(child));
        Alive(child).ShouldBeFalse();
    }

    [Fact]
    public async Task Output_beyond_the_cap_is_dropped_with_a_note()
    {
        // Given a command whose output starts with 150,000 'a' and ends with 150,000 'z'
        var command = "head -c 150000 /dev/zero | tr '\\0' a; head -c 150000 /dev/zero | tr '\\0' z";

        // When its output is capped at 10,000 bytes
        var result = await ProcessRunner.RunAsync(Shell(command), TimeSpan.FromSeconds(20), CancellationToken.None, outputCapBytes: 10_000);

        // Then its first and last 5,000 bytes are kept (the end of an output holds its verdict), with a note between
        result.ExitCode.ShouldBe(0);
        result.OutputTruncated.ShouldBeTrue();
        result.StandardOutput.Length.ShouldBeLessThan(10_200);
        result.StandardOutput.ShouldStartWith(new string('a', 5_000) + "\n[driftwatch: output longer than 10000 bytes; 290000 bytes dropped here]\n");
        result.StandardOutput.ShouldEndWith(new string('z', 5_000));
    }

    [Fact]
    public async Task A_missing_program_is_a_start_failure_not_an_exception()
    {
        var spec = new ProcessSpec { FileName = "/nonexistent/agent-binary", WorkingDirectory = _temp.Path };

        var result = await ProcessRunner.RunAsync(spec, TimeSpan.FromSeconds(5), CancellationToken.None);

        result.StartFailure.ShouldNotBeNull();
        result.StartFailure.ShouldContain("/nonexistent/agent-binary");
        result.Succeeded.ShouldBeFalse();
    }

    [Fact]
    public async Task Cancellation_kills_the_process_and_throws()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Should.ThrowAsync<OperationCanceledException>(() => ProcessRunner.RunAsync(Shell("sleep 300"), TimeSpan.FromMinutes(5), cancel.Token));
    }

    [Fact]
    public async Task The_environment_is_exactly_the_one_given()
    {
        var spec = new ProcessSpec
        {
            FileName = "/usr/bin/env",
            WorkingDirectory = _temp.Path,
            Environment = ImmutableDictionary<string, string>.Empty.Add("ONLY_THIS", "1"),
        };

        var result = await ProcessRunner.RunAsync(spec, TimeSpan.FromSeconds(5), CancellationToken.None);

        result.StandardOutput.Trim().ShouldBe("ONLY_THIS=1");
    }

    [Fact]
    public void Credential_like_variables_are_not_inherited()
    {
        ChildEnvironment.LooksSecret("ANTHROPIC_API_KEY").ShouldBeTrue();
        ChildEnvironment.LooksSecret("GITHUB_TOKEN").ShouldBeTrue();
        ChildEnvironment.LooksSecret("PATH").ShouldBeFalse();
        ChildEnvironment.LooksSecret("HOME").ShouldBeFalse();
    }

    [Fact]
    public void A_trial_inherits_no_credential_by_value_no_agent_setting_and_no_Driftwatch_variable()
    {
        // Given variables of the operator's shell: a database URL with a password under a harmless
        // name, Claude Code and Anthropic settings, a Driftwatch variable, and an ordinary one
        var id = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var names = new Dictionary<string, string>
        {
            [$"DW_TEST_URL_{id}"] = "postgres://app:pw-" + id + "@db.internal/app",
            [$"CLAUDE_CODE_TEST_{id}"] = "1",
            [$"ANTHROPIC_TEST_MODEL_{id}"] = "claude-other",
            [$"DRIFTWATCH_TEST_{id}"] = "x",
            [$"DW_TEST_PLAIN_{id}"] = "plain",
        };
        foreach (var (name, value) in names)
            Environment.SetEnvironmentVariable(name, value);
        try
        {
            // When a trial's environment is made
            var inherited = ChildEnvironment.Inherited();

            // Then only the ordinary one is in it
            inherited.Keys.Where(k => k.Contains(id, StringComparison.Ordinal)).ShouldBe([$"DW_TEST_PLAIN_{id}"]);
        }
        finally
        {
            foreach (var name in names.Keys)
                Environment.SetEnvironmentVariable(name, null);
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
            await Task.Delay(50);
    }
}
