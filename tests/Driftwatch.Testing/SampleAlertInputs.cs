using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;

namespace Driftwatch.Testing;

/// <summary>The verdicts, runs and trials that alert tests turn into alerts (their text, JSON and sink bodies).</summary>
public static class SampleAlertInputs
{
    public static readonly DateTimeOffset At = new(2026, 3, 12, 6, 5, 0, TimeSpan.Zero);

    /// <summary>A cusum verdict of claude-code on core: a 12.5-point drop since 2026-03-10 (10 points up when improved), with <paramref name="flips"/> flipped tasks.</summary>
    public static Verdict Verdict(VerdictStatus status, int flips = 2) => new()
    {
        Agent = "claude-code",
        Suite = "core",
        Status = status,
        Detector = "cusum",
        Effect = status == VerdictStatus.Improved ? 0.1 : -0.125,
        Low = -0.18,
        High = -0.07,
        ChangeDay = new DateOnly(2026, 3, 10),
        AlarmDay = new DateOnly(2026, 3, 12),
        BaselinePassRate = 0.8,
        RecentPassRate = 0.62,
        FlippedTasks = [.. Enumerable.Range(0, flips).Select(i => new TaskFlip($"task-{i}", 10, 10, 3, 0))],
        FingerprintChanges = ["agent version 2.1.0 → 2.2.0"],
    };

    /// <summary>Run 9 of claude-code on core, complete, <paramref name="planned"/> trials.</summary>
    public static RunHeader Run(int planned = 12) => new()
    {
        Id = 9, Agent = "claude-code", AgentKind = "claude-code", Synthetic = false, Suite = "core", SuiteRevision = "r", Status = RunStatus.Complete,
        StartedAt = At, Seed = 1, TrialsPerTask = 1, PlannedTrials = planned, SandboxMode = "bwrap",
        Summary = new RunSummary(planned, 6, 4, 0, 2, 0),
    };

    /// <summary>A trial of run 9 with its outcome and flags.</summary>
    public static Trial Trial(string task, int sequence, TrialOutcome outcome, string? errorKind, params string[] flags) => new()
    {
        RunId = 9, TaskId = task, TrialIndex = 0, Sequence = sequence, Category = TaskCategory.Generation, Language = "python",
        Outcome = outcome, ErrorKind = errorKind, StartedAt = At, FinishedAt = At, Flags = [.. flags],
    };
}
