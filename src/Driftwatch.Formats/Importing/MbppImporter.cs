using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// Google's MBPP, full (JSON Lines: task_id, text, code, test_list, test_setup_code) or sanitized
/// (a JSON array: task_id, prompt, code, test_list, test_imports) → generation tasks. The function
/// the tests call is found in the reference code; the workspace holds its signature with the
/// description as docstring and a body that raises NotImplementedError. The asserts stay hidden
/// (upstream prompts show them to the model; here they are the hidden tests, one case each).
/// </summary>
internal sealed partial class MbppImporter : IImporter
{
    public const string CheckFile = "mbpp_check.py";

    public string Format => "mbpp";

    public string Description => "MBPP JSON or JSONL, full or sanitized: task_id, text or prompt, code, test_list, test_setup_code, test_imports → generation tasks";

    [GeneratedRegex(@"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex CallPattern();

    public ImportedSuite Import(string source, ImportOptions options)
    {
        var file = DatasetRecords.Read(source);
        var ids = new TaskNames.Registry();
        var tasks = ImmutableArray.CreateBuilder<ImportedTask>();
        var skipped = ImmutableArray.CreateBuilder<SkippedRecord>();
        foreach (var record in file.Records)
        {
            var rawId = record.Identify("task_id");
            var id = ids.Claim(Format, rawId, $"line {record.Line}", problem => record.Error("task_id", problem));
            var text = record.OptionalString("text") ?? record.OptionalString("prompt")
                ?? throw record.Error("text", "required field is missing (full MBPP has text, sanitized MBPP has prompt)");
            // Full MBPP's code has Windows line endings; the suite's files have LF.
            var code = record.RequiredString("code").Replace("\r\n", "\n", StringComparison.Ordinal);
            var asserts = record.StringList("test_list", required: true);
            if (asserts.Count == 0)
                throw record.Error("test_list", "must hold at least one assert");
            var setup = record.OptionalString("test_setup_code") ?? "";
            var imports = record.StringList("test_imports", required: false);

            var signature = asserts.SelectMany(a => CallPattern().Matches(a).Select(m => m.Groups[1].Value))
                .Select(name => Signature(code, name))
                .FirstOrDefault(s => s is not null);
            if (signature is null)
            {
                skipped.Add(new SkippedRecord(rawId, "the reference code defines no top-level function that test_list calls"));
                continue;
            }
            var (name, header) = signature.Value;
            var docstring = text.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"\"\"", "\\\"\\\"\\\"", StringComparison.Ordinal);
            var stub = $"{header}\n    \"\"\"{docstring}\"\"\"\n    raise NotImplementedError\n";
            var check = string.Join("\n", imports.Append(setup).Where(s => s.Trim().Length > 0).Concat(asserts)) + "\n";
            tasks.Add(new ImportedTask
            {
                Id = id,
                Category = TaskCategory.Generation,
                Language = PythonTasks.Language,
                Instruction = $"""
                    {text.Trim()}

                    Write it as `{name}` in `{PythonTasks.ModuleFile}` (its signature is there already). You may add helper functions and use the standard library.
                    """,
                Source = new SourceReference(Format, rawId, record.Revision),
                Workspace = HumanEvalImporter.Files((PythonTasks.ModuleFile, stub)),
                Solution = HumanEvalImporter.Files((PythonTasks.ModuleFile, code.EndsWith('\n') ? code : code + "\n")),
                Tests = HumanEvalImporter.Files(
                    (CheckFile, check),
                    (PythonTasks.TestFile, PythonTasks.TestModule(
                        $"Hidden tests of MBPP task {rawId}: its test_list run in the namespace of {PythonTasks.Module}, one test case per assert.",
                        $"assertion_cases(\"{CheckFile}\", module=\"{PythonTasks.Module}\")"))),
            });
        }
        return new ImportedSuite
        {
            Name = options.Name ?? Format,
            Description = $"MBPP ({Path.GetFileName(source)}): write a short Python function from a one-sentence description.",
            Source = new SourceReference(Format, null, file.Revision),
            Languages = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(PythonTasks.Language, PythonTasks.Defaults)]),
            Support = PythonTasks.Support,
            Tasks = tasks.ToImmutable(),
            Skipped = skipped.ToImmutable(),
        };
    }

    /// <summary>The header "def name(…):" of a top-level function of the code, up to its colon.</summary>
    internal static (string Name, string Header)? Signature(string code, string name)
    {
        if (!PythonTasks.IsIdentifier(name))
            return null;
        var match = Regex.Match(code, $@"^def\s+{name}\s*\(", RegexOptions.Multiline);
        if (!match.Success)
            return null;
        var depth = 0;
        for (var i = match.Index + match.Length - 1; i < code.Length; i++)
        {
            depth += code[i] switch { '(' or '[' or '{' => 1, ')' or ']' or '}' => -1, _ => 0 };
            if (depth != 0)
                continue;
            var colon = code.IndexOf(':', i);
            var lineEnd = code.IndexOf('\n', i);
            if (colon < 0 || (lineEnd >= 0 && lineEnd < colon))
                return null;
            return (name, code[match.Index..(colon + 1)]);
        }
        return null;
    }
}
