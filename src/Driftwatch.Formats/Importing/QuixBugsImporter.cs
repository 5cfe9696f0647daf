using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using Driftwatch.Core;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// QuixBugs (the repository's layout: python_programs/ and java_programs/ with one buggy line
/// each, correct_python_programs/ and correct_java_programs/, json_testcases/&lt;name&gt;.json with one
/// <c>[arguments, expected]</c> per line) → debugging tasks: the workspace holds the buggy
/// program, the reference is the corrected one, and the hidden tests are the JSON cases, one test
/// case each. Python for every program with cases; Java where its method's parameter types can
/// take the cases' values. Programs without cases (graph and linked-list inputs) are skipped.
/// </summary>
internal sealed partial class QuixBugsImporter : IImporter
{
    /// <summary>Seconds one case may run before it counts as failed (a buggy program often loops).</summary>
    public const int CaseTimeoutSeconds = 2;

    private const string JavaPackage = "java_programs";

    public string Format => "quixbugs";

    public string Description => "QuixBugs folder (python_programs, correct_python_programs, java_programs, correct_java_programs, json_testcases) → debugging tasks";

    [GeneratedRegex(@"^package\s+[A-Za-z0-9_.]+\s*;", RegexOptions.Multiline)]
    private static partial Regex PackagePattern();

    [GeneratedRegex("\"\"\"(.*?)\"\"\"\\s*$", RegexOptions.Singleline)]
    private static partial Regex TrailingDocstringPattern();

