using Driftwatch.Core.Metrics;
using System.Collections.Immutable;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Web.Exports;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Tests.Exports;

/// <summary>
/// A small export written out by hand: run 2 of agent "claude" on suite "core" with one trial of
/// each outcome, compared with run 1, and a degraded verdict. Text that needs quoting or escaping
/// in some format (a comma and quotes in the agent version, angle brackets in an error) is in it.
/// Flagged trials as the runner and the claude-code agent leave them (with on_fallback: score): the
/// pass was served by a fallback model, the fail got a refusal, and a fifth trial passed with a
/// change that shadowed the test framework, so it is not counted (error suspect). Over every run so
/// far the agent × suite had 3 suspect, 2 fallback and 1 refused trials.
/// </summary>
public static class ExportSample
{
    private static readonly DateTimeOffset Started = new(2026, 4, 2, 6, 0, 0, TimeSpan.Zero);
    private const string Version = "2.1.0 (Claude Code, \"beta\")";
    public const string Fallback = "fallback:claude-opus-4-5→claude-sonnet-4-5";
    public const string Suspect = "suspect:shadows-test-framework unittest.py";

    public static ExportData Data { get; } = Build();

    /// <summary>The sample with every trial reporting <paramref name="model"/> as its model.</summary>
    public static ExportData WithModel(string model) => Data with
    {
        Runs = [.. Data.Runs.Select(view => view with { Tasks = [.. view.Tasks.Select(row => row with { Trials = [.. row.Trials.Select(t => t with { Model = model })] })] })],
    };

    /// <summary>The sample with a history too short to judge: five days, no baseline, verdict insufficient.</summary>
    public static ExportData Insufficient { get; } = Data with
    {
        Verdicts =
        [
            new Verdict
            {
                Agent = "claude",
                Suite = "core",
                Status = VerdictStatus.Insufficient,
                Detector = "cusum",
                Note = new VerdictNote(VerdictReason.NotEnoughHistory, 5, CheckOptions.MinimumDays),
            },
        ],
    };

    private static ExportData Build()
    {
        var trials = new[]
        {
            Trial("gen-a", TrialOutcome.Pass, 4, 4, 1200, 0.0100m) with { Flags = [Fallback], ServedModels = ["claude-sonnet-4-5"] },
            Trial("gen-b", TrialOutcome.Fail, 1, 4, 2300, 0.0200m) with { Flags = ["refusal"], ServedModels = ["claude-sonnet-4-5"] },
            Trial("gen-c", TrialOutcome.Timeout, 0, 4, 60000, 0.0300m),
            Trial("gen-d", TrialOutcome.Error, 0, 0, 500, null) with { ErrorKind = "api-529", ErrorMessage = "overloaded <retry later>" },
            Trial("gen-e", TrialOutcome.Error, 4, 4, 1500, 0.0100m) with
            {
                ErrorKind = "suspect",
                ErrorMessage = $"the tests passed, but the change touched the test machinery ({Suspect}): not counted as a pass",
                Flags = [Suspect],
                ServedModels = ["claude-sonnet-4-5"],
            },
        };
        var previousRates = new Dictionary<string, double> { ["gen-a"] = 0, ["gen-b"] = 1, ["gen-c"] = 0, ["gen-d"] = 1, ["gen-e"] = 1 };
        var rows = trials.Select(t =>
        {
            var row = new TaskRow(t.TaskId, "generation", "python", [t], previousRates[t.TaskId], Flip.None);
            return row with { Flip = DashboardReader.FlipOf(row.PreviousRate, row.Rate) };
        }).ToList();
        var run = Header(2, Started, RunSummary.Of(trials.Select(t => (TrialOutcome?)t.Outcome)));
        var previous = Header(1, Started.AddDays(-1), new RunSummary(4, 2, 2, 0, 0, 0));
        var verdict = new Verdict
        {
            Agent = "claude",
            Suite = "core",
            Status = VerdictStatus.Degraded,
            Detector = "cusum",
            Effect = -0.25,
            Low = -0.4,
            High = -0.1,
            ChangeDay = new DateOnly(2026, 3, 28),
            AlarmDay = new DateOnly(2026, 3, 31),
            FlippedTasks = [new TaskFlip("gen-b", 20, 19, 5, 1)],
            FingerprintChanges = ["agent version 2.0.9 → 2.1.0 on 2026-03-28"],
            BaselineFrom = new DateOnly(2026, 2, 1),
            BaselineTo = new DateOnly(2026, 3, 2),
            BaselineDays = 30,
            MonitoredDays = 31,
            BaselinePassRate = 0.625,
            RecentPassRate = 0.375,
        };
        return new ExportData([new RunView(run, previous, rows)], [verdict])
        {
            FlaggedSoFar = new Dictionary<(string, string), FlagCounts> { [("claude", "core")] = new FlagCounts(3, 2, 1) },
        };
    }

    /// <summary>A trial as the runner records it: with the catalog's metrics measured of it.</summary>
    private static Trial Trial(string task, TrialOutcome outcome, int passed, int total, long durationMs, decimal? cost)
    {
        var trial = Unmeasured(task, outcome, passed, total, durationMs, cost);
        return trial with { Metrics = TrialMetrics.Measure(trial) };
    }

    private static Trial Unmeasured(string task, TrialOutcome outcome, int passed, int total, long durationMs, decimal? cost) => new()
    {
        RunId = 2,
        TaskId = task,
        TrialIndex = 0,
        Sequence = 0,
        Category = TaskCategory.Generation,
        Language = "python",
        Outcome = outcome,
        TestsPassed = passed,
        TestsTotal = total,
        StartedAt = Started,
        FinishedAt = Started.AddMilliseconds(durationMs),
        DurationMs = durationMs,
        Usage = cost is null ? AgentUsage.None : new AgentUsage { InputTokens = 1000, OutputTokens = 250, CostUsd = cost },
        AgentVersion = Version,
        Model = "claude-sonnet-4-5",
        StopReason = outcome == TrialOutcome.Error ? null : "end_turn",
    };

    private static RunHeader Header(long id, DateTimeOffset started, RunSummary summary) => new()
    {
        Id = id,
        Agent = "claude",
        AgentKind = "claude-code",
        Synthetic = false,
        Suite = "core",
        SuiteRevision = "abc123",
        Status = RunStatus.Complete,
        StartedAt = started,
        FinishedAt = started.AddMinutes(3),
        Seed = 7,
        TrialsPerTask = 1,
        PlannedTrials = summary.Total,
        SandboxMode = "bwrap",
        Fingerprint = new RunFingerprint { AgentVersion = Version, Models = ImmutableArray.Create("claude-sonnet-4-5"), SuiteRevision = "abc123", DriftwatchVersion = "0.1.0", Os = "linux", Sandbox = "bwrap" },
        Summary = summary,
    };
}
