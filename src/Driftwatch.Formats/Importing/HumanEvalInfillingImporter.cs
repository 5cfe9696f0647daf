using System.Collections.Immutable;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// OpenAI HumanEval infilling (JSON Lines, plain or gzip: task_id, prompt = prefix, suffix,
/// canonical_solution = the removed middle, test, entry_point) → completion tasks. The workspace's
/// solution.py is prefix + a marked gap + suffix; the reference is prefix + middle + suffix, and
/// the hidden tests are the same check(candidate) as HumanEval's.
/// </summary>
/// <remarks>
/// A gap of whole lines (single- and multi-line sets) is one comment line, <c># &lt;FILL_ME&gt;</c>,
/// at the indentation of the first removed line: the untouched workspace is then exactly the empty
/// completion, so `suite validate` tells whether the tests notice the removed lines at all. A gap
/// inside lines (random-span sets) is the bare marker <c>&lt;FILL_ME&gt;</c>. A record whose removed
/// span is empty asks for nothing and is skipped.
/// </remarks>
internal sealed class HumanEvalInfillingImporter : IImporter
{
    public const string Marker = "<FILL_ME>";

    public string Format => "humaneval-infilling";

    public string Description => "HumanEval infilling JSONL(.gz): task_id, prompt (prefix), suffix, canonical_solution (middle), test, entry_point → completion tasks";

    public ImportedSuite Import(string source, ImportOptions options)
    {
        var file = DatasetRecords.Read(source);
        var ids = new TaskNames.Registry();
        var tasks = ImmutableArray.CreateBuilder<ImportedTask>();
        var skipped = ImmutableArray.CreateBuilder<SkippedRecord>();
        var sets = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var record in file.Records)
        {
            var rawId = record.Identify("task_id");
            var id = ids.Claim(null, rawId, $"line {record.Line}", problem => record.Error("task_id", problem));
            var prefix = record.RequiredString("prompt");
            var suffix = record.RequiredString("suffix");
            var middle = record.RequiredString("canonical_solution");
            var test = record.RequiredString("test");
            var entryPoint = HumanEvalImporter.EntryPoint(record);
            sets.Add(rawId.Split('/')[0]);
            if (middle.Length == 0)
            {
                skipped.Add(new SkippedRecord(rawId, "the removed span is empty: there is nothing to fill in (upstream data)"));
                continue;
            }

            var wholeLines = (prefix.Length == 0 || prefix.EndsWith('\n')) && middle.EndsWith('\n');
            var workspace = wholeLines
                ? prefix + LeadingWhitespace(middle) + "# " + Marker + "\n" + suffix
                : prefix + Marker + suffix;
            var where = wholeLines
                ? $"The gap is the comment line `# {Marker}`: replace that whole line with the missing line or lines of code (they may be indented differently from the marker)."
                : $"Replace the marker `{Marker}` with the missing code: it may be part of a line or run over several lines, and may be as little as some whitespace.";
            tasks.Add(new ImportedTask
            {
                Id = id,
                Category = TaskCategory.Completion,
                Language = PythonTasks.Language,
                Instruction = $"""
                    `{PythonTasks.ModuleFile}` has one gap in its code. Fill it in so that `{entryPoint}` does what its docstring says.
                    {where}
                    Change nothing else in the file.
                    """,
                Tags = ["infilling", wholeLines ? "whole-lines" : "span"],
                Source = new SourceReference(Format, rawId, record.Revision),
                Workspace = HumanEvalImporter.Files((PythonTasks.ModuleFile, workspace)),
                Solution = HumanEvalImporter.Files((PythonTasks.ModuleFile, prefix + middle + suffix)),
                Tests = HumanEvalImporter.Files(
                    (HumanEvalImporter.CheckFile, test),
                    (PythonTasks.TestFile, PythonTasks.TestModule(
                        $"Hidden tests of {rawId}: the dataset's check(candidate) on {PythonTasks.Module}.{entryPoint}, one test case per assertion.",
                        $"assertion_cases(\"{HumanEvalImporter.CheckFile}\", module=\"{PythonTasks.Module}\", function=\"check\", entry_point=\"{entryPoint}\")"))),
            });
        }
        var set = sets.Count == 1 ? TaskNames.Sanitize(sets.Min!) : null;
        return new ImportedSuite
        {
            Name = options.Name ?? (set is null ? Format : $"humaneval-{set}"),
            Description = $"HumanEval infilling ({Path.GetFileName(source)}): fill the gap in a Python function so that it works.",
            Source = new SourceReference(Format, null, file.Revision),
            Languages = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(PythonTasks.Language, PythonTasks.Defaults)]),
            Support = PythonTasks.Support,
            Tasks = tasks.ToImmutable(),
            Skipped = skipped.ToImmutable(),
        };
    }

    private static string LeadingWhitespace(string text)
    {
        var firstLine = text.Split('\n').FirstOrDefault(l => l.Trim().Length > 0) ?? "";
        return firstLine[..(firstLine.Length - firstLine.TrimStart().Length)];
    }
}