    public ImportedSuite Import(string source, ImportOptions options)
    {
        if (!Directory.Exists(source))
            throw new InvalidInputException($"{source}: quixbugs needs the QuixBugs folder (with python_programs/, correct_python_programs/ and json_testcases/)");
        foreach (var folder in new[] { "python_programs", "correct_python_programs", "json_testcases" })
        {
            if (!Directory.Exists(Path.Combine(source, folder)))
                throw new InvalidInputException($"{Path.Combine(source, folder)}: folder not found (not the QuixBugs layout)");
        }

        var programs = Directory.EnumerateFiles(Path.Combine(source, "python_programs"), "*.py")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => n != "node" && !n.EndsWith("_test", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var ids = new TaskNames.Registry();
        var tasks = ImmutableArray.CreateBuilder<ImportedTask>();
        var skipped = ImmutableArray.CreateBuilder<SkippedRecord>();
        var revisionParts = new List<(string, string)>();
        foreach (var name in programs)
        {
            var buggyPath = Path.Combine(source, "python_programs", name + ".py");
            if (!PythonTasks.IsIdentifier(name))
            {
                skipped.Add(new SkippedRecord(name, $"{buggyPath}: the program name is not a Python identifier"));
                continue;
            }
            var casesPath = Path.Combine(source, "json_testcases", name + ".json");
            var correctPath = Path.Combine(source, "correct_python_programs", name + ".py");
            if (!File.Exists(casesPath))
            {
                skipped.Add(new SkippedRecord(name, $"no json_testcases/{name}.json: its cases take graph or linked-list objects, which only upstream's own test files build"));
                continue;
            }
            if (!File.Exists(correctPath))
            {
                skipped.Add(new SkippedRecord(name, $"no correct_python_programs/{name}.py"));
                continue;
            }
            var buggy = ReadFile(buggyPath);
            var correct = ReadFile(correctPath);
            var casesText = ReadFile(casesPath);
            var cases = ReadCases(casesPath, casesText);
            revisionParts.AddRange([($"python_programs/{name}.py", buggy), ($"correct_python_programs/{name}.py", correct), ($"json_testcases/{name}.json", casesText)]);
            var sourceCases = casesText;
            if (SlowCases.TryGetValue(name, out var slow))
            {
                var (lines, why) = slow;
                cases = [.. cases.Where(c => !lines.Contains(c.Line))];
                casesText = string.Join("", casesText.Split('\n').Select((l, i) => (l, i + 1))
                    .Where(p => p.l.Trim().Length > 0 && !lines.Contains(p.Item2)).Select(p => p.l + "\n"));
                skipped.Add(new SkippedRecord($"{name} case{(lines.Length > 1 ? "s" : "")} {string.Join(", ", lines)}", $"left out of the hidden tests: {why}"));
            }

            var casesFile = $"{name}_cases.json";
            var timeout = cases.Count * CaseTimeoutSeconds + 30;
            var tolerance = ToleranceArgument(name);
            tasks.Add(new ImportedTask
            {
                Id = ids.Claim(Format, $"python-{name}", casesPath, problem => new InvalidInputException($"{casesPath}: {problem}")),
                Category = TaskCategory.Debugging,
                Language = PythonTasks.Language,
                Instruction = $"""
                    `{name}.py` has a bug: one line of `{name}` is wrong. Find it and fix it so that the function does what the docstring at the end of the file says.
                    Change as little as possible; keep the function's name and signature.
                    """,
                Tags = ["quixbugs", "one-line-bug"],
                TestCommand = $"DRIFTWATCH_TEST_CASE_TIMEOUT={CaseTimeoutSeconds} {PythonTasks.Defaults.TestCommand}",
                TestTimeoutSeconds = timeout,
                Source = new SourceReference(Format, $"python_programs/{name}.py", Hashing.Sha256([(name + ".py", buggy), ("correct", correct), ("cases", sourceCases)])),
                Workspace = HumanEvalImporter.Files((name + ".py", buggy)),
                Solution = HumanEvalImporter.Files((name + ".py", correct)),
                Tests = HumanEvalImporter.Files(
                    (casesFile, casesText),
                    ($"test_{name}.py", PythonTasks.TestModule(
                        $"Hidden tests of QuixBugs {name}: json_testcases/{name}.json, one test case per line.",
                        $"io_cases(\"{casesFile}\", module=\"{name}\", function=\"{name}\"{(tolerance is { } t ? $", tolerance_argument={t}" : "")})"))),
            });

            var java = JavaTask(source, name, buggy, cases, casesText, sourceCases, ids, revisionParts);
            if (java.Task is { } javaTask)
                tasks.Add(javaTask);
            else if (java.Skipped is { } reason)
                skipped.Add(new SkippedRecord($"java {name.ToUpperInvariant()}", reason));
        }
        return new ImportedSuite
        {
            Name = options.Name ?? Format,
            Description = "QuixBugs: find and fix the one wrong line of a classic algorithm, in Python and in Java.",
            Source = new SourceReference(Format, null, Hashing.Sha256(revisionParts)),
            Languages = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(PythonTasks.Language, PythonTasks.Defaults)]),
            Support = PythonTasks.Support.Add(SupportFiles.JavaCaseRunner, SupportFiles.Read(SupportFiles.JavaCaseRunner)),
            Tasks = tasks.ToImmutable(),
            Skipped = skipped.ToImmutable(),
        };
    }

    private (ImportedTask? Task, string? Skipped) JavaTask(string source, string name, string pythonProgram, List<(int Line, JsonElement Arguments)> cases,
        string casesText, string sourceCases, TaskNames.Registry ids, List<(string, string)> revisionParts)
    {
        var className = name.ToUpperInvariant();
        var buggyPath = Path.Combine(source, "java_programs", className + ".java");
        var correctPath = Path.Combine(source, "correct_java_programs", className + ".java");
        if (!File.Exists(buggyPath) || !File.Exists(correctPath))
            return (null, $"no java_programs/{className}.java and correct_java_programs/{className}.java");
        var buggy = ReadFile(buggyPath);
        var correct = ReadFile(correctPath);
        // Both versions must sit where the tests look: the reference is moved into the buggy one's package.
        if (!PackagePattern().IsMatch(buggy) || !PackagePattern().IsMatch(correct))
            return (null, $"{className}.java declares no package");
        correct = PackagePattern().Replace(correct, $"package {JavaPackage};", 1);

        var method = JavaSignatures.Find(buggy, name);
        if (method is null)
            return (null, $"java_programs/{className}.java has no public static method {name}");
        var unfit = cases.Select(c => (c.Line, Problem: method.Accepts(c.Arguments))).FirstOrDefault(c => c.Problem is not null);
        if (unfit.Problem is not null)
            return (null, $"json_testcases/{name}.json line {unfit.Line} does not fit {method}: {unfit.Problem}");
        revisionParts.AddRange([($"java_programs/{className}.java", buggy), ($"correct_java_programs/{className}.java", correct)]);

        var description = TrailingDocstringPattern().Match(pythonProgram) is { Success: true } docstring ? docstring.Groups[1].Value.Trim('\n') : null;
        var casesFile = $"{name}_cases.json";
        var tolerance = ToleranceArgument(name) is { } t ? $" --tolerance-argument {t}" : "";
        var task = new ImportedTask
        {
            Id = ids.Claim(Format, $"java-{name}", buggyPath, problem => new InvalidInputException($"{buggyPath}: {problem}")),
            Category = TaskCategory.Debugging,
            Language = "java",
            Instruction = $"""
                `{JavaPackage}/{className}.java` has a bug: one line of `{method.Name}` is wrong. Find it and fix it.
                Change as little as possible; keep the class, the package and the method's signature.
                {(description is null ? "" : $"What `{method.Name}` should do:\n\n{Indent(description)}")}
                """,
            Tags = ["quixbugs", "one-line-bug"],
            TestCommand = "mkdir -p .driftwatch/classes && javac -nowarn -encoding UTF-8 -d .driftwatch/classes " +
                $".driftwatch/{SupportFiles.JavaCaseRunner} {JavaPackage}/*.java && java -cp .driftwatch/classes CaseRunner " +
                $"{JavaPackage}.{className} {method.Name} {casesFile} --case-timeout {CaseTimeoutSeconds}{tolerance}",
            TestTimeoutSeconds = cases.Count * CaseTimeoutSeconds + 60,
            Source = new SourceReference(Format, $"java_programs/{className}.java", Hashing.Sha256([(className + ".java", buggy), ("correct", correct), ("cases", sourceCases)])),
            Workspace = HumanEvalImporter.Files(($"{JavaPackage}/{className}.java", buggy)),
            Solution = HumanEvalImporter.Files(($"{JavaPackage}/{className}.java", correct)),
            Tests = HumanEvalImporter.Files((casesFile, casesText)),
        };
        return (task, null);
    }

    /// <summary>
    /// Cases (1-based lines of json_testcases/NAME.json) that even the corrected program cannot
    /// finish in anything like the case timeout, so that they would fail every solution alike.
    /// </summary>
    private static readonly Dictionary<string, (int[] Lines, string Why)> SlowCases = new(StringComparer.Ordinal)
    {
        ["knapsack"] = ([10], "capacity 6,404,180: the corrected dynamic programme fills a 24 × 6.4 M table (minutes in Python)"),
        ["levenshtein"] = ([3, 4], "the corrected program is the exponential recursion without memoisation; these long strings take hours"),
    };

    /// <summary>
    /// sqrt's answer is only as exact as its epsilon (its last argument): upstream's test compares
    /// with that tolerance; every other program is compared exactly.
    /// </summary>
    private static int? ToleranceArgument(string name) => name == "sqrt" ? -1 : null;

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "    " + l));

    private static string ReadFile(string path)
    {
        if (new FileInfo(path).LinkTarget is not null)
            throw new InvalidInputException($"{path}: a symbolic link; importers read plain files only");
        return DatasetRecords.ReadText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>The cases' arguments, checked: every line must be a JSON array [arguments, expected].</summary>
    private static List<(int Line, JsonElement Arguments)> ReadCases(string path, string text)
    {
        var cases = new List<(int, JsonElement)>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
                continue;
            JsonElement json;
            try
            {
                using var document = JsonDocument.Parse(lines[i]);
                json = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw InvalidInputException.AtLocation(path, i + 1, null, "not a complete JSON case (a truncated line?)");
            }
            if (json.ValueKind != JsonValueKind.Array || json.GetArrayLength() != 2)
                throw InvalidInputException.AtLocation(path, i + 1, null, "expected [arguments, expected output]");
            cases.Add((i + 1, json[0]));
        }
        if (cases.Count == 0)
            throw new InvalidInputException($"{path}: no cases");
        return cases;
    }
}

