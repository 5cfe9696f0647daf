using System.Text;
using Driftwatch.Core.Files;
using Driftwatch.Core.Suites;
using Driftwatch.Core.Text;

namespace Driftwatch.Execution.Workspaces;

/// <summary>
/// The folders of one trial, under a fresh temporary root: <c>ws/</c> (the workspace the agent
/// edits), <c>home/</c> and <c>tmp/</c> (the agent's HOME and /tmp), <c>test-home/</c> and
/// <c>test-tmp/</c> (made anew for each run of the hidden tests, so nothing the agent left there
/// reaches them) and <c>report/</c> (where the JUnit report goes, outside the workspace so that an
/// agent cannot plant one). Removed on dispose unless kept for debugging.
/// </summary>
/// <remarks>
/// Everything in <c>ws/</c> is the agent's: the harness never follows a link in it, never opens a
/// FIFO, socket or device there, and reads only so much of it (<see cref="DiffLimits"/>).
/// </remarks>
public sealed class TrialWorkspace : IDisposable
{
    private readonly Dictionary<string, Snapshot.Entry> _initial;

    private TrialWorkspace(string root, Dictionary<string, Snapshot.Entry> initial, bool keep)
    {
        Root = root;
        _initial = initial;
        Keep = keep;
    }

    public string Root { get; }
    public string Workspace => Path.Combine(Root, "ws");
    public string Home => Path.Combine(Root, "home");
    public string Temp => Path.Combine(Root, "tmp");
    /// <summary>Where the hidden tests run: a copy of the agent's final workspace made for each run of them.</summary>
    public string TestWorkspace => Path.Combine(Root, "test-ws");
    public string TestHome => Path.Combine(Root, "test-home");
    public string TestTemp => Path.Combine(Root, "test-tmp");
    public string ReportDirectory => Path.Combine(Root, "report");
    public string JUnitReportPath => Path.Combine(ReportDirectory, "junit.xml");

    /// <summary>Kept after dispose (for debugging), instead of removed.</summary>
    public bool Keep { get; }

    /// <summary>Copies the task's workspace into a new temporary root under <paramref name="parent"/>.</summary>
    public static TrialWorkspace Create(TaskDefinition task, string parent, string label, bool keep)
    {
        Directory.CreateDirectory(parent);
        var root = Path.Combine(parent, $"{label}-{Guid.NewGuid().ToString("N")[..12]}");
        var workspace = new TrialWorkspace(root, Snapshot.Take(task.WorkspaceDirectory, DiffLimits.Default).Entries, keep);
        Directory.CreateDirectory(workspace.Workspace);
        Directory.CreateDirectory(workspace.Home);
        Directory.CreateDirectory(workspace.Temp);
        Directory.CreateDirectory(workspace.ReportDirectory);
        SafeCopy.Tree(task.WorkspaceDirectory, workspace.Workspace, workspace.Workspace);
        return workspace;
    }

    /// <summary>Copies every file of <paramref name="source"/> over the workspace (same relative paths), never through a link the agent made.</summary>
    public void Overlay(string source, string relativeTarget = "")
    {
        var target = SafeCopy.EnsureDirectory(Workspace, relativeTarget);
        SafeCopy.Tree(source, target, Workspace);
    }

    /// <summary>Copies a folder tree into <paramref name="target"/> (skipping caches), never through a link already there.</summary>
    public static void CopyTree(string source, string target) => SafeCopy.Tree(source, target, target);

    /// <summary>Removes a file or folder of the workspace (a link is removed, not followed).</summary>
    public void Remove(string relative) => SafeCopy.Delete(Workspace, relative);

    /// <summary>
    /// Fresh folders for one run of the hidden tests: a copy of the agent's workspace as it is now
    /// (links copied as links, special files left out), an empty HOME and /tmp, no report. The agent's
    /// own workspace is left as the agent left it (for its diff, and for a second attempt).
    /// </summary>
    public void ResetTestFolders()
    {
        foreach (var folder in new[] { TestWorkspace, TestHome, TestTemp })
        {
            if (FileTree.Inspect(folder).Kind != EntryKind.Missing)
                SafeCopy.Delete(Root, Path.GetFileName(folder));
            Directory.CreateDirectory(folder);
        }
        SafeCopy.Tree(Workspace, TestWorkspace, TestWorkspace);
        foreach (var entry in FileTree.Walk(ReportDirectory).Where(e => !e.RelativePath.Contains('/', StringComparison.Ordinal)))
            SafeCopy.Delete(ReportDirectory, entry.RelativePath);
    }

