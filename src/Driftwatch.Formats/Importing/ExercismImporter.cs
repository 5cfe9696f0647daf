using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using Driftwatch.Core;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// Exercism exercises (a track's layout: <c>.docs/instructions.md</c>, the stub and test files and
/// <c>.meta/config.json</c> naming them, and the reference in <c>.meta/example.*</c> or
/// <c>.meta/proof.ci.*</c>) → generation tasks, in the six languages of the polyglot set: Python,
/// JavaScript, C++, Go, Java and Rust (<see cref="ExercismTrack"/>). SOURCE is one exercise or any
/// folder above many (found recursively). Tests disabled upstream (Jest's xtest, unittest's skip
/// decorators, JUnit's @Disabled, Rust's #[ignore]) are re-enabled: Exercism disables all but the
/// first for learners. C++, Go, Java and Rust tasks run in an image of their toolchain; Python and
/// JavaScript ones too with <see cref="ImportOptions.Containers"/>.
/// </summary>
internal sealed partial class ExercismImporter : IImporter
{
    public const string ConfigFile = ".meta/config.json";
    public const string JavaScript = ExercismTrack.JavaScript;

    /// <summary>
    /// The JavaScript test command: Jest's globals on node:test, JUnit for partial credit (node's own
    /// reporter on the host; in the image, whose Node 18 has none, the suite's).
    /// </summary>
    public static string JavaScriptTestCommand(IEnumerable<string> testFiles, bool inContainer = false) =>
        "node --import ./.driftwatch/jest_globals.mjs --test --test-reporter=spec --test-reporter-destination=stdout " +
        $"--test-reporter={(inContainer ? "./.driftwatch/" + NodeJUnitReporter : "junit")} --test-reporter-destination=\"$DRIFTWATCH_JUNIT\" " +
        string.Join(" ", testFiles.Select(f => $"'{f}'"));

    /// <summary>A node:test reporter that writes JUnit XML, for Node.js 18.</summary>
    private const string NodeJUnitReporter = "exercism/junit_reporter.mjs";

    /// <summary>Both workspace and tests carry it: Exercism's JavaScript is ES modules.</summary>
    private const string PackageJson = "{\n  \"private\": true,\n  \"type\": \"module\"\n}\n";

    public string Format => "exercism";

    public string Description => "Exercism exercises (.docs/instructions.md, stub, tests, .meta/config.json, .meta/example.* or proof) in Python, JavaScript, C++, Go, Java and Rust → generation tasks";

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
        var tracks = new HashSet<ExercismTrack>();
        foreach (var exercise in exercises)
        {
            var relative = Path.GetRelativePath(root, exercise).Replace('\\', '/');
            var label = relative == "." ? Path.GetFileName(exercise) : relative;
            var (task, track, reason) = ImportExercise(exercise, label, ids, options.Containers);
            if (task is null)
            {
                skipped.Add(new SkippedRecord(label, reason!));
                continue;
            }
            tasks.Add(task);
            tracks.Add(track!);
            revisions.Add((label, task.Source.Revision));
        }
        var defaults = new List<KeyValuePair<string, LanguageDefaults>>();
        var support = new List<string> { SupportFiles.UnittestRunner, SupportFiles.JestGlobals, SupportFiles.ExtensionlessResolver };
        foreach (var track in ExercismTrack.All.Where(tracks.Contains))
        {
            if (track.Language == PythonTasks.Language)
                defaults.Add(KeyValuePair.Create(PythonTasks.Language, PythonTasks.Defaults));
            else if (track.Language == JavaScript)
                defaults.Add(KeyValuePair.Create(JavaScript, new LanguageDefaults(JavaScriptTestCommand([], options.Containers))));
            else
                defaults.Add(KeyValuePair.Create(track.Language, track.Defaults!));
            support.AddRange(track.Support);
        }
        if (options.Containers && tracks.Any(t => t.Language == JavaScript))
            support.Add(NodeJUnitReporter);
        return new ImportedSuite
        {
            Name = options.Name ?? Format,
            Description = $"Exercism exercises ({Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar))}): small programs from instructions, a stub and hidden tests.",
            Source = new SourceReference(Format, null, Hashing.Sha256(revisions)),
            Languages = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, defaults),
            Support = SupportFiles.Of([.. support]),
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

    private static (ImportedTask? Task, ExercismTrack? Track, string? Skipped) ImportExercise(string exercise, string label, TaskNames.Registry ids, bool containers)
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

