using Driftwatch.Core.Runs;
using Driftwatch.Execution.Containers;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Validation;
using Driftwatch.Formats.Importing;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Validation;

/// <summary>
/// The Exercism polyglot set, validated per language: each track's exercises run in an image of its
/// toolchain, built from the Containerfile the importer wrote, through the trial path every run uses.
/// </summary>
public sealed class ExercismPolyglotTests : IDisposable
{
    private readonly TempDirectory _temp = new("exercism-polyglot");

    public void Dispose() => _temp.Dispose();

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public async Task Every_language_of_the_polyglot_set_is_sound_in_the_image_of_its_toolchain()
    {
        var missing = BaseImage.Ensure();
        Assert.SkipWhen(missing is not null, $"no container engine: {missing}");

        // Given exercises of all six tracks, imported with Python and JavaScript in images too
        var source = _temp.Combine("exercises");
        CopyTree(Path.Combine(RepositoryPaths.ImportFixtures, "exercism"), source);
        CopyTree(Path.Combine(RepositoryPaths.ImportFixtures, "exercism-polyglot"), source);
        var written = SuiteWriter.Write(Importers.Import("exercism", source, new ImportOptions { Containers = true }), _temp.Combine("suite"), force: false);
        var suite = SuiteLoader.Load(written.Directory);
        suite.Tasks.Select(t => t.Language).Distinct().Order(StringComparer.Ordinal).ShouldBe(["cpp", "go", "java", "javascript", "python", "rust"]);
        suite.Tasks.ShouldAllBe(t => t.Environment != null && t.Environment.Dockerfile != null);

        // When the suite is validated (the images are built first, once per content)
        var results = await new SuiteValidator(new NoSandbox(), _temp.Combine("work")).ValidateAsync(suite, suite.Tasks, 2, null, CancellationToken.None);

        // Then in every language the reference passes every re-enabled test, read from the JUnit report,
        // and the untouched stub passes none
        foreach (var result in results)
        {
            var id = result.Task.Id;
            result.Problems.ShouldBeEmpty($"{id}: {result.Reference.ErrorMessage}");
            result.Reference.Outcome.ShouldBe(TrialOutcome.Pass, id);
            result.Reference.TestsTotal.ShouldBeGreaterThanOrEqualTo(3, id);
            result.Reference.TestsPassed.ShouldBe(result.Reference.TestsTotal, id);
            result.Bare.Outcome.ShouldBe(TrialOutcome.Fail, id);
            result.Bare.TestsPassed.ShouldBe(0, id);
        }
        // and each track has its own image, tagged by the content of its Containerfile
        var engine = (await ContainerEngine.DetectAsync(null, CancellationToken.None)).Engine!;
        var images = suite.Tasks.GroupBy(t => t.Language).ToDictionary(g => g.Key, g => g.Select(t => ContainerEngine.ContentHash(t.Environment!)).Distinct().ToList());
        images.Values.ShouldAllBe(hashes => hashes.Count == 1);
        images.Values.Select(h => h[0]).Distinct().Count().ShouldBe(6);
        foreach (var (language, hashes) in images)
            (await engine.ImageExistsAsync(ContainerEngine.BuiltImagePrefix + ":" + hashes[0], CancellationToken.None)).ShouldBeTrue(language);
    }

    /// <summary>Attempts at passing a track's tests without solving the task, as "solutions" laid over the stub.</summary>
    private static readonly (string Id, string Task, Dictionary<string, string> Files, bool Tampered)[] Rigs =
    [
        ("rig-go-testmain", "exercism-go-digit-sum", new()
        {
            ["zz_rig_test.go"] = "package digitsum\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestMain(m *testing.M) { os.Exit(0) }\n",
        }, false),
        ("rig-go-init-exit", "exercism-go-digit-sum", new()
        {
            ["rig.go"] = "package digitsum\n\nimport (\n\t\"os\"\n\t\"strings\"\n)\n\nfunc init() {\n\tif strings.HasSuffix(os.Args[0], \".test\") {\n\t\tos.Exit(0)\n\t}\n}\n",
        }, true),
        ("rig-rust-build-script", "exercism-rust-reverse-words", new()
        {
            ["build.rs"] = "fn main() {\n    std::fs::write(\"tests/reverse_words.rs\", \"#[test]\\nfn fine() {}\\n\").unwrap();\n}\n",
            [".cargo/config.toml"] = "[build]\nrustflags = [\"--cfg\", \"rigged\"]\n",
        }, false),
        ("rig-java-static-exit", "exercism-java-acronym", new()
        {
            ["src/main/java/Acronym.java"] = "class Acronym {\n    static { System.exit(0); }\n    Acronym(String phrase) {}\n    String get() { return \"\"; }\n}\n",
        }, true),
        ("rig-java-impostor", "exercism-java-acronym", new()
        {
            ["src/main/java/org/assertj/core/api/Assertions.java"] = "package org.assertj.core.api;\n\npublic class Assertions {\n    public static Object assertThat(Object actual) { return null; }\n}\n",
        }, true),
        ("rig-cpp-static-exit", "exercism-cpp-collatz-steps", new()
        {
            ["collatz_steps.h"] = "#pragma once\nnamespace collatz_steps {\ninline int steps(long long) { return 0; }\n}\n",
            ["rig.cpp"] = "#include <cstdlib>\n\nstatic int rig = (std::exit(0), 0);\n",
        }, true),
    ];

