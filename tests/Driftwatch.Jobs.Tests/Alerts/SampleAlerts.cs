using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;

namespace Driftwatch.Jobs.Tests.Alerts;

/// <summary>Alerts as the scheduler makes them, from a verdict with every field filled in.</summary>
internal static class SampleAlerts
{
    public static readonly DateTimeOffset At = new(2026, 3, 12, 6, 5, 0, TimeSpan.Zero);

    public static Verdict DegradedVerdict() => new()
    {
        Agent = "claude-code",
        Suite = "core",
        Status = VerdictStatus.Degraded,
        Detector = "cusum",
        Effect = -0.125,
        Low = -0.18,
        High = -0.07,
        ChangeDay = new DateOnly(2026, 3, 10),
        AlarmDay = new DateOnly(2026, 3, 12),
        BaselinePassRate = 0.8,
        RecentPassRate = 0.62,
        FlippedTasks =
        [
            new TaskFlip("gen-word-frequencies", 30, 30, 3, 0),
            new TaskFlip("debug-<html>-escape", 30, 28, 3, 1),
        ],
        // As the checker writes them, a harness change from the recording proxy among them.
        FingerprintChanges =
        [
            "agent version 2.1.0 → 2.2.0",
            "system prompt changed on 2026-03-10 (agent 2.2.0 (Claude Code)): +3 lines, −1 line",
        ],
    };

    public static Alert Degraded(string? dashboard = "http://127.0.0.1:5170/agents/{agent}/{suite}?run={run}") =>
        Alert.ForVerdict(AlertEvents.Degraded, DegradedVerdict(), VerdictStatus.Ok, new AlertContext(At, 14, "claude-code on core @ 0 6 * * *", At.AddMinutes(-5), dashboard));
}
