using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using Driftwatch.Core;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// Exercism exercises (a track's layout: <c>.docs/instructions.md</c>, the stub and test files and
/// <c>.meta/config.json</c> naming them, and the reference in <c>.meta/example.*</c> or
/// <c>.meta/proof.ci.*</c>) → generation tasks, for Python and JavaScript. SOURCE is one exercise
/// or any folder above many (found recursively). Tests disabled upstream (Jest's xtest, unittest's
/// skip decorators) are re-enabled: Exercism disables all but the first for learners.
/// </summary>
internal sealed partial class ExercismImporter : IImporter
{
    public const string ConfigFile = ".meta/config.json";
    public const string JavaScript = "javascript";

    /// <summary>The JavaScript test command: Jest's globals on node:test, JUnit for partial credit.</summary>
    public static string JavaScriptTestCommand(IEnumerable<string> testFiles) =>
        "node --import ./.driftwatch/jest_globals.mjs --test --test-reporter=spec --test-reporter-destination=stdout " +
        "--test-reporter=junit --test-reporter-destination=\"$DRIFTWATCH_JUNIT\" " + string.Join(" ", testFiles.Select(f => $"'{f}'"));

    /// <summary>Both workspace and tests carry it: Exercism's JavaScript is ES modules.</summary>
    private const string PackageJson = "{\n  \"private\": true,\n  \"type\": \"module\"\n}\n";

    public string Format => "exercism";

    public string Description => "Exercism exercises (.docs/instructions.md, stub, tests, .meta/config.json, .meta/example.* or proof) for Python and JavaScript → generation tasks";

    [GeneratedRegex(@"^[ \t]*@(?:unittest\.)?skip(?:If|Unless)?\b.*\n", RegexOptions.Multiline)]
    private static partial Regex PythonSkipPattern();

    [GeneratedRegex(@"^[ \t]*@pytest\.mark\.skip\b.*\n", RegexOptions.Multiline)]
    private static partial Regex PytestSkipPattern();

    [GeneratedRegex(@"\bx(test|it|describe)\s*\(")]
    private static partial Regex JestDisabledPattern();

    [GeneratedRegex(@"\b(test|it|describe)\.skip\s*\(")]
    private static partial Regex JestSkipPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex FileNamePattern();

