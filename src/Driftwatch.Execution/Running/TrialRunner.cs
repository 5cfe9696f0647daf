using System.Diagnostics;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Scoring;
using Driftwatch.Execution.Workspaces;

namespace Driftwatch.Execution.Running;

/// <summary>How trials are run.</summary>
public sealed record TrialOptions
{
    /// <summary>Attempts per trial when the infrastructure fails (outcome error); 1 means no retry.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>First pause before a retry; doubled each time, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Where trial folders are made (default: the system temp folder).</summary>
    public string WorkRoot { get; init; } = Path.Combine(Path.GetTempPath(), "driftwatch");

    /// <summary>Keep every trial folder for debugging instead of removing it.</summary>
    public bool KeepWorkspaces { get; init; }

    /// <summary>Reuse test results of identical workspaces (synthetic agents only; see <see cref="TestResultCache"/>).</summary>
    public TestResultCache? TestCache { get; init; }
}

/// <summary>A finished trial and what to keep of it.</summary>
public sealed record TrialRecord(Trial Trial, IReadOnlyList<TrialArtifact> Artifacts);

/// <summary>
/// Runs one trial (SPEC §5): a fresh copy of the workspace, the agent, the hidden tests, the
/// score. Infrastructure failures are retried with exponential backoff and never scored as fail.
/// </summary>
public sealed class TrialRunner(IAgent agent, ISandbox sandbox, TrialOptions options, TimeProvider time)
{
    private readonly TestScorer _scorer = new(sandbox, options.TestCache);

    public async Task<TrialRecord> RunAsync(SuiteDefinition suite, TaskDefinition task, PlannedTrial planned, RunContext run, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            attempt++;
            var record = await AttemptAsync(suite, task, planned, run, attempt, cancellationToken).ConfigureAwait(false);
            if (record.Trial.Outcome != TrialOutcome.Error || attempt >= options.MaxAttempts)
                return record;
            var jitter = 0.5 + Random.Shared.NextDouble();
            var delay = options.RetryDelay * Math.Pow(2, attempt - 1) * jitter;
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TrialRecord> AttemptAsync(SuiteDefinition suite, TaskDefinition task, PlannedTrial planned, RunContext run, int attempt, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var artifacts = new List<TrialArtifact>();
        Trial Finish(TrialOutcome outcome, AgentResult? agentResult, HiddenTestResult? test, long agentMs, string? errorKind = null, string? errorMessage = null) => new()
        {
            RunId = run.RunId,
            TaskId = task.Id,
            TrialIndex = planned.TrialIndex,
            Sequence = planned.Sequence,
            Category = task.Category,
            Language = task.Language,
            Outcome = outcome,
            TestsPassed = test?.Passed ?? 0,
            TestsTotal = test?.Total ?? 1,
            StartedAt = startedAt,
            FinishedAt = startedAt + clock.Elapsed,
            DurationMs = clock.ElapsedMilliseconds,
            AgentDurationMs = agentMs,
            TestDurationMs = (long)(test?.Duration.TotalMilliseconds ?? 0),
            Usage = agentResult?.Usage ?? AgentUsage.None,
            AgentVersion = run.AgentVersion,
            Model = agentResult?.Model,
            StopReason = agentResult?.StopReason,
            ErrorKind = errorKind ?? agentResult?.ErrorKind,
            ErrorMessage = errorMessage ?? agentResult?.ErrorMessage,
            Attempts = attempt,
        };

        try
        {
            using var workspace = TrialWorkspace.Create(task, WorkRoot.ForThisProcess(options.WorkRoot), $"r{run.RunId}-{task.Id}-{planned.TrialIndex}", options.KeepWorkspaces);
            var request = new AgentRequest
            {
                Task = task,
                Suite = suite,
                Workspace = workspace.Workspace,
                Home = workspace.Home,
                Temp = workspace.Temp,
                Context = new TrialContext(run.RunId, run.Day, planned.TrialIndex, attempt, run.Seed),
                Sandbox = sandbox,
                Policy = new SandboxPolicy
                {
                    Workspace = workspace.Workspace,
                    Writable = [workspace.Home, workspace.Temp],
                    Hidden = [suite.Directory],
                    AllowNetwork = true,
                },
            };

            var agentClock = Stopwatch.StartNew();
            var agentResult = await agent.RunAsync(request, cancellationToken).ConfigureAwait(false);
            var agentMs = agentClock.ElapsedMilliseconds;
            AddArtifact(artifacts, ArtifactKind.Transcript, agentResult.Transcript);
            AddArtifact(artifacts, ArtifactKind.AgentOutput, agentResult.Output);

            if (agentResult.Exit == AgentExit.InfrastructureError)
                return new TrialRecord(Finish(TrialOutcome.Error, agentResult, null, agentMs), artifacts);

            AddArtifact(artifacts, ArtifactKind.Diff, workspace.Diff());
            if (agentResult.Exit == AgentExit.TimedOut)
            {
                return new TrialRecord(Finish(TrialOutcome.Timeout, agentResult, null, agentMs, "agent-timeout",
                    $"the agent was stopped after {task.AgentTimeout.TotalSeconds:0} s"), artifacts);
            }

            var test = await _scorer.ScoreAsync(suite, task, workspace, cancellationToken).ConfigureAwait(false);
            AddArtifact(artifacts, ArtifactKind.TestOutput, test.Output);
            var errorKind = test.Outcome == TrialOutcome.Timeout ? "test-timeout" : null;
            return new TrialRecord(Finish(test.Outcome, agentResult, test, agentMs, errorKind), artifacts);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // A fault of the harness itself (disk full, a file we could not copy): infrastructure, not the model.
            return new TrialRecord(Finish(TrialOutcome.Error, null, null, 0, "harness", ex.Message), artifacts);
        }
    }

    private static void AddArtifact(List<TrialArtifact> artifacts, ArtifactKind kind, string? content)
    {
        if (!string.IsNullOrEmpty(content))
            artifacts.Add(new TrialArtifact(kind, content));
    }
}

/// <summary>What every trial of a run shares.</summary>
public sealed record RunContext(long RunId, DateOnly Day, int Seed, string? AgentVersion);
