using Driftwatch.Core.Yaml;

namespace Driftwatch.Core.Suites;

/// <summary>Keeps a suite inside its folder: no absolute paths, no "..", no links that lead out.</summary>
public static class SuitePaths
{
    /// <summary>Names that are build or cache output, never part of a suite or a workspace copy.</summary>
    public static bool IsIgnored(string name) => name is "__pycache__" or ".DS_Store" || name.EndsWith(".pyc", StringComparison.Ordinal);

    public static void EnsureRelative(string path, YamlMap yaml, string field)
    {
        if (!IsSafeRelative(path))
            throw yaml.ErrorAt(field, $"'{path}' must be a relative path inside the suite (no '..', no absolute path)");
    }

    public static bool IsSafeRelative(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) || path.Contains('\0', StringComparison.Ordinal))
            return false;
        var parts = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && parts.All(p => p != "..");
    }

    /// <summary>Fails when any symbolic link under <paramref name="root"/> points outside it.</summary>
    public static void EnsureContained(string root)
    {
        var full = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is { } target)
                {
                    var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(entry.FullName)!, target));
                    if (!resolved.StartsWith(full, StringComparison.Ordinal))
                        throw new InvalidInputException($"{entry.FullName}: symbolic link points outside the suite ({target})");
                    continue;
                }
                if (entry is DirectoryInfo)
                    pending.Push(entry.FullName);
            }
        }
    }
}
