using Driftwatch.Core.Files;
using Driftwatch.Core.Suites;

namespace Driftwatch.Execution.Workspaces;

/// <summary>
/// Writes into a folder someone else controlled (an agent's workspace) without being led out of
/// it: every folder on the way is checked to be a real folder (a link or a file in its place is
/// removed, never followed), a file is created anew (a link in its place is removed, not written
/// through), and the source's FIFOs, sockets and devices are skipped.
/// </summary>
internal static class SafeCopy
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> (a folder under <paramref name="root"/>), skipping caches.</summary>
    public static void Tree(string source, string target, string root)
    {
        var relativeTarget = Path.GetRelativePath(root, target) is "." ? "" : Path.GetRelativePath(root, target);
        EnsureDirectory(root, relativeTarget);
        foreach (var entry in FileTree.Walk(source, SuitePaths.IsIgnored))
        {
            var relative = Path.Combine(relativeTarget, entry.RelativePath);
            switch (entry.Kind)
            {
                case EntryKind.Directory:
                    EnsureDirectory(root, relative);
                    break;
                case EntryKind.File:
                    var destination = Clear(root, relative);
                    using (var from = new FileStream(entry.FullPath, FileMode.Open, FileAccess.Read))
                    using (var to = new FileStream(destination, FileMode.CreateNew, FileAccess.Write))
                        from.CopyTo(to);
                    if (!OperatingSystem.IsWindows())
                        File.SetUnixFileMode(destination, File.GetUnixFileMode(entry.FullPath));
                    break;
                case EntryKind.Link:
                    File.CreateSymbolicLink(Clear(root, relative), new FileInfo(entry.FullPath).LinkTarget!);
                    break;
            }
        }
    }

    /// <summary>Makes <paramref name="relative"/> under <paramref name="root"/> a real folder, folder by folder; returns its full path.</summary>
    public static string EnsureDirectory(string root, string relative)
    {
        if (FileTree.Inspect(root).Kind != EntryKind.Directory)
        {
            RemoveAny(root);
            Directory.CreateDirectory(root);
        }
        var current = root;
        foreach (var part in relative.Split('/', '\\', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            switch (FileTree.Inspect(current).Kind)
            {
                case EntryKind.Directory:
                    continue;
                case EntryKind.Missing:
                    break;
                default:
                    RemoveAny(current);
                    break;
            }
            Directory.CreateDirectory(current);
        }
        return current;
    }

    /// <summary>Removes <paramref name="relative"/> under <paramref name="root"/> if it is there, without following a link on the way.</summary>
    public static void Delete(string root, string relative)
    {
        var parts = relative.Split('/', '\\', StringSplitOptions.RemoveEmptyEntries);
        var current = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            if (FileTree.Inspect(current).Kind != EntryKind.Directory)
                return;
        }
        RemoveAny(Path.Combine(current, parts[^1]));
    }

    /// <summary>Prepares the place of a file: its folders real, and nothing where the file goes.</summary>
    private static string Clear(string root, string relative)
    {
        var parent = EnsureDirectory(root, Path.GetDirectoryName(relative) ?? "");
        var destination = Path.Combine(parent, Path.GetFileName(relative));
        RemoveAny(destination);
        return destination;
    }

    private static void RemoveAny(string path)
    {
        switch (FileTree.Inspect(path).Kind)
        {
            case EntryKind.Missing:
                return;
            case EntryKind.Directory:
                Directory.Delete(path, recursive: true);
                return;
            default:
                File.Delete(path);
                return;
        }
    }
}
