using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// What differs between the Exercism tracks the importer reads (docs/importers.md): how a track's
/// files are recognised, the build files its workspace keeps, how its disabled tests are re-enabled,
/// how its tests run, and the image that holds its toolchain (Debian 12's packages on the base
/// image, built from a Containerfile the importer writes into each task).
/// </summary>
internal sealed partial record ExercismTrack(
    string Language,
    ImmutableArray<string> Extensions,
    ImmutableArray<string> BuildFiles,
    bool AlwaysInContainer)
{
    public const string Python = PythonTasks.Language;
    public const string JavaScript = "javascript";
    public const string Cpp = "cpp";
    public const string Go = "go";
    public const string Java = "java";
    public const string Rust = "rust";

    /// <summary>Where every track's workspace is mounted in its container.</summary>
    public const string Workdir = "/workspace";

    /// <summary>Seconds a compiled track's tests may take (the build is part of them).</summary>
    public const int CompiledTestTimeoutSeconds = 180;

    public static ImmutableArray<ExercismTrack> All { get; } =
    [
        new(Python, [".py"], [], AlwaysInContainer: false),
        new(JavaScript, [".js", ".mjs"], [], AlwaysInContainer: false),
        new(Cpp, [".cpp", ".cc", ".h", ".hpp"], ["CMakeLists.txt"], AlwaysInContainer: true),
        new(Go, [".go"], ["go.mod", "go.sum"], AlwaysInContainer: true),
        new(Java, [".java"], ["build.gradle", "settings.gradle"], AlwaysInContainer: true),
        new(Rust, [".rs"], ["Cargo.toml", "Cargo.lock"], AlwaysInContainer: true),
    ];

    /// <summary>
    /// The track every solution file belongs to, by its extension or as one of the track's build
    /// files (null: none; a C exercise's <c>.c</c> and <c>.h</c> files are not C++).
    /// </summary>
    public static ExercismTrack? Of(IReadOnlyCollection<string> solutionFiles) =>
        All.FirstOrDefault(t => solutionFiles.Any(f => t.Extensions.Contains(Path.GetExtension(f), StringComparer.Ordinal))
            && solutionFiles.All(f => t.Extensions.Contains(Path.GetExtension(f), StringComparer.Ordinal) || t.BuildFiles.Contains(Path.GetFileName(f), StringComparer.Ordinal)));

    /// <summary>The support file that runs a compiled track's tests (null: Python and JavaScript have their own).</summary>
    public string? Runner => AlwaysInContainer ? $"exercism/{Language}.sh" : null;

    /// <summary>The suite-wide test command and timeout of a compiled track.</summary>
    public LanguageDefaults? Defaults => Runner is { } runner ? new LanguageDefaults($"bash .driftwatch/{runner}", CompiledTestTimeoutSeconds) : null;

    /// <summary>The support files the track's tests need: its runner and the report's reader and guard they all call.</summary>
    public IEnumerable<string> Support => Runner is { } runner ? [runner, ReportGuard] : [];

    /// <summary>Turns the text reports of go test and libtest into JUnit XML, and checks every hidden test got a verdict.</summary>
    public const string ReportGuard = "exercism/junit.py";

    /// <summary>The task's container: the track's toolchain on the base image.</summary>
    public ImportedEnvironment Environment => new()
    {
        Dockerfile = "Containerfile",
        Workdir = Workdir,
        Files = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create("Containerfile", SupportFiles.Read($"exercism/{Language}.Containerfile"))]),
    };

    [GeneratedRegex(@"^[ \t]*@(?:unittest\.)?skip(?:If|Unless)?\b.*\n", RegexOptions.Multiline)]
    private static partial Regex PythonSkipPattern();

    [GeneratedRegex(@"^[ \t]*@pytest\.mark\.skip\b.*\n", RegexOptions.Multiline)]
    private static partial Regex PytestSkipPattern();

    [GeneratedRegex(@"\bx(test|it|describe)\s*\(")]
    private static partial Regex JestDisabledPattern();

    [GeneratedRegex(@"\b(test|it|describe)\.skip\s*\(")]
    private static partial Regex JestSkipPattern();

    /// <summary>JUnit 5's <c>@Disabled</c>, with or without its reason (a line of its own is removed whole).</summary>
    [GeneratedRegex(@"^[ \t]*@Disabled\b(?:\s*\(\s*""(?:[^""\\\n]|\\.)*""\s*\))?[ \t]*\n|@Disabled\b(?:\s*\(\s*""(?:[^""\\\n]|\\.)*""\s*\))?[ \t]*", RegexOptions.Multiline)]
    private static partial Regex JUnitDisabledPattern();

    /// <summary>libtest's <c>#[ignore]</c>, with or without its reason (a line of its own is removed whole).</summary>
    [GeneratedRegex(@"^[ \t]*#\[ignore(?:\s*=\s*""[^""\n]*"")?\][ \t]*\n|#\[ignore(?:\s*=\s*""[^""\n]*"")?\][ \t]*", RegexOptions.Multiline)]
    private static partial Regex RustIgnorePattern();

    /// <summary>
    /// Exercism disables every test but the first for learners; the hidden tests run them all.
    /// C++ needs no change (its runner defines EXERCISM_RUN_ALL_TESTS); Go disables none.
    /// </summary>
    public string Reenable(string text) => Language switch
    {
        Python => PytestSkipPattern().Replace(PythonSkipPattern().Replace(text, ""), ""),
        JavaScript => JestSkipPattern().Replace(JestDisabledPattern().Replace(text, "$1("), "$1("),
        Java => JUnitDisabledPattern().Replace(text, ""),
        Rust => RustIgnorePattern().Replace(text, ""),
        _ => text,
    };

    [GeneratedRegex(@"^\[(?:[A-Za-z0-9_.-]+\.)?(?:dev-|build-)?dependencies(?:\.[^\]]+)?\][ \t]*$")]
    private static partial Regex CargoDependencySection();

    [GeneratedRegex(@"^\[")]
    private static partial Regex TomlSection();

    [GeneratedRegex(@"^\s*require\b", RegexOptions.Multiline)]
    private static partial Regex GoRequire();

    /// <summary>
    /// Why the exercise cannot run offline in its image (null: it can): tests run with no network,
    /// so an exercise that needs crates or Go modules is skipped with the reason.
    /// </summary>
    public string? OfflineProblem(IReadOnlyDictionary<string, string> buildFiles)
    {
        if (Language == Rust && buildFiles.TryGetValue("Cargo.toml", out var cargo))
        {
            var inDependencies = false;
            foreach (var raw in cargo.Split('\n'))
            {
                var line = raw.Trim();
                if (TomlSection().IsMatch(line))
                    inDependencies = CargoDependencySection().IsMatch(line);
                else if (inDependencies && line.Length > 0 && !line.StartsWith('#'))
                    return "Cargo.toml names crates, and the tests run offline (no crate can be fetched)";
            }
        }
        if (Language == Go && buildFiles.TryGetValue("go.mod", out var goMod) && GoRequire().IsMatch(goMod))
            return "go.mod requires modules, and the tests run offline (no module can be fetched)";
        return null;
    }
}
