using System.Collections;
using System.Collections.Immutable;

namespace Driftwatch.Execution.Processes;

/// <summary>
/// The environment handed to agents and test commands: this process's environment without
/// anything that looks like a credential, plus what the trial sets (HOME, DRIFTWATCH_JUNIT...).
/// An agent adapter adds back exactly the variables its configuration names.
/// </summary>
public static class ChildEnvironment
{
    private static readonly string[] SecretMarkers = ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "COOKIE", "SESSION"];

    public static bool LooksSecret(string name)
    {
        var upper = name.ToUpperInvariant();
        return SecretMarkers.Any(marker => upper.Contains(marker, StringComparison.Ordinal));
    }

    /// <summary>This process's environment with credential-like variables removed.</summary>
    public static ImmutableDictionary<string, string> Inherited()
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (!LooksSecret(name) && entry.Value is string value)
                builder[name] = value;
        }
        return builder.ToImmutable();
    }

    /// <summary>Settings that keep tool chains quiet, offline-friendly and writing only under <paramref name="home"/>.</summary>
    public static ImmutableDictionary<string, string> ForTrial(string home, string temp) =>
        Inherited().SetItems(new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["TMPDIR"] = temp,
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["PYTHONUNBUFFERED"] = "1",
            ["DOTNET_CLI_HOME"] = home,
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["NODE_NO_WARNINGS"] = "1",
            ["NO_COLOR"] = "1",
            ["CI"] = "true",
        });
}
