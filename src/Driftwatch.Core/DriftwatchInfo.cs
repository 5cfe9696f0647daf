using System.Reflection;

namespace Driftwatch.Core;

public static class DriftwatchInfo
{
    /// <summary>The version of this build, with the short commit when known (e.g. "0.1.0+d9c0227").</summary>
    public static string Version { get; } = Shorten(
        typeof(DriftwatchInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(DriftwatchInfo).Assembly.GetName().Version?.ToString()
        ?? "unknown");

    private static string Shorten(string version)
    {
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 || version.Length <= plus + 8 ? version : version[..(plus + 8)];
    }
}
