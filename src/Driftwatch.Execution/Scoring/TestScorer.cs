using System.Collections.Concurrent;
using Driftwatch.Core.Files;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scoring;
using Driftwatch.Core.Suites;
using Driftwatch.Core.Text;
using Driftwatch.Execution.Processes;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Workspaces;
using Driftwatch.Formats.JUnit;

namespace Driftwatch.Execution.Scoring;

/// <summary>The verdict of the hidden tests on a workspace.</summary>
internal sealed record HiddenTestResult(TrialOutcome Outcome, int Passed, int Total, TimeSpan Duration, string Output)
{
    /// <summary>True when the result was reused from an identical workspace instead of run again.</summary>
    public bool Reused { get; init; }

    /// <summary>How the test command ended when it was not simply by its exit code: an error kind (error), or what stopped it (fail, timeout).</summary>
    public string? Kind { get; init; }

    /// <summary>The explanation of <see cref="Kind"/>.</summary>
    public string? Detail { get; init; }

    /// <summary>Trial flags the test run raised (the code under test caught replacing the test machinery).</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];
}

/// <summary>
/// Remembers test results by the exact content of the workspace they ran on. Only for synthetic
/// agents (the demo), whose few distinct workspaces would otherwise be tested again and again.
/// </summary>
public sealed class TestResultCache
{
    private readonly ConcurrentDictionary<string, Lazy<Task<HiddenTestResult>>> _results = new(StringComparer.Ordinal);

    public int Size => _results.Count;

    /// <summary>The scorers' results by the content of the change they measured (see <see cref="Scorers.TrialScorers"/>).</summary>
    internal ConcurrentDictionary<string, Lazy<Task<Scorers.TrialScores>>> Scores { get; } = new(StringComparer.Ordinal);

    internal Task<HiddenTestResult> GetOrRunAsync(string key, Func<Task<HiddenTestResult>> run) =>
        _results.GetOrAdd(key, _ => new Lazy<Task<HiddenTestResult>>(run)).Value;
}

/// <summary>
/// Runs a task's hidden tests on a fresh copy of an agent's final workspace (docs/suite-format.md). Before they
/// run, what the agent may have left to sway them goes: folders that belong to the tests (those the task's workspace does not
/// have, like HiddenTests/ or test/) and the support folder are replaced whole, bytecode caches
/// and any planted report are removed, and the tests get a HOME and /tmp of their own. The test
/// command runs in the sandbox with no network and the suite hidden, told which test files are
/// the hidden ones ($DRIFTWATCH_TESTS). How it ended decides the outcome (<see cref="Classify"/>).
/// </summary>
internal sealed class TestScorer(ISandbox sandbox, TestResultCache? cache = null, IReadOnlyList<string>? hidden = null)
{
    public const string SupportFolder = ".driftwatch";

