using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Driftwatch.Core.Alerts;

/// <summary>The facts of an alert, as label and value, in the order every format shows them.</summary>
public static class AlertText
{
    public static string Title(Alert alert)
    {
        var subject = $"{alert.Agent} on {alert.Suite}";
        var was = alert.PreviousVerdict is { } previous ? $" (was {previous})" : "";
        return alert.Event switch
        {
            AlertEvents.Degraded => $"{subject}: DEGRADED{was}",
            AlertEvents.Improved => $"{subject}: improved{was}",
            AlertEvents.Recovered => $"{subject}: back to {alert.Verdict}{was}",
            AlertEvents.Incomplete => $"{subject}: run {alert.RunId} ended incomplete",
            AlertEvents.Failed => $"{subject}: the scheduled run could not be made",
            AlertEvents.SuspectTrials => $"{subject}: run {alert.RunId} had {Trials(alert.SuspectTrials)} whose change touched the test machinery",
            AlertEvents.ModelFallback => $"{subject}: run {alert.RunId} had " + string.Join(" and ", new[]
            {
                alert.FallbackTrials is > 0 ? $"{Trials(alert.FallbackTrials)} served by a fallback model" : null,
                alert.RefusedTrials is > 0 ? $"{Trials(alert.RefusedTrials)} refused" : null,
            }.OfType<string>()),
            _ => $"{subject}: {alert.Event}",
        };
    }

    public static IReadOnlyList<(string Label, string Value)> Facts(Alert alert)
    {
        var facts = new List<(string, string)>();
        if (alert.Effect is { } effect)
        {
            var since = alert.ChangeDay is { } day ? $"since {Day(day)}" : "over the monitored days";
            facts.Add(("effect", $"{Points(effect)} {since} (95% CI {Points(alert.Low)} to {Points(alert.High)})"));
        }
        if (alert.RecentPassRate is { } recent && alert.Event != AlertEvents.Incomplete)
            facts.Add(("pass rate", $"{Percent(recent)}" + (alert.BaselinePassRate is { } baseline ? $", baseline {Percent(baseline)}" : "")));
        if (alert.ChangeDay is { } change)
            facts.Add(("change began", Day(change) + (alert.AlarmDay is { } alarm ? $", alarm on {Day(alarm)}" : "")));
        if (alert.FlippedTasks.Count > 0)
            facts.Add(("tasks that moved most", string.Join("; ", alert.FlippedTasks)));
        foreach (var around in alert.FingerprintChanges)
            facts.Add(("changed around then", around));
        if (alert.Event == AlertEvents.Incomplete)
        {
            facts.Add(("trials", $"{alert.Trials} planned, {alert.Errors} in infrastructure errors, {alert.Pending} not run" +
                (alert.RecentPassRate is { } rate ? $"; pass rate of the scored ones {Percent(rate)}" : "")));
            facts.Add(("to finish it", $"driftwatch run --resume {alert.RunId}"));
        }
        if (alert.Problem is { } problem)
            facts.Add(("problem", problem));
        if (alert.SuspectTrials is > 0)
            facts.Add(("suspect trials", $"{alert.SuspectTrials} of {alert.Trials}: the change went for the tests; a pass among them is not counted (error suspect)"));
        if (alert.FallbackTrials is > 0)
            facts.Add(("served by a fallback model", $"{alert.FallbackTrials} of {alert.Trials}"));
        if (alert.RefusedTrials is > 0)
            facts.Add(("refused", $"{alert.RefusedTrials} of {alert.Trials}"));
        foreach (var flag in alert.Flags)
            facts.Add(("flagged", flag.ToString()));
        if (alert.Event is AlertEvents.SuspectTrials or AlertEvents.ModelFallback && alert.RunId is { } flaggedRun)
            facts.Add(("to see every flag", $"driftwatch show {flaggedRun}"));
        if (alert.RunId is { } run && alert.Event != AlertEvents.Incomplete)
            facts.Add(("run", run.ToString(CultureInfo.InvariantCulture)));
        if (alert.Schedule is { } schedule)
            facts.Add(("schedule", alert.Slot is { } slot ? $"{schedule}, slot {slot.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : schedule));
        if (alert.DashboardUrl is { } url)
            facts.Add(("dashboard", url));
        return facts;
    }

    /// <summary>Title and one fact a line.</summary>
    public static string Plain(Alert alert)
    {
        var text = new StringBuilder("Driftwatch: ").Append(Title(alert));
        foreach (var (label, value) in Facts(alert))
            text.Append('\n').Append("  ").Append(label).Append(": ").Append(value);
        return text.ToString();
    }

    private static string Trials(int? count) => count == 1 ? "1 trial" : $"{count} trials";

    public static string Points(double? value) =>
        value is { } v ? (v * 100).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture) + " pts" : "–";

    public static string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>The request bodies each kind of sink receives.</summary>
public static class AlertFormats
{
    // Limits of the receiving services: Slack header text 150, section text 3000; Discord content
    // 2000, embed title 256, description 4096, 25 fields of 1024.
    private const int SlackHeader = 150;
    private const int SlackSection = 3000;
    private const int DiscordContent = 2000;
    private const int DiscordTitle = 256;
    private const int DiscordFieldValue = 1024;
    private const int DiscordFields = 25;

    /// <summary>A Slack incoming webhook: a text fallback and Block Kit blocks (header, facts, link).</summary>
    public static JsonObject Slack(Alert alert)
    {
        var facts = AlertText.Facts(alert).Where(f => f.Label != "dashboard")
            .Select(f => $"*{Escape(f.Label)}:* {Escape(f.Value)}");
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut(alert.Title, SlackHeader) },
            },
            new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut(string.Join("\n", facts), SlackSection) },
            },
        };
        if (alert.DashboardUrl is { } url)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = $"<{url}|Open the dashboard>" }),
            });
        }
        return new JsonObject
        {
            ["text"] = Cut($"Driftwatch: {alert.Title}", SlackSection),
            ["blocks"] = blocks,
        };
    }

    /// <summary>A Discord webhook: the title as content and one embed with a field per fact.</summary>
    public static JsonObject Discord(Alert alert)
    {
        var fields = new JsonArray();
        foreach (var (label, value) in AlertText.Facts(alert).Where(f => f.Label != "dashboard").Take(DiscordFields))
            fields.Add(new JsonObject { ["name"] = label, ["value"] = Cut(value, DiscordFieldValue), ["inline"] = false });
        var embed = new JsonObject
        {
            ["title"] = Cut(alert.Title, DiscordTitle),
            ["color"] = Colour(alert.Event),
            ["timestamp"] = alert.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["fields"] = fields,
        };
        if (alert.DashboardUrl is { } url)
            embed["url"] = url;
        return new JsonObject
        {
            ["content"] = Cut($"Driftwatch: {alert.Title}", DiscordContent),
            ["embeds"] = new JsonArray(embed),
        };
    }

    /// <summary>Red for worse and for suspect trials, green for better or recovered, amber for runs in trouble.</summary>
    public static int Colour(string @event) => @event switch
    {
        AlertEvents.Degraded or AlertEvents.SuspectTrials => 0xD93025,
        AlertEvents.Improved or AlertEvents.Recovered => 0x1E8E3E,
        _ => 0xF29900,
    };

    /// <summary>Slack mrkdwn treats &amp;, &lt; and &gt; as control characters.</summary>
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";
}