        var track = ExercismTrack.Of(solutionFiles);
        if (track is null)
            return (null, null, $"{string.Join(", ", solutionFiles)}: not the files of one of the tracks imported (Python, JavaScript, C++, Go, Java, Rust)");
        var language = track.Language;
        var (solutionOf, mismatch) = MatchExamples(solutionFiles, exampleFiles, track);
        if (solutionOf is null)
            return (null, null, $"{configPath}: {mismatch}");
        // The track's build files, read once: the workspace, the tests and the offline check all use them.
        var buildFiles = track.BuildFiles.Where(f => File.Exists(Path.Combine(exercise, f)))
            .ToImmutableSortedDictionary(f => f, f => ReadFile(Path.Combine(exercise, f), solutionFiles.Contains(f, StringComparer.Ordinal) ? configPath : null), StringComparer.Ordinal);
        var offline = track.OfflineProblem(buildFiles);
        if (offline is not null)
            return (null, null, offline);

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
            .ToImmutableSortedDictionary(f => f, f => ReadFile(Path.Combine(exercise, f), configPath), StringComparer.Ordinal)
            .SetItems(buildFiles);
        var solution = solutionOf.ToImmutableSortedDictionary(p => p.Key, p => ReadFile(Path.Combine(exercise, p.Value), configPath), StringComparer.Ordinal);
        // Editor files (Go's cases_test.go) are the learner's to read, not to change, and the build
        // files say how the tests build (a Cargo.toml could name another harness): the tests bring their own copies.
        var tests = testFiles.Select(f => KeyValuePair.Create(f, track.Reenable(ReadFile(Path.Combine(exercise, f), configPath))))
            .Concat(editorFiles.Select(f => KeyValuePair.Create(f, ReadFile(Path.Combine(exercise, f), configPath))))
            .Concat(buildFiles)
            .DistinctBy(p => p.Key, StringComparer.Ordinal)
            .ToImmutableSortedDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var inContainer = track.AlwaysInContainer || containers;
        string? testCommand = null;
        if (language == PythonTasks.Language)
        {
            tests = tests.Add("test_exercism_" + Guard(configPath, slug.Replace('-', '_')) + ".py", PythonShim(testFiles, configPath));
        }
        else if (language == JavaScript)
        {
            workspace = workspace.SetItem("package.json", PackageJson);
            tests = tests.SetItem("package.json", PackageJson);
            testCommand = JavaScriptTestCommand(testFiles, inContainer);
        }

        var revisionParts = new List<(string, string)> { (ConfigFile, configText) };
        revisionParts.AddRange(docs);
        foreach (var file in solutionFiles.Concat(testFiles).Concat(exampleFiles).Concat(editorFiles).Distinct(StringComparer.Ordinal))
            revisionParts.Add((file, ReadFile(Path.Combine(exercise, file))));
        revisionParts.AddRange(buildFiles.Where(p => !solutionFiles.Contains(p.Key, StringComparer.Ordinal)).Select(p => (p.Key, p.Value)));
        var instruction = string.Join("\n\n", docs.Select(d => d.Item2.Trim())) + "\n\n" +
            $"Write your solution in {string.Join(", ", solutionFiles.Select(f => $"`{f}`"))} (the stub is there already). " +
            "Hidden tests will check it; keep the names the stub exports.";
        return (new ImportedTask
        {
            Id = id,
            Category = TaskCategory.Generation,
            Language = language,
            Instruction = instruction,
            Tags = ["exercism", language],
            TestCommand = testCommand,
            Environment = inContainer ? track.Environment : null,
            Source = new SourceReference("exercism", label, Hashing.Sha256(revisionParts)),
            Workspace = workspace,
            Solution = solution,
            Tests = tests,
        }, track, null);
    }

    /// <summary>
    /// Which example file replaces which solution file: the one of the same name, else the one of
    /// the same extension when only one is left, else in order when as many are left; Java's
    /// reference classes without a stub go beside the others under src/main/java. A solution file
    /// no example replaces keeps its stub (Exercism's C++ examples are often only the header).
    /// </summary>
    internal static (Dictionary<string, string>? SolutionOf, string? Problem) MatchExamples(IReadOnlyList<string> solutionFiles, IReadOnlyList<string> exampleFiles, ExercismTrack track)
    {
        var solutionOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var examples = exampleFiles.ToList();
        var open = solutionFiles.ToList();
        foreach (var example in examples.ToList())
        {
            var named = open.Where(s => Path.GetFileName(s) == Path.GetFileName(example)).ToList();
            if (named.Count != 1)
                continue;
            solutionOf[named[0]] = example;
            open.Remove(named[0]);
            examples.Remove(example);
        }
        foreach (var example in examples.ToList())
        {
            var sameKind = open.Where(s => Path.GetExtension(s) == Path.GetExtension(example)).ToList();
            if (sameKind.Count != 1 || examples.Count(e => Path.GetExtension(e) == Path.GetExtension(example)) != 1)
                continue;
            solutionOf[sameKind[0]] = example;
            open.Remove(sameKind[0]);
            examples.Remove(example);
        }
        if (examples.Count > 0 && examples.Count == open.Count)
        {
            for (var i = 0; i < examples.Count; i++)
                solutionOf[open[i]] = examples[i];
            examples.Clear();
        }
        const string javaReference = ".meta/src/reference/java/";
        foreach (var example in examples.ToList())
        {
            if (track.Language != ExercismTrack.Java || !example.StartsWith(javaReference, StringComparison.Ordinal))
                continue;
            solutionOf["src/main/java/" + example[javaReference.Length..]] = example;
            examples.Remove(example);
        }
        return examples.Count == 0
            ? (solutionOf, null)
            : (null, $"cannot tell which solution file {string.Join(", ", examples)} replaces");
    }

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
