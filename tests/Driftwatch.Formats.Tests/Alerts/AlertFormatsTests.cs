using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Alerts;
using Shouldly;

namespace Driftwatch.Formats.Tests.Alerts;

public sealed class AlertFormatsTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 12, 6, 5, 0, TimeSpan.Zero);

    private static Verdict Verdict(VerdictStatus status, int flips = 2) => new()
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

    private static RunHeader Run(int planned = 12) => new()
    {
        Id = 9, Agent = "claude-code", AgentKind = "claude-code", Synthetic = false, Suite = "core", SuiteRevision = "r", Status = RunStatus.Complete,
        StartedAt = At, Seed = 1, TrialsPerTask = 1, PlannedTrials = planned, SandboxMode = "bwrap",
        Summary = new RunSummary(planned, 6, 4, 0, 2, 0),
    };

    private static Trial Trial(string task, int sequence, TrialOutcome outcome, string? errorKind, params string[] flags) => new()
    {
        RunId = 9, TaskId = task, TrialIndex = 0, Sequence = sequence, Category = Driftwatch.Core.Suites.TaskCategory.Generation, Language = "python",
        Outcome = outcome, ErrorKind = errorKind, StartedAt = At, FinishedAt = At, Flags = [.. flags],
    };

    [Fact]
    public void A_flag_alert_reaches_the_JSON_Slack_and_Discord_with_its_counts_and_flags()
    {
        // Given a suspect-trials alert
        var alert = Alert.ForFlaggedTrials(Run(planned: 3), [Trial("gen-<x>", 0, TrialOutcome.Error, "suspect", "suspect:shadows-test-framework unittest.py")], new AlertContext(At, 9))
            .ShouldHaveSingleItem();

        // When it is written for each sink
        var json = System.Text.Json.Nodes.JsonNode.Parse(alert.ToJson())!;
        var slack = AlertFormats.Slack(alert)["blocks"]![1]!["text"]!["text"]!.GetValue<string>();
        var discord = AlertFormats.Discord(alert)["embeds"]![0]!;

        // Then each carries the count and the flag (Slack escaped), Discord in red
        json["event"]!.GetValue<string>().ShouldBe("suspect-trials");
        json["suspectTrials"]!.GetValue<int>().ShouldBe(1);
        json["fallbackTrials"].ShouldBeNull();
        json["flags"]![0]!["task"]!.GetValue<string>().ShouldBe("gen-<x>");
        json["flags"]![0]!["flag"]!.GetValue<string>().ShouldBe("suspect:shadows-test-framework unittest.py");
        Alert.FromJson(alert.ToJson()).Flags.ShouldBe(alert.Flags);
        slack.ShouldContain("*suspect trials:* 1 of 3");
        slack.ShouldContain("*flagged:* gen-&lt;x&gt;#0 error (suspect): suspect:shadows-test-framework unittest.py");
        discord["color"]!.GetValue<int>().ShouldBe(0xD93025);
        discord["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()).ShouldContain("flagged");
    }

    [Fact]
    public void Slack_and_Discord_bodies_stay_within_the_services_limits()
    {
        // Given an alert whose facts are far longer than a message may be
        var verdict = Verdict(VerdictStatus.Degraded) with { FingerprintChanges = [.. Enumerable.Range(0, 40).Select(i => new string('x', 1500) + i)] };
        var alert = Alert.ForVerdict(AlertEvents.Degraded, verdict, null, new AlertContext(At));

        // When it is formatted for Slack and Discord
        var slack = AlertFormats.Slack(alert);
        var discord = AlertFormats.Discord(alert);

        // Then section text, embed fields and field values are cut to what the services accept
        slack["blocks"]![1]!["text"]!["text"]!.GetValue<string>().Length.ShouldBeLessThanOrEqualTo(3000);
        var fields = discord["embeds"]![0]!["fields"]!.AsArray();
        fields.Count.ShouldBeLessThanOrEqualTo(25);
        fields.ShouldAllBe(f => f!["value"]!.GetValue<string>().Length <= 1024);
        discord["content"]!.GetValue<string>().Length.ShouldBeLessThanOrEqualTo(2000);
    }
}