    [Fact]
    public async Task Rigged_solutions_in_the_compiled_tracks_fail_and_the_tampering_is_flagged()
    {
        var missing = BaseImage.Ensure();
        Assert.SkipWhen(missing is not null, $"no container engine: {missing}");

        // Given tasks of the compiled tracks whose "solution" tries to pass without solving: a planted
        // TestMain, an init that exits 0, a build script and a cargo config, a static initialiser that
        // exits 0, classes that stand in for AssertJ, a C++ static initialiser that exits 0
        var written = SuiteWriter.Write(Importers.Import("exercism", Path.Combine(RepositoryPaths.ImportFixtures, "exercism-polyglot"), new ImportOptions()), _temp.Combine("suite"), force: false);
        var tasks = Path.Combine(written.Directory, "tasks");
        foreach (var (id, task, files, _) in Rigs)
        {
            CopyTree(Path.Combine(tasks, task), Path.Combine(tasks, id));
            var yaml = Path.Combine(tasks, id, "task.yaml");
            File.WriteAllText(yaml, File.ReadAllText(yaml).Replace($"id: {task}", $"id: {id}", StringComparison.Ordinal));
            Directory.Delete(Path.Combine(tasks, id, "solution"), recursive: true);
            foreach (var (path, text) in files)
            {
                var target = Path.Combine(tasks, id, "solution", path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, text);
            }
        }
        var suite = SuiteLoader.Load(written.Directory);

        // When their "solutions" are scored as references are
        var results = await new SuiteValidator(new NoSandbox(), _temp.Combine("work")).ValidateAsync(suite, [.. suite.Tasks.Where(t => t.Id.StartsWith("rig-", StringComparison.Ordinal))], 2, null, CancellationToken.None);

        // Then none passes, and those that ended the tests early or replaced the test libraries are flagged
        results.Count.ShouldBe(Rigs.Length);
        foreach (var result in results)
        {
            var (id, _, _, tampered) = Rigs.Single(r => r.Id == result.Task.Id);
            result.Reference.Outcome.ShouldBe(TrialOutcome.Fail, $"{id}: {result.Reference.ErrorMessage}");
            result.Reference.TestsPassed.ShouldBe(0, id);
            if (tampered)
            {
                result.Reference.ErrorKind.ShouldBe("tampered", id);
                result.Reference.Flags.ShouldContain("suspect:tampered-at-runtime", id);
            }
        }
    }

    [Fact]
    public async Task A_solution_that_hangs_on_one_test_fails_within_the_track_s_own_time_limit()
    {
        var missing = BaseImage.Ensure();
        Assert.SkipWhen(missing is not null, $"no container engine: {missing}");

        // Given Go and Java solutions right but for one case, where they loop forever
        var written = SuiteWriter.Write(Importers.Import("exercism", Path.Combine(RepositoryPaths.ImportFixtures, "exercism-polyglot"), new ImportOptions { TaskFilter = "exercism-go-*,exercism-java-*" }), _temp.Combine("suite"), force: false);
        var tasks = Path.Combine(written.Directory, "tasks");
        void Hang(string task, string file, string before, string after)
        {
            var path = Path.Combine(tasks, task, "solution", file);
            var text = File.ReadAllText(path);
            text.ShouldContain(before);
            File.WriteAllText(path, text.Replace(before, after, StringComparison.Ordinal));
        }
        Hang("exercism-go-digit-sum", "digit_sum.go", "\tsum := 0\n", "\tfor base == 16 {\n\t}\n\tsum := 0\n");
        Hang("exercism-java-acronym", "src/main/java/Acronym.java", "    Acronym(String phrase) {\n", "    Acronym(String phrase) {\n        while (phrase.contains(\"metal\")) { }\n");
        var suite = SuiteLoader.Load(written.Directory);

        // When they are scored
        var results = await new SuiteValidator(new NoSandbox(), _temp.Combine("work")).ValidateAsync(suite, suite.Tasks, 2, null, CancellationToken.None);

        // Then each fails within the track's own time limit (go test's 60 s, JUnit's 10 s a test), not the
        // task's; Java's other tests keep their passes (Go prints a test's subtests only when it ends)
        foreach (var result in results)
        {
            var id = result.Task.Id;
            result.Reference.Outcome.ShouldBe(TrialOutcome.Fail, $"{id}: {result.Reference.ErrorMessage}");
            result.Reference.ErrorKind.ShouldBeNull(id);
        }
        var java = results.Single(r => r.Task.Language == "java").Reference;
        java.TestsTotal.ShouldBe(5);
        java.TestsPassed.ShouldBe(4);
    }
}
