using System.Collections.Concurrent;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scoring;
using Driftwatch.Core.Suites;
using Driftwatch.Core.Text;
using Driftwatch.Execution.Processes;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Workspaces;

namespace Driftwatch.Execution.Scoring;

/// <summary>The verdict of the hidden tests on a workspace.</summary>
public sealed record HiddenTestResult(TrialOutcome Outcome, int Passed, int Total, TimeSpan Duration, string Output)
{
    /// <summary>True when the result was reused from an identical workspace instead of run again.</summary>
    public bool Reused { get; init; }
}

/// <summary>
/// Remembers test results by the exact content of the workspace they ran on. Only for synthetic
/// agents (the demo), whose few distinct workspaces would otherwise be tested again and again.
/// </summary>
public sealed class TestResultCache
{
    private readonly ConcurrentDictionary<string, Lazy<Task<HiddenTestResult>>> _results = new(StringComparer.Ordinal);

    public int Size => _results.Count;

    internal Task<HiddenTestResult> GetOrRunAsync(string key, Func<Task<HiddenTestResult>> run) =>
        _results.GetOrAdd(key, _ => new Lazy<Task<HiddenTestResult>>(run)).Value;
}

/// <summary>
/// Runs a task's hidden tests on a workspace (SPEC §3): the tests and the suite's support files
/// are copied over what the agent left, any report at the task's JUnit path is deleted, and the
/// test command runs in the sandbox without network, with the suite hidden and a timeout.
/// </summary>
public sealed class TestScorer(ISandbox sandbox, TestResultCache? cache = null)
{
    public async Task<HiddenTestResult> ScoreAsync(SuiteDefinition suite, TaskDefinition task, TrialWorkspace workspace, CancellationToken cancellationToken)
    {
        PrepareForTests(suite, task, workspace);
        if (cache is null)
            return await RunTestsAsync(suite, task, workspace, cancellationToken).ConfigureAwait(false);
        var key = TreeHash.Compute(workspace.Workspace, salt: task.TestCommand);
        var ran = false;
        var result = await cache.GetOrRunAsync(key, () =>
        {
            ran = true;
            return RunTestsAsync(suite, task, workspace, CancellationToken.None);
        }).ConfigureAwait(false);
        return ran ? result : result with
        {
            Reused = true,
            Duration = TimeSpan.Zero,
            Output = "[driftwatch: identical workspace already tested in this session; its result is reused]\n" + result.Output,
        };
    }

    /// <summary>Puts the hidden tests and support files in place and removes any planted report.</summary>
    public static void PrepareForTests(SuiteDefinition suite, TaskDefinition task, TrialWorkspace workspace)
    {
        workspace.Overlay(task.TestsDirectory);
        if (suite.SupportDirectory is { } support)
            workspace.Overlay(support, ".driftwatch");
        if (task.JUnitPath is { } junit)
        {
            var planted = Path.Combine(workspace.Workspace, junit);
            if (File.Exists(planted))
                File.Delete(planted);
        }
        foreach (var file in Directory.EnumerateFiles(workspace.ReportDirectory))
            File.Delete(file);
    }

    private async Task<HiddenTestResult> RunTestsAsync(SuiteDefinition suite, TaskDefinition task, TrialWorkspace workspace, CancellationToken cancellationToken)
    {
        var environment = ChildEnvironment.ForTrial(workspace.Home, workspace.Temp)
            .SetItem("DRIFTWATCH_JUNIT", workspace.JUnitReportPath);
        var policy = new SandboxPolicy
        {
            Workspace = workspace.Workspace,
            Writable = [workspace.Home, workspace.Temp, workspace.ReportDirectory],
            Hidden = [suite.Directory],
            AllowNetwork = false,
        };
        using var prepared = sandbox.Prepare(ProcessSpec.Shell(task.TestCommand, workspace.Workspace, environment), policy);
        var run = await ProcessRunner.RunAsync(prepared.Spec, task.TestTimeout, cancellationToken).ConfigureAwait(false);

        var outcome = run.StartFailure is not null ? TrialOutcome.Fail
            : run.TimedOut ? TrialOutcome.Timeout
            : run.ExitCode == 0 ? TrialOutcome.Pass
            : TrialOutcome.Fail;
        var counts = ReadReport(task, workspace);
        var (passed, total) = counts is { Counted: > 0 } c
            ? (c.Passed, c.Counted)
            : (outcome == TrialOutcome.Pass ? 1 : 0, 1);
        var output = run.StartFailure ?? run.CombinedOutput;
        if (run.TimedOut)
            output += $"\n[driftwatch: test command killed after {task.TestTimeout.TotalSeconds:0} s]\n";
        return new HiddenTestResult(outcome, passed, total, run.Duration, output);
    }

    private static JUnitCounts? ReadReport(TaskDefinition task, TrialWorkspace workspace)
    {
        var path = task.JUnitPath is { } junit ? Path.Combine(workspace.Workspace, junit) : workspace.JUnitReportPath;
        if (!File.Exists(path) || new FileInfo(path).Length > 16 * 1024 * 1024)
            return null;
        return JUnitReport.TryParse(File.ReadAllText(path));
    }
}