    /// <summary>Copies every file of <paramref name="source"/> over the tests' workspace, never through a link.</summary>
    public void OverlayTests(string source, string relativeTarget = "")
    {
        var target = SafeCopy.EnsureDirectory(TestWorkspace, relativeTarget);
        SafeCopy.Tree(source, target, TestWorkspace);
    }

    /// <summary>Removes a file or folder of the tests' workspace (a link is removed, not followed).</summary>
    public void RemoveFromTests(string relative) => SafeCopy.Delete(TestWorkspace, relative);

    /// <summary>What the agent changed: a unified diff of every text file added, removed or edited, and every link or special file it made.</summary>
    public string Diff(DiffLimits? limits = null) => Changes(limits).Diff;

    /// <summary>What the agent changed, as a diff and file by file (text before and after, where they are text).</summary>
    public WorkspaceChanges Changes(DiffLimits? limits = null)
    {
        limits ??= DiffLimits.Default;
        var now = Snapshot.Take(Workspace, limits);
        var diff = new StringBuilder();
        var files = new List<ChangedFile>();
        foreach (var path in _initial.Keys.Union(now.Entries.Keys).Order(StringComparer.Ordinal))
        {
            _initial.TryGetValue(path, out var before);
            now.Entries.TryGetValue(path, out var after);
            if (before is not null && after is not null && before.SameAs(after))
                continue;
            files.Add(new ChangedFile(path, before?.Text, after?.Text, after is null ? null : after.Note));
            if (diff.Length > limits.MaxDiffChars)
            {
                diff.Append("[driftwatch: the diff is cut here; it was longer than ").Append(limits.MaxDiffChars).Append(" characters]\n");
                break;
            }
            var textual = (before is null || before.Text is not null) && (after is null || after.Text is not null);
            if (!textual)
            {
                diff.Append(Describe(path, before, after)).Append('\n');
                continue;
            }
            diff.Append(UnifiedDiff.Create(before?.Text, after?.Text, "a/" + path, "b/" + path));
        }
        if (now.Cut is { } cut)
            diff.Append("[driftwatch: ").Append(cut).Append("]\n");
        return new WorkspaceChanges(diff.ToString(), files);
    }

    private static string Describe(string path, Snapshot.Entry? before, Snapshot.Entry? after)
    {
        return (before, after) switch
        {
            (null, { } added) => $"Added {added.Note}: {path}",
            ({ } removed, null) => $"Removed {removed.Note}: {path}",
            ({ } was, { } now) when was.Note == now.Note => $"Changed {now.Note}: {path}",
            ({ } was, { } now) => $"Changed {path}: {was.Note} became {now.Note}",
            _ => path,
        };
    }

    public void Dispose()
    {
        if (Keep)
            return;
        try
        {
            // Recursive deletion removes links without following them.
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
}

/// <summary>One path the agent changed: its text before and after (null where it was absent or is not text), and what it is now.</summary>
public sealed record ChangedFile(string Path, string? Before, string? After, string? Now);

/// <summary>An agent's change: the diff kept with the trial, and the changed paths one by one.</summary>
public sealed record WorkspaceChanges(string Diff, IReadOnlyList<ChangedFile> Files);

/// <summary>How much of an agent's workspace the harness reads to describe a change.</summary>
public sealed record DiffLimits
{
    public static readonly DiffLimits Default = new();

    /// <summary>A larger file is listed, not read.</summary>
    public long MaxFileBytes { get; init; } = 1024 * 1024;

    /// <summary>Bytes read from the workspace in all, beyond which the rest is listed, not read.</summary>
    public long MaxTotalBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Entries looked at, beyond which the walk stops.</summary>
    public int MaxEntries { get; init; } = 20_000;

    /// <summary>Characters of diff kept.</summary>
    public int MaxDiffChars { get; init; } = 4 * 1024 * 1024;
}
