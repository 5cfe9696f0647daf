using System.Globalization;
using System.Text.Json.Nodes;
using Driftwatch.Core.Alerts;

namespace Driftwatch.Formats.Alerts;

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

    /// <summary>Red for worse and for suspect trials, green for better or recovered, amber for runs in trouble and for a behaviour change (neither better nor worse).</summary>
    public static int Colour(string @event) => @event switch
    {
        AlertEvents.Degraded or AlertEvents.SuspectTrials => 0xD93025,
        AlertEvents.Improved or AlertEvents.Recovered => 0x1E8E3E,
        _ => 0xF29900, // incomplete, failed, model-fallback, changed
    };

    /// <summary>Slack mrkdwn treats &amp;, &lt; and &gt; as control characters.</summary>
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int limit) => text.Length <= limit ? text : text[..(limit - 1)] + "…";
}
