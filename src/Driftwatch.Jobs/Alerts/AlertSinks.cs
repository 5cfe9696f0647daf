using Driftwatch.Core;
using Driftwatch.Core.Configuration;

namespace Driftwatch.Jobs.Alerts;

/// <summary>Builds the sinks of driftwatch.yaml's alerts section, reading webhook URLs from the environment.</summary>
public static class AlertSinks
{
    /// <summary>
    /// One sink per definition. A variable that is unset, or does not hold an http(s) address, is
    /// bad input named by file, line and field — and by variable, never by value.
    /// </summary>
    public static IReadOnlyList<IAlertSink> Create(AlertsConfig config, Func<string, string?> environment, HttpClient http,
        TextWriter console, DeliveryOptions options, TimeProvider time)
    {
        var sinks = new List<IAlertSink>();
        foreach (var definition in config.Sinks)
        {
            if (definition.Kind == AlertSinkKind.Console)
            {
                sinks.Add(new ConsoleAlertSink(console));
                continue;
            }
            string url;
            if (definition.UrlEnv is { } variable)
            {
                url = environment(variable) is { Length: > 0 } value
                    ? value.Trim()
                    : throw new InvalidInputException($"{definition.Source}.url_env: the environment variable {variable} is not set (it must hold the webhook URL)");
                if (!DriftwatchConfig.IsHttpUrl(url, out _))
                    throw new InvalidInputException($"{definition.Source}.url_env: the environment variable {variable} does not hold an http:// or https:// address");
            }
            else
            {
                url = definition.Url!;
            }
            sinks.Add(new WebhookAlertSink(definition.Kind, definition.Name, new Uri(url), http, options, time));
        }
        return sinks;
    }
}
