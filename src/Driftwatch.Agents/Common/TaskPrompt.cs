using System.Text;
using Driftwatch.Core.Suites;

namespace Driftwatch.Agents.Common;

/// <summary>What an agent is told about a task. The hidden tests and the solution are never part of it.</summary>
internal static class TaskPrompt
{
    /// <summary>Largest workspace file shown inline to an API model.</summary>
    public const int MaxInlineFileBytes = 64 * 1024;

    /// <summary>For agents that work in the workspace themselves (CLI agents).</summary>
    public static string ForCliAgent(TaskDefinition task) =>
        $"""
        {task.Instruction}

        The current directory is the project. Make the change by editing its files in place. Work without
        asking questions; when you are done, stop. Hidden tests will be run on the files you leave.
        """;

    /// <summary>For API models that answer with files: the instruction, every text file, and the format to answer in.</summary>
    public static string ForApiModel(TaskDefinition task, string workspace)
    {
        var prompt = new StringBuilder();
        prompt.AppendLine(task.Instruction.Trim());
        prompt.AppendLine();
        prompt.AppendLine("The project's files:");
        foreach (var (path, content) in WorkspaceFiles(workspace))
        {
            prompt.AppendLine($"<file path=\"{path}\">");
            prompt.Append(content);
            if (!content.EndsWith('\n'))
                prompt.AppendLine();
            prompt.AppendLine("</file>");
        }
        prompt.AppendLine();
        prompt.AppendLine(AnswerFormat);
        return prompt.ToString();
    }

    public const string AnswerFormat = """
        Answer with the complete new content of every file you change or add, each in a block of the form
        <file path="relative/path">
        …the whole file…
        </file>
        Files you do not change need not be repeated. Hidden tests will be run on the result.
        """;

    /// <summary>The follow-up for a second attempt: what the hidden tests said about the first one.</summary>
    public static string ForSecondAttempt(string testOutput) =>
        $"""
        Your change was tested and some tests failed. Their output:
        <test-output>
        {Truncate(testOutput, 16 * 1024)}
        </test-output>
        Fix the code. {AnswerFormat}
        """;

    /// <summary>The text files of the workspace, relative paths in order (caches and binaries skipped).</summary>
    public static IEnumerable<(string Path, string Content)> WorkspaceFiles(string workspace)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var file in Directory.EnumerateFiles(workspace, "*", options).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(workspace, file).Replace('\\', '/');
            if (relative.Split('/').Any(p => SuitePaths.IsIgnored(p) || p is "node_modules" or "bin" or "obj" || p.StartsWith('.')))
                continue;
            var info = new FileInfo(file);
            if (info.Length > MaxInlineFileBytes)
                continue;
            var bytes = File.ReadAllBytes(file);
            if (bytes.Contains((byte)0))
                continue;
            yield return (relative, Encoding.UTF8.GetString(bytes));
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "\n…(truncated)";
}
