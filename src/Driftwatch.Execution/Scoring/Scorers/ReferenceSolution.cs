using System.Collections.Concurrent;
using System.Text;
using Driftwatch.Core.Files;
using Driftwatch.Core.Scoring;
using Driftwatch.Core.Suites;

namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>
/// A task's reference solution as a change: the solution's files over the workspace's (its diff,
/// workspace → solution), read once per task directory and suite revision.
/// </summary>
internal sealed class ReferenceSolution
{
    private const long MaxFileBytes = 1024 * 1024;
    private static readonly ConcurrentDictionary<(string Directory, string Revision), ReferenceSolution> Cache = new();

    private readonly Dictionary<string, string?> _workspace;
    private readonly Dictionary<string, string?> _solution;

    private ReferenceSolution(Dictionary<string, string?> workspace, Dictionary<string, string?> solution)
    {
        _workspace = workspace;
        _solution = solution;
        Changes = [.. solution.Keys.Order(StringComparer.Ordinal)
            .Select(path => new FileChange(path, workspace.GetValueOrDefault(path), solution[path]))
            .Where(f => f.Changed)];
    }

    /// <summary>The files the reference solution changes (text files; a binary one reads as null).</summary>
    public IReadOnlyList<FileChange> Changes { get; }

    /// <summary>Every path of the reference's final state: the workspace with the solution over it.</summary>
    public IEnumerable<string> Paths => _workspace.Keys.Union(_solution.Keys).Order(StringComparer.Ordinal);

    /// <summary>Every path of the task's workspace.</summary>
    public IEnumerable<string> WorkspacePaths => _workspace.Keys;

    /// <summary>The text of a path in the task's workspace (null when absent or not text).</summary>
    public string? WorkspaceText(string path) => _workspace.GetValueOrDefault(path);

    /// <summary>The text of a path in the reference's final state.</summary>
    public string? Text(string path) => _solution.TryGetValue(path, out var text) ? text : _workspace.GetValueOrDefault(path);

    public static ReferenceSolution Of(SuiteDefinition suite, TaskDefinition task) =>
        Cache.GetOrAdd((task.Directory, suite.Revision), _ => new ReferenceSolution(Read(task.WorkspaceDirectory), Read(task.SolutionDirectory)));

    private static Dictionary<string, string?> Read(string directory)
    {
        var files = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var entry in FileTree.Walk(directory, SuitePaths.IsIgnored).Where(e => e.Kind == EntryKind.File))
        {
            var bytes = FileTree.ReadRegular(entry.FullPath, MaxFileBytes);
            files[entry.RelativePath] = bytes is null || bytes.AsSpan(0, Math.Min(8000, bytes.Length)).Contains((byte)0) ? null : Encoding.UTF8.GetString(bytes);
        }
        return files;
    }
}