/// <summary>A public static Java method's parameter types, and whether JSON arguments fit them.</summary>
internal sealed partial record JavaSignatures(string Name, string ReturnType, ImmutableArray<string> Parameters)
{
    [GeneratedRegex(@"public\s+static\s+(?<return>[A-Za-z0-9_<>\[\], ?]+?)\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?<parameters>[^)]*)\)")]
    private static partial Regex MethodPattern();

    public static JavaSignatures? Find(string source, string name)
    {
        foreach (Match match in MethodPattern().Matches(source))
        {
            if (match.Groups["name"].Value != name)
                continue;
            var parameters = SplitTopLevel(match.Groups["parameters"].Value)
                .Where(p => p.Trim().Length > 0)
                .Select(ParameterType)
                .ToImmutableArray();
            return new JavaSignatures(name, Normalize(match.Groups["return"].Value), parameters);
        }
        return null;
    }

    public override string ToString() => $"{ReturnType} {Name}({string.Join(", ", Parameters)})";

    /// <summary>Null when the case's arguments can be passed to this method; else why not.</summary>
    public string? Accepts(JsonElement arguments)
    {
        if (ReturnType == "void")
            return "the method returns nothing to compare";
        var values = arguments.ValueKind == JsonValueKind.Array ? arguments.EnumerateArray().ToList() : [arguments];
        if (values.Count != Parameters.Length)
            return $"{values.Count} arguments for {Parameters.Length} parameters";
        for (var i = 0; i < values.Count; i++)
        {
            if (!Fits(values[i], Parameters[i]))
                return $"argument {i + 1} ({Shorten(values[i].GetRawText())}) is not a {Parameters[i]}";
        }
        return null;
    }

