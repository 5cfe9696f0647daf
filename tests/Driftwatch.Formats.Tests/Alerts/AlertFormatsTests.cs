using Driftwatch.Core.Alerts;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Alerts;
using Shouldly;
using static Driftwatch.Testing.SampleAlertInputs;

namespace Driftwatch.Formats.Tests.Alerts;

public sealed class AlertFormatsTests
{
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
        var alert = Alert.ForVerdict(AlertEvents.Degraded, verdict, (VerdictStatus?)null, new AlertContext(At));

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
