using Driftwatch.Core.Files;

namespace Driftwatch.Core.Suites;

/// <summary>Keeps a suite inside its folder: no absolute paths, no "..", no links that lead out.</summary>
public static class SuitePaths
{
    /// <summary>Names that are build or cache output, never part of a suite or a workspace copy.</summary>
    public static bool IsIgnored(string name) => name is "__pycache__" or ".DS_Store" || name.EndsWith(".pyc", StringComparison.Ordinal);

    public static bool IsSafeRelative(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) || path.Contains('\0', StringComparison.Ordinal))
            return false;
        var parts = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && parts.All(p => p != "..");
    }

    /// <summary>
    /// Fails when any symbolic link under <paramref name="root"/> points outside it, or when it holds
    /// a FIFO, socket or device (reading one would block or reach outside the suite).
    /// </summary>
    public static void EnsureContained(string root)
    {
        var full = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        foreach (var entry in FileTree.Walk(root))
        {
            if (entry.Kind == EntryKind.Special)
                throw new InvalidInputException($"{entry.FullPath}: a FIFO, socket or device has no place in a suite (only files, folders and links inside it)");
            if (entry.Kind != EntryKind.Link)
                continue;
            var target = new FileInfo(entry.FullPath).LinkTarget!;
            var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(entry.FullPath)!, target));
            if (!resolved.StartsWith(full, StringComparison.Ordinal))
                throw new InvalidInputException($"{entry.FullPath}: symbolic link points outside the suite ({target})");
        }
    }
}