    public ImportedSuite Import(string source, ImportOptions options)
    {
        var root = Path.GetFullPath(source);
        if (!Directory.Exists(root))
            throw new InvalidInputException($"{source}: exercism needs a folder (one exercise, or a folder above many)");
        var exercises = FindExercises(root).ToList();
        if (exercises.Count == 0)
            throw new InvalidInputException($"{source}: no Exercism exercise found (no {ConfigFile} in it or below it)");

        var ids = new TaskNames.Registry();
        var tasks = ImmutableArray.CreateBuilder<ImportedTask>();
        var skipped = ImmutableArray.CreateBuilder<SkippedRecord>();
        var revisions = new List<(string, string)>();
        var languages = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var exercise in exercises)
        {
            var relative = Path.GetRelativePath(root, exercise).Replace('\\', '/');
            var label = relative == "." ? Path.GetFileName(exercise) : relative;
            var (task, reason) = ImportExercise(exercise, label, ids);
            if (task is null)
            {
                skipped.Add(new SkippedRecord(label, reason!));
                continue;
            }
            tasks.Add(task);
            languages.Add(task.Language);
            revisions.Add((label, task.Source.Revision));
        }
        var defaults = new List<KeyValuePair<string, LanguageDefaults>>();
        if (languages.Contains(PythonTasks.Language))
            defaults.Add(KeyValuePair.Create(PythonTasks.Language, PythonTasks.Defaults));
        if (languages.Contains(JavaScript))
            defaults.Add(KeyValuePair.Create(JavaScript, new LanguageDefaults(JavaScriptTestCommand([]))));
        return new ImportedSuite
        {
            Name = options.Name ?? Format,
            Description = $"Exercism exercises ({Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar))}): small programs from instructions, a stub and hidden tests.",
            Source = new SourceReference(Format, null, Hashing.Sha256(revisions)),
            Languages = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, defaults),
            Support = SupportFiles.Of(SupportFiles.UnittestRunner, SupportFiles.JestGlobals, SupportFiles.ExtensionlessResolver),
            Tasks = tasks.ToImmutable(),
            Skipped = skipped.ToImmutable(),
        };
    }

    /// <summary>Exercise folders (those holding .meta/config.json) at or below <paramref name="root"/>, in ordinal order; symbolic links are not followed.</summary>
    private static IEnumerable<string> FindExercises(string root)
    {
        if (File.Exists(Path.Combine(root, ".meta", "config.json")))
            return [root];
        var found = new List<string>();
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            foreach (var child in Directory.EnumerateDirectories(folder))
            {
                var name = Path.GetFileName(child);
                if (name is "node_modules" or ".git" or "__pycache__" || new DirectoryInfo(child).LinkTarget is not null)
                    continue;
                if (File.Exists(Path.Combine(child, ".meta", "config.json")))
                    found.Add(child);
                else
                    pending.Push(child);
            }
        }
        return found.Order(StringComparer.Ordinal);
    }

    private static (ImportedTask? Task, string? Skipped) ImportExercise(string exercise, string label, TaskNames.Registry ids)
    {
        var configPath = Path.Combine(exercise, ".meta", "config.json");
        var configText = ReadFile(configPath);
        JsonElement config;
        try
        {
            using var document = JsonDocument.Parse(configText);
            config = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw InvalidInputException.AtLocation(configPath, (int)(ex.LineNumber ?? 0) + 1, null, "invalid JSON");
        }
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Object)
            throw InvalidInputException.AtLocation(configPath, null, "files", "required field is missing");
        var solutionFiles = PathList(configPath, files, "solution", exercise, required: true);
        var testFiles = PathList(configPath, files, "test", exercise, required: true);
        var exampleFiles = PathList(configPath, files, "example", exercise, required: false);
        if (exampleFiles.Count == 0)
            exampleFiles = PathList(configPath, files, "exemplar", exercise, required: false);
        if (exampleFiles.Count == 0)
            throw InvalidInputException.AtLocation(configPath, null, "files.example", "required field is missing (no example or exemplar solution)");
        var editorFiles = PathList(configPath, files, "editor", exercise, required: false);

        var language = Path.GetExtension(solutionFiles[0]) switch
        {
            ".py" => PythonTasks.Language,
            ".js" or ".mjs" => JavaScript,
            var other => null,
        };
        if (language is null)
            return (null, $"{solutionFiles[0]}: only Python and JavaScript exercises are imported");
        if (exampleFiles.Count != solutionFiles.Count)
            return (null, $"{configPath}: {exampleFiles.Count} example files for {solutionFiles.Count} solution files; cannot tell which replaces which");

        var instructionsPath = Path.Combine(exercise, ".docs", "instructions.md");
        if (!File.Exists(instructionsPath))
            throw new InvalidInputException($"{instructionsPath}: file not found (every exercise needs its instructions)");
        var docs = new List<(string, string)>();
        foreach (var doc in new[] { "introduction.md", "instructions.md", "instructions.append.md" })
        {
            var path = Path.Combine(exercise, ".docs", doc);
            if (File.Exists(path))
                docs.Add(($".docs/{doc}", ReadFile(path)));
        }

        var slug = Path.GetFileName(exercise);
        var id = ids.Claim("exercism", $"{language}-{slug}", configPath, problem => InvalidInputException.AtLocation(configPath, null, null, problem));
        var workspace = solutionFiles.Concat(editorFiles).Distinct(StringComparer.Ordinal)
            .ToImmutableSortedDictionary(f => f, f => ReadFile(Path.Combine(exercise, f), configPath), StringComparer.Ordinal);
        var solution = solutionFiles.Select((f, i) => (f, ReadFile(Path.Combine(exercise, exampleFiles[i]), configPath)))
            .ToImmutableSortedDictionary(p => p.f, p => p.Item2, StringComparer.Ordinal);
        var tests = testFiles.ToImmutableSortedDictionary(f => f, f => Reenable(language, ReadFile(Path.Combine(exercise, f), configPath)), StringComparer.Ordinal);
        string? testCommand = null;
        if (language == PythonTasks.Language)
        {
            tests = tests.Add("test_exercism_" + Guard(configPath, slug.Replace('-', '_')) + ".py", PythonShim(testFiles, configPath));
        }
        else
        {
            workspace = workspace.SetItem("package.json", PackageJson);
            tests = tests.SetItem("package.json", PackageJson);
            testCommand = JavaScriptTestCommand(testFiles);
        }

        var revisionParts = new List<(string, string)> { (ConfigFile, configText) };
        revisionParts.AddRange(docs);
        foreach (var file in solutionFiles.Concat(testFiles).Concat(exampleFiles).Concat(editorFiles).Distinct(StringComparer.Ordinal))
            revisionParts.Add((file, ReadFile(Path.Combine(exercise, file))));
        var instruction = string.Join("\n\n", docs.Select(d => d.Item2.Trim())) + "\n\n" +
            $"Write your solution in {string.Join(", ", solutionFiles.Select(f => $"`{f}`"))} (the stub is there already). " +
            "Hidden tests will check it; keep the names the stub exports.";
        return (new ImportedTask
        {
            Id = id,
            Category = TaskCategory.Generation,
            Language = language,
            Instruction = instruction,
            Tags = ["exercism"],
            TestCommand = testCommand,
            Source = new SourceReference("exercism", label, Hashing.Sha256(revisionParts)),
            Workspace = workspace,
            Solution = solution,
            Tests = tests,
        }, null);
    }

    /// <summary>Exercism disables every test but the first for learners; the hidden tests run them all.</summary>
    internal static string Reenable(string language, string text) => language == PythonTasks.Language
        ? PytestSkipPattern().Replace(PythonSkipPattern().Replace(text, ""), "")
        : JestSkipPattern().Replace(JestDisabledPattern().Replace(text, "$1("), "$1(");

    /// <summary>
    /// Exercism names Python tests <c>*_test.py</c>; the unittest runner discovers <c>test_*.py</c>:
    /// this module hands it the exercise's test modules.
    /// </summary>
    private static string PythonShim(IReadOnlyList<string> testFiles, string configPath)
    {
        var modules = testFiles.Where(f => f.EndsWith(".py", StringComparison.Ordinal))
            .Select(f => Guard(configPath, f[..^3].Replace('/', '.')))
            .ToList();
        return $$""""
            """The exercise's tests ({{string.Join(", ", testFiles)}}), found by the unittest runner through this module."""
            import importlib


            def load_tests(loader, tests, pattern):
                suite = loader.suiteClass()
                for name in {{"[" + string.Join(", ", modules.Select(m => $"\"{m}\"")) + "]"}}:
                    suite.addTests(loader.loadTestsFromModule(importlib.import_module(name)))
                return suite

            """";
    }

    /// <summary>Names written into generated code must be plain dotted identifiers.</summary>
    private static string Guard(string configPath, string dotted) =>
        dotted.Split('.').All(PythonTasks.IsIdentifier)
            ? dotted
            : throw InvalidInputException.AtLocation(configPath, null, "files.test", $"'{dotted}' is not a Python module name");

    /// <summary>A list of file paths of .meta/config.json "files", each checked to stay inside the exercise.</summary>
    private static List<string> PathList(string configPath, JsonElement files, string field, string exercise, bool required)
    {
        if (!files.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw InvalidInputException.AtLocation(configPath, null, $"files.{field}", "required field is missing") : [];
        if (value.ValueKind != JsonValueKind.Array)
            throw InvalidInputException.AtLocation(configPath, null, $"files.{field}", "expected a list of file paths");
        var paths = new List<string>();
        var root = Path.GetFullPath(exercise) + Path.DirectorySeparatorChar;
        foreach (var item in value.EnumerateArray())
        {
            var where = $"files.{field}[{paths.Count}]";
            if (item.ValueKind != JsonValueKind.String)
                throw InvalidInputException.AtLocation(configPath, null, where, "expected a file path");
            var path = item.GetString()!.Replace('\\', '/');
            var full = Path.GetFullPath(Path.Combine(exercise, path));
            var parts = path.Split('/');
            if (!SuitePaths.IsSafeRelative(path) || !full.StartsWith(root, StringComparison.Ordinal) || parts.Any(p => p is "." or "")
                || !FileNamePattern().IsMatch(parts[^1]) || parts.Any(SuitePaths.IsIgnored))
                throw InvalidInputException.AtLocation(configPath, null, where, $"'{item.GetString()}' is not a file path inside the exercise");
            if (!File.Exists(full))
                throw InvalidInputException.AtLocation(configPath, null, where, $"'{path}' not found");
            paths.Add(path);
        }
        if (required && paths.Count == 0)
            throw InvalidInputException.AtLocation(configPath, null, $"files.{field}", "must name at least one file");
        return paths;
    }

    /// <summary>A file's text; symbolic links are refused (they could point out of the exercise).</summary>
    internal static string ReadFile(string path, string? namedIn = null)
    {
        if (new FileInfo(path).LinkTarget is not null)
            throw new InvalidInputException($"{path}: a symbolic link{(namedIn is null ? "" : $" (named in {namedIn})")}; importers read plain files only");
        return DatasetRecords.ReadText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