    private static bool Fits(JsonElement value, string type)
    {
        if (type.EndsWith("[]", StringComparison.Ordinal))
            return value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => Fits(v, type[..^2]));
        var generic = type.IndexOf('<', StringComparison.Ordinal);
        var raw = generic < 0 ? type : type[..generic];
        if (raw is "ArrayList" or "List" or "Collection")
        {
            if (value.ValueKind != JsonValueKind.Array)
                return false;
            return generic < 0 || value.EnumerateArray().All(v => Fits(v, type[(generic + 1)..^1]));
        }
        return raw switch
        {
            "int" or "Integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
            "long" or "Long" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            "double" or "Double" or "float" or "Float" => value.ValueKind == JsonValueKind.Number,
            "boolean" or "Boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "String" => value.ValueKind == JsonValueKind.String,
            "char" or "Character" => value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 1,
            "Object" => true,
            _ => false,
        };
    }

    [GeneratedRegex(@"^(?:final\s+)?(?<type>.+?)\s*\b(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?<dimensions>(?:\[\s*\])*)$")]
    private static partial Regex ParameterPattern();

    /// <summary>"int [][] items" → "int[][]"; "int arr[]" → "int[]"; "final List&lt;Integer&gt; xs" → "List&lt;Integer&gt;".</summary>
    private static string ParameterType(string parameter)
    {
        var match = ParameterPattern().Match(parameter.Trim());
        if (!match.Success)
            return Normalize(parameter);
        var brackets = match.Groups["dimensions"].Value.Count(c => c == '[');
        return Normalize(match.Groups["type"].Value) + string.Concat(Enumerable.Repeat("[]", brackets));
    }

    private static string Normalize(string type) => Regex.Replace(type, @"\s+", "");

    private static IEnumerable<string> SplitTopLevel(string parameters)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            depth += parameters[i] switch { '<' => 1, '>' => -1, _ => 0 };
            if (parameters[i] == ',' && depth == 0)
            {
                yield return parameters[start..i];
                start = i + 1;
            }
        }
        yield return parameters[start..];
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
