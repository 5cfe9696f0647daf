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

    /// <summary>
    /// The folders a program needs to see to run: its own folder, and where it really lives when
    /// it is a symlink (npm's node_modules/.bin/x points into the package), widened to the whole
    /// node_modules for a package that loads its dependencies from there.
    /// </summary>
    public static IReadOnlyList<string> InstallationFolders(string executable)
    {
        var full = Path.GetFullPath(executable);
        var folders = new List<string> { Path.GetDirectoryName(full)! };
        var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        var inPackages = target.IndexOf($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
        folders.Add(inPackages >= 0 ? target[..(inPackages + "/node_modules".Length)] : Path.GetDirectoryName(target)!);
        return [.. folders.Distinct(StringComparer.Ordinal)];
    }
}
