using System.Collections.Immutable;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// OpenAI HumanEval (JSON Lines, plain or gzip: task_id, prompt, canonical_solution, test,
/// entry_point) → generation tasks. The workspace's solution.py is the prompt (imports, signature,
/// docstring) with a body that raises NotImplementedError; the hidden tests run the dataset's
/// <c>check(candidate)</c> on the entry point, one test case per assertion; the reference is the
/// prompt followed by the canonical solution, as upstream scores it.
/// </summary>
internal sealed class HumanEvalImporter : IImporter
{
    public const string CheckFile = "humaneval_check.py";

    public string Format => "humaneval";

    public string Description => "OpenAI HumanEval JSONL(.gz): task_id, prompt, canonical_solution, test, entry_point → generation tasks";

    public ImportedSuite Import(string source, ImportOptions options)
    {
        var file = DatasetRecords.Read(source);
        var ids = new TaskNames.Registry();
        var tasks = ImmutableArray.CreateBuilder<ImportedTask>();
        foreach (var record in file.Records)
        {
            var rawId = record.Identify("task_id");
            var id = ids.Claim(null, rawId, $"line {record.Line}", problem => record.Error("task_id", problem));
            var prompt = record.RequiredString("prompt");
            var canonical = record.RequiredString("canonical_solution");
            var test = record.RequiredString("test");
            var entryPoint = EntryPoint(record);

            var stub = prompt.TrimEnd(' ', '\t').TrimEnd('\n') + "\n" + PythonTasks.BodyIndent(prompt) + "raise NotImplementedError\n";
            tasks.Add(new ImportedTask
            {
                Id = id,
                Category = TaskCategory.Generation,
                Language = PythonTasks.Language,
                Instruction = $"""
                    Implement `{entryPoint}` in `{PythonTasks.ModuleFile}` so that it does what its docstring says.
                    Keep its name and signature; you may add helper functions and use the standard library.
                    """,
                Source = new SourceReference(Format, rawId, record.Revision),
                Workspace = Files((PythonTasks.ModuleFile, stub)),
                Solution = Files((PythonTasks.ModuleFile, prompt + canonical)),
                Tests = Files(
                    (CheckFile, test),
                    (PythonTasks.TestFile, PythonTasks.TestModule(
                        $"Hidden tests of {rawId}: the dataset's check(candidate) on {PythonTasks.Module}.{entryPoint}, one test case per assertion.",
                        $"assertion_cases(\"{CheckFile}\", module=\"{PythonTasks.Module}\", function=\"check\", entry_point=\"{entryPoint}\")"))),
            });
        }
        return new ImportedSuite
        {
            Name = options.Name ?? Format,
            Description = $"OpenAI HumanEval ({Path.GetFileName(source)}): write a Python function from its signature and docstring.",
            Source = new SourceReference(Format, null, file.Revision),
            Languages = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(PythonTasks.Language, PythonTasks.Defaults)]),
            Support = PythonTasks.Support,
            Tasks = tasks.ToImmutable(),
        };
    }

    /// <summary>The entry point, which generated code names: it must be a Python identifier.</summary>
    internal static string EntryPoint(DatasetRecord record)
    {
        var entryPoint = record.RequiredString("entry_point");
        return PythonTasks.IsIdentifier(entryPoint)
            ? entryPoint
            : throw record.Error("entry_point", $"'{entryPoint}' is not a Python identifier");
    }

    internal static ImmutableSortedDictionary<string, string> Files(params (string Path, string Content)[] files) =>
        files.ToImmutableSortedDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);
}
