using System.Reflection;

namespace Driftwatch.Core;

public static class DriftwatchInfo
{
    /// <summary>The informational version of this build (e.g. "0.1.0+abc123").</summary>
    public static string Version { get; } =
        typeof(DriftwatchInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(DriftwatchInfo).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
