using Driftwatch.Execution.Sandbox;

namespace Driftwatch.Agents.Common;

/// <summary>Finds agent executables: an explicit path, then PATH, then the repository's pinned copies (tools/).</summary>
public static class AgentExecutables
{
    public static string? Find(string? configured, string program, string? repositoryRelative = null)
    {
        if (configured is { Length: > 0 })
        {
            if (configured.Contains('/', StringComparison.Ordinal))
                return File.Exists(configured) ? Path.GetFullPath(configured) : null;
            return SandboxFactory.FindOnPath(configured);
        }
        if (SandboxFactory.FindOnPath(program) is { } onPath)
            return onPath;
        if (repositoryRelative is null)
            return null;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, repositoryRelative);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
