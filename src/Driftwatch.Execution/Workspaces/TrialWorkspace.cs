using System.Text;
using Driftwatch.Core.Suites;
using Driftwatch.Core.Text;

namespace Driftwatch.Execution.Workspaces;

/// <summary>
/// The folders of one trial, under a fresh temporary root: <c>ws/</c> (the workspace the agent
/// edits), <c>home/</c> (HOME for its processes), <c>tmp/</c> and <c>report/</c> (where the JUnit
/// report goes, outside the workspace so that an agent cannot plant one). Removed on dispose
/// unless kept for debugging.
/// </summary>
public sealed class TrialWorkspace : IDisposable
{
    private readonly Dictionary<string, byte[]> _initial;

    private TrialWorkspace(string root, Dictionary<string, byte[]> initial, bool keep)
    {
        Root = root;
        _initial = initial;
        Keep = keep;
    }

    public string Root { get; }
    public string Workspace => Path.Combine(Root, "ws");
    public string Home => Path.Combine(Root, "home");
    public string Temp => Path.Combine(Root, "tmp");
    public string ReportDirectory => Path.Combine(Root, "report");
    public string JUnitReportPath => Path.Combine(ReportDirectory, "junit.xml");

    /// <summary>Kept after dispose (for debugging), instead of removed.</summary>
    public bool Keep { get; }

    /// <summary>Copies the task's workspace into a new temporary root under <paramref name="parent"/>.</summary>
    public static TrialWorkspace Create(TaskDefinition task, string parent, string label, bool keep)
    {
        Directory.CreateDirectory(parent);
        var root = Path.Combine(parent, $"{label}-{Guid.NewGuid().ToString("N")[..12]}");
        var workspace = new TrialWorkspace(root, Snapshot(task.WorkspaceDirectory), keep);
        Directory.CreateDirectory(workspace.Workspace);
        Directory.CreateDirectory(workspace.Home);
        Directory.CreateDirectory(workspace.Temp);
        Directory.CreateDirectory(workspace.ReportDirectory);
        CopyTree(task.WorkspaceDirectory, workspace.Workspace);
        return workspace;
    }

    /// <summary>Copies every file of <paramref name="source"/> over the workspace (same relative paths).</summary>
    public void Overlay(string source, string relativeTarget = "")
    {
        var target = Path.Combine(Workspace, relativeTarget);
        Directory.CreateDirectory(target);
        CopyTree(source, target);
    }

    /// <summary>What the agent changed: a unified diff of every text file added, removed or edited.</summary>
    public string Diff()
    {
        var now = Snapshot(Workspace);
        var diff = new StringBuilder();
        foreach (var path in _initial.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
        {
            _initial.TryGetValue(path, out var before);
            now.TryGetValue(path, out var after);
            if (before is not null && after is not null && before.AsSpan().SequenceEqual(after))
                continue;
            if (IsBinary(before) || IsBinary(after))
            {
                diff.Append($"Binary file {path} {(before is null ? "added" : after is null ? "removed" : "changed")}\n");
                continue;
            }
            diff.Append(UnifiedDiff.Create(
                before is null ? null : Encoding.UTF8.GetString(before),
                after is null ? null : Encoding.UTF8.GetString(after),
                "a/" + path, "b/" + path));
        }
        return diff.ToString();
    }

    public void Dispose()
    {
        if (Keep)
            return;
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process we could not kill may still hold a file; the OS cleans temp folders.
        }
        catch (UnauthorizedAccessException)
        {
            // An agent may have made a file read-only; the OS cleans temp folders.
        }
    }

    /// <summary>Copies a folder tree, skipping caches, and keeping symbolic links as links.</summary>
    public static void CopyTree(string source, string target)
    {
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
        {
            if (SuitePaths.IsIgnored(entry.Name))
                continue;
            var destination = Path.Combine(target, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                if (File.Exists(destination) || Directory.Exists(destination))
                    DeletePath(destination);
                File.CreateSymbolicLink(destination, link);
            }
            else if (entry is DirectoryInfo)
            {
                if (File.Exists(destination))
                    File.Delete(destination);
                Directory.CreateDirectory(destination);
                CopyTree(entry.FullName, destination);
            }
            else
            {
                if (Directory.Exists(destination))
                    Directory.Delete(destination, recursive: true);
                else if (new FileInfo(destination).LinkTarget is not null)
                    File.Delete(destination);
                File.Copy(entry.FullName, destination, overwrite: true);
            }
        }
    }

    private static void DeletePath(string path)
    {
        if (new FileInfo(path).LinkTarget is not null || File.Exists(path))
            File.Delete(path);
        else
            Directory.Delete(path, recursive: true);
    }

    private static Dictionary<string, byte[]> Snapshot(string directory)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
            return files;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var file in Directory.EnumerateFiles(directory, "*", options))
        {
            var relative = Path.GetRelativePath(directory, file).Replace('\\', '/');
            if (relative.Split('/').Any(p => SuitePaths.IsIgnored(p) || p is "node_modules" or "bin" or "obj"))
                continue;
            var info = new FileInfo(file);
            if (info.LinkTarget is not null || info.Length > 1024 * 1024)
                continue;
            files[relative] = File.ReadAllBytes(file);
        }
        return files;
    }

    private static bool IsBinary(byte[]? content) => content is not null && content.AsSpan(0, Math.Min(8000, content.Length)).Contains((byte)0);
}