    public async Task<HiddenTestResult> ScoreAsync(SuiteDefinition suite, TaskDefinition task, TrialWorkspace workspace, CancellationToken cancellationToken)
    {
        PrepareForTests(suite, task, workspace);
        if (cache is null)
            return await RunTestsAsync(suite, task, workspace, cancellationToken).ConfigureAwait(false);
        var key = TreeHash.Compute(workspace.TestWorkspace, salt: task.TestCommand);
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

    /// <summary>The hidden test files, relative to the workspace, as the test command is told them.</summary>
    public static IReadOnlyList<string> TestFiles(TaskDefinition task) =>
        [.. FileTree.Walk(task.TestsDirectory, SuitePaths.IsIgnored).Where(e => e.Kind == EntryKind.File).Select(e => e.RelativePath)];

    /// <summary>
    /// Makes the tests' workspace (a fresh copy of what the agent left), puts the hidden tests and
    /// support files in place there, and removes what could sway them.
    /// </summary>
    public static void PrepareForTests(SuiteDefinition suite, TaskDefinition task, TrialWorkspace workspace)
    {
        workspace.ResetTestFolders();
        foreach (var owned in TestOwnedFolders(task))
            workspace.RemoveFromTests(owned);
        workspace.RemoveFromTests(SupportFolder);
        foreach (var cache in FileTree.Walk(workspace.TestWorkspace).Where(e => SuitePaths.IsIgnored(Path.GetFileName(e.RelativePath))).Select(e => e.RelativePath).ToList())
            workspace.RemoveFromTests(cache);
        workspace.OverlayTests(task.TestsDirectory);
        if (suite.SupportDirectory is { } support)
            workspace.OverlayTests(support, SupportFolder);
        if (task.JUnitPath is { } junit)
            workspace.RemoveFromTests(junit);
    }

    /// <summary>
    /// Folders of the hidden tests that the task's workspace does not have (the outermost of each):
    /// they are the tests' alone, so whatever the agent put there is removed before the tests land.
    /// </summary>
    public static IReadOnlyList<string> TestOwnedFolders(TaskDefinition task)
    {
        var owned = new List<string>();
        foreach (var entry in FileTree.Walk(task.TestsDirectory, SuitePaths.IsIgnored).Where(e => e.Kind == EntryKind.Directory))
        {
            if (owned.Any(o => entry.RelativePath.StartsWith(o + "/", StringComparison.Ordinal)))
                continue;
            if (FileTree.Inspect(Path.Combine(task.WorkspaceDirectory, entry.RelativePath)).Kind != EntryKind.Directory)
                owned.Add(entry.RelativePath);
        }
        return owned;
    }

    private async Task<HiddenTestResult> RunTestsAsync(SuiteDefinition suite, TaskDefinition task, TrialWorkspace workspace, CancellationToken cancellationToken)
    {
        var policy = new SandboxPolicy
        {
            Workspace = workspace.TestWorkspace,
            Home = workspace.TestHome,
            Temp = workspace.TestTemp,
            Reports = workspace.ReportDirectory,
            Hidden = [.. HostView.WithRepositories([suite.Directory, AppContext.BaseDirectory]), .. hidden ?? []],
            Network = NetworkAccess.None,
        };
        var view = sandbox.View(policy);
        var environment = ChildEnvironment.ForTests(view, TestFiles(task));
        using var prepared = sandbox.Prepare(ProcessSpec.Shell(task.TestCommand, view.Workspace, environment), policy);
        var run = await prepared.RunAsync(task.TestTimeout, cancellationToken).ConfigureAwait(false);
        var counts = run.RanToEnd ? ReadReport(task, workspace) : null;
        return Classify(run, counts, task.TestTimeout);
    }

    /// <summary>
    /// How a run of the hidden tests scores. Pass and fail only when the test command ran to its own
    /// end: its exit code decides (a fail names the limit that stopped the code under test: memory,
    /// file size, disk). A test command that ran out of time is a timeout. One that never ran, or was
    /// killed from outside, is an error of the infrastructure, never a failure of the agent.
    /// </summary>
    public static HiddenTestResult Classify(ProcessResult run, JUnitCounts? counts, TimeSpan timeout)
    {
        var output = run.StartFailure ?? run.CombinedOutput;
        HiddenTestResult Result(TrialOutcome outcome, string? kind = null, string? detail = null)
        {
            var (passed, total) = counts is { Counted: > 0 } c ? (c.Passed, c.Counted) : (outcome == TrialOutcome.Pass ? 1 : 0, 1);
            var note = detail is null ? "" : $"\n[driftwatch: {detail}]\n";
            return new HiddenTestResult(outcome, passed, total, run.Duration, output + note) { Kind = kind, Detail = detail };
        }

        switch (run.Ending)
        {
            case ProcessEnding.StartFailed:
                return Result(TrialOutcome.Error, "harness", $"the test command could not be started: {run.StartFailure}");
            case ProcessEnding.SandboxFailed:
                return Result(TrialOutcome.Error, "sandbox", run.EndingDetail);
            case ProcessEnding.Killed:
                return Result(TrialOutcome.Error, "killed", run.EndingDetail);
            case ProcessEnding.TimedOut:
                return Result(TrialOutcome.Timeout, "test-timeout", $"test command killed after {timeout.TotalSeconds:0} s");
            case ProcessEnding.DiskLimit:
                return Result(TrialOutcome.Fail, "disk-limit", $"the tests were stopped: {run.EndingDetail}");
        }
        // Driftwatch's runners (unittest_junit.py, guard.mjs, TestKit.cs) notice the code under test
        // replacing the test machinery or ending the process early; that is not a pass, and it is suspect.
        if (counts?.RunnerNote == "tampered" || TamperedAtRuntime(output))
        {
            return Result(TrialOutcome.Fail, "tampered", "the code under test replaced the test machinery or ended the tests early") with
            {
                Flags = [TrialFlags.SuspectPrefix + "tampered-at-runtime"],
            };
        }
        if (run.ExitCode == 0 && counts is { Failed: > 0 })
        {
            return Result(TrialOutcome.Fail, "tests-unfinished",
                $"the test command exited 0, but its report counts {counts.Failed} failing test(s){(counts.RunnerNote == "unfinished" ? ": the run ended before the tests had run" : "")}");
        }
        if (run.ExitCode == 0)
            return Result(TrialOutcome.Pass);
        if (run.MemoryLimitReached)
            return Result(TrialOutcome.Fail, "memory-limit", "the memory limit of the sandbox was reached and a process of the tests was killed for it");
        if (run.ExitCode == 128 + 25)
            return Result(TrialOutcome.Fail, "file-size-limit", "a process of the tests wrote past the file-size limit (SIGXFSZ)");
        return Result(TrialOutcome.Fail);
    }

    private static bool TamperedAtRuntime(string output) =>
        output.Contains("[driftwatch] the code under test replaced the test machinery", StringComparison.Ordinal)
        || output.Contains("[driftwatch] process.exit(0) was called while the tests ran", StringComparison.Ordinal);

    private static JUnitCounts? ReadReport(TaskDefinition task, TrialWorkspace workspace)
    {
        var path = task.JUnitPath is { } junit ? Path.Combine(workspace.TestWorkspace, junit) : workspace.JUnitReportPath;
        var bytes = FileTree.ReadRegular(path, 16 * 1024 * 1024);
        return bytes is null ? null : JUnitReport.TryParse(System.Text.Encoding.UTF8.GetString(bytes));
    }
}
