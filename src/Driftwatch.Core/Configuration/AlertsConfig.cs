using System.Collections.Immutable;

namespace Driftwatch.Core.Configuration;

/// <summary>Where alerts go (docs/scheduling.md: an alert is a verdict change, delivered to a sink).</summary>
public enum AlertSinkKind
{
    /// <summary>Printed by the scheduler on standard output.</summary>
    Console,

    /// <summary>A generic JSON webhook: POSTs the documented alert object.</summary>
    Webhook,

    /// <summary>A Slack incoming webhook: {"text", "blocks"}.</summary>
    Slack,

    /// <summary>A Discord webhook: {"content", "embeds"}.</summary>
    Discord,
}

/// <summary>
/// One sink. Its URL is either written in the file (<see cref="Url"/>, only for webhooks whose URL
/// carries no secret) or read from the environment variable <see cref="UrlEnv"/> when alerts are
/// sent — the URL of a Slack or Discord webhook is a credential, so it must come from there.
/// </summary>
public sealed record AlertSinkDefinition
{
    public required AlertSinkKind Kind { get; init; }
    public string? Url { get; init; }
    public string? UrlEnv { get; init; }

    /// <summary>"file:line: alerts.sinks[i]".</summary>
    public required string Source { get; init; }

    /// <summary>How the sink is named in logs and the database: its kind and where its URL comes from, never the URL.</summary>
    public string Name => Kind switch
    {
        AlertSinkKind.Console => "console",
        _ when UrlEnv is not null => $"{KindName(Kind)} (${UrlEnv})",
        _ => $"{KindName(Kind)} ({Url})",
    };

    public static string KindName(AlertSinkKind kind) => kind.ToString().ToLowerInvariant();
}

/// <summary>The `alerts:` section of driftwatch.yaml.</summary>
public sealed record AlertsConfig
{
    /// <summary>A link put in every alert; {agent}, {suite} and {run} are filled in.</summary>
    public string? DashboardUrl { get; init; }

    public ImmutableArray<AlertSinkDefinition> Sinks { get; init; } = [];
}
