using System.Text.RegularExpressions;
using Driftwatch.Core.Suites;

namespace Driftwatch.Agents.Api;

/// <summary>
/// Pulls files out of a model's answer: blocks of the form &lt;file path="…"&gt;…&lt;/file&gt; (what the
/// prompt asks for), else fenced code blocks that name their path in the info string
/// (```python calc.py) or in a first-line comment, else one unnamed fenced block when the workspace
/// has a single file of that kind. Paths must stay inside the workspace.
/// </summary>
internal static partial class FileExtractor
{
    public sealed record ExtractedFile(string Path, string Content);

    public static IReadOnlyList<ExtractedFile> Extract(string answer, IReadOnlyList<string> workspaceFiles)
    {
        var files = new List<ExtractedFile>();
        foreach (Match match in FileBlock().Matches(answer))
            Add(files, match.Groups["path"].Value, StripFence(match.Groups["body"].Value));
        if (files.Count > 0)
            return files;

        var fences = Fence().Matches(answer).ToList();
        foreach (var fence in fences)
        {
            var info = fence.Groups["info"].Value.Trim();
            var body = fence.Groups["body"].Value;
            var named = info.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(part => part.Contains('.', StringComparison.Ordinal) && !part.StartsWith('.'));
            var firstLine = body.Split('\n', 2)[0];
            var comment = PathComment().Match(firstLine);
            if (named is not null)
                Add(files, named, body);
            else if (comment.Success)
                Add(files, comment.Groups["path"].Value, body.Split('\n', 2).ElementAtOrDefault(1) ?? "");
        }
        if (files.Count == 0 && fences.Count == 1)
        {
            var language = fences[0].Groups["info"].Value.Trim().ToLowerInvariant();
            var extension = language switch { "python" or "py" => ".py", "javascript" or "js" => ".js", "csharp" or "cs" or "c#" => ".cs", _ => null };
            var candidates = workspaceFiles.Where(f => extension is null || f.EndsWith(extension, StringComparison.Ordinal)).ToList();
            if (candidates.Count == 1)
                Add(files, candidates[0], fences[0].Groups["body"].Value);
        }
        return files;
    }

    /// <summary>Writes the files into the workspace; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<ExtractedFile> files, string workspace)
    {
        var written = new List<string>();
        foreach (var file in files)
        {
            var target = Path.GetFullPath(Path.Combine(workspace, file.Path));
            if (!target.StartsWith(Path.GetFullPath(workspace) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, file.Content);
            written.Add(file.Path);
        }
        return written;
    }

    private static void Add(List<ExtractedFile> files, string path, string content)
    {
        var clean = path.Trim().Trim('`', '"', '\'').Replace('\\', '/');
        while (clean.StartsWith("./", StringComparison.Ordinal))
            clean = clean[2..];
        if (!SuitePaths.IsSafeRelative(clean) || clean.StartsWith(".driftwatch", StringComparison.Ordinal))
            return;
        files.RemoveAll(f => f.Path == clean);
        files.Add(new ExtractedFile(clean, content.EndsWith('\n') ? content : content + "\n"));
    }

    /// <summary>Models sometimes wrap a file block's content in a code fence too.</summary>
    private static string StripFence(string body)
    {
        var trimmed = body.Trim('\n');
        var fence = Fence().Match(trimmed);
        return fence.Success && fence.Index == 0 && fence.Length == trimmed.Length ? fence.Groups["body"].Value : trimmed + "\n";
    }

    [GeneratedRegex("""<file\s+path\s*=\s*["'](?<path>[^"']+)["']\s*>\r?\n?(?<body>.*?)</file>""", RegexOptions.Singleline)]
    private static partial Regex FileBlock();

    [GeneratedRegex("```(?<info>[^\\n`]*)\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*(?:#|//)\s*(?:file:\s*)?(?<path>[\w./-]+\.\w+)\s*$")]
    private static partial Regex PathComment();
}
