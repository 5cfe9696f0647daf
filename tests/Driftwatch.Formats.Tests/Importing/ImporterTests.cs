using Driftwatch.Core;
using Driftwatch.Core.Suites;
using Driftwatch.Formats.Importing;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Importing;

public sealed class ImporterTests : IDisposable
{
    private readonly TempDirectory _temp = new("import");

    public void Dispose() => _temp.Dispose();

    private static string HumanEval => Path.Combine(RepositoryPaths.Datasets, "humaneval", "HumanEval.jsonl.gz");

    private static string Fixture(params string[] parts) => Path.Combine([RepositoryPaths.ImportFixtures, .. parts]);

    private static string HumanEvalLine(string id, string entryPoint = "add") =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["task_id"] = id,
            ["prompt"] = $"def {entryPoint}(a, b):\n    \"\"\"Add two numbers.\"\"\"\n",
            ["canonical_solution"] = "    return a + b\n",
            ["test"] = "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(0, 0) == 0\n",
            ["entry_point"] = entryPoint,
        });

    private static Dictionary<string, byte[]> Tree(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes);

    [Fact]
    public void HumanEval_gives_a_generation_task_per_record_that_hides_the_canonical_solution()
    {
        // When the shared HumanEval file is imported
        var suite = Importers.Import("humaneval", HumanEval, new ImportOptions());

        // Then there is one Python generation task per record, with its source
        suite.Tasks.Length.ShouldBe(164);
        suite.Tasks.ShouldAllBe(t => t.Category == TaskCategory.Generation && t.Language == "python");
        var first = suite.Tasks.Single(t => t.Id == "humaneval-0");
        first.Source.Dataset.ShouldBe("humaneval");
        first.Source.Id.ShouldBe("HumanEval/0");
        first.Source.Revision.ShouldStartWith("sha256:");
        // and the agent's workspace and instruction hold neither the solution nor the checks
        var canonical = "for idx, elem in enumerate(numbers):";
        first.Solution["solution.py"].ShouldContain(canonical);
        first.Workspace["solution.py"].ShouldNotContain(canonical);
        first.Workspace["solution.py"].ShouldContain("raise NotImplementedError");
        first.Instruction.ShouldNotContain(canonical);
        first.Workspace.Keys.ShouldBe(["solution.py"]);
        first.Tests["humaneval_check.py"].ShouldContain("def check(candidate)");
        first.Workspace.Values.ShouldAllBe(v => !v.Contains("def check(candidate)"));
    }

    [Fact]
    public void Importing_the_same_data_twice_gives_byte_identical_suites_with_the_same_revision()
    {
        // Given the same dataset imported into two folders
        var a = SuiteWriter.Write(Importers.Import("humaneval", HumanEval, new ImportOptions()), _temp.Combine("a"), force: false);
        var b = SuiteWriter.Write(Importers.Import("humaneval", HumanEval, new ImportOptions()), _temp.Combine("b"), force: false);

        // Then every file is the same, byte for byte, and so is the revision
        var treeA = Tree(a.Directory);
        var treeB = Tree(b.Directory);
        treeA.Keys.Order().ShouldBe(treeB.Keys.Order());
        foreach (var (path, bytes) in treeA)
            treeB[path].ShouldBe(bytes, path);
        a.Revision.ShouldBe(b.Revision);
        a.Source!.Revision.ShouldBe(b.Source!.Revision);
    }

    [Fact]
    public void A_changed_record_changes_the_task_and_suite_revisions()
    {
        var one = _temp.Write("one.jsonl", HumanEvalLine("X/0") + "\n" + HumanEvalLine("X/1", "plus") + "\n");
        var two = _temp.Write("two.jsonl", HumanEvalLine("X/0") + "\n" + HumanEvalLine("X/1", "sum2") + "\n");

        var a = Importers.Import("humaneval", one, new ImportOptions());
        var b = Importers.Import("humaneval", two, new ImportOptions());

        a.Tasks[0].Source.Revision.ShouldBe(b.Tasks[0].Source.Revision);
        a.Tasks[1].Source.Revision.ShouldNotBe(b.Tasks[1].Source.Revision);
        a.Source.Revision.ShouldNotBe(b.Source.Revision);
    }

    [Theory]
    [InlineData("../../x", "x")]
    [InlineData("/etc/passwd", "etc-passwd")]
    [InlineData("..\\..\\win", "win")]
    [InlineData("a/../../../b", "a-b")]
    public void Hostile_ids_become_task_ids_inside_the_suite(string hostile, string expected)
    {
        // Given a record whose id tries to climb out of the suite
        var file = _temp.Write("hostile.jsonl", HumanEvalLine(hostile) + "\n");

        // When it is imported and written
        var suite = SuiteWriter.Write(Importers.Import("humaneval", file, new ImportOptions()), _temp.Combine("out", "suite"), force: false);

        // Then its task sits in the suite's tasks folder, the id keeps the raw id as its source, and nothing was written beside the suite
        suite.Tasks.Single().Id.ShouldBe(expected);
        suite.Tasks.Single().Source!.Id.ShouldBe(hostile);
        Path.GetDirectoryName(suite.Tasks.Single().Directory).ShouldBe(Path.Combine(suite.Directory, "tasks"));
        Directory.EnumerateFileSystemEntries(_temp.Combine("out")).ShouldBe([_temp.Combine("out", "suite")]);
        Directory.Exists(_temp.Combine("x")).ShouldBeFalse();
    }

    [Fact]
    public void Two_records_that_sanitise_to_one_id_are_an_error_not_a_merge()
    {
        var file = _temp.Write("twins.jsonl", HumanEvalLine("A/1") + "\n" + HumanEvalLine("a-1") + "\n");

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("humaneval", file, new ImportOptions()));

        error.Message.ShouldBe($"{file}:2: a-1: task_id: 'a-1' gives the task id 'a-1', already taken by line 1");
    }

    [Fact]
    public void A_truncated_line_names_the_file_and_line()
    {
        var line = HumanEvalLine("X/1");
        var file = _temp.Write("cut.jsonl", HumanEvalLine("X/0") + "\n" + line[..(line.Length / 2)] + "\n");

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("humaneval", file, new ImportOptions()));

        error.Message.ShouldStartWith($"{file}:2: not a complete JSON record (a truncated line?)");
    }

    [Fact]
    public void A_truncated_gzip_file_is_named()
    {
        var bytes = File.ReadAllBytes(HumanEval);
        var file = _temp.Combine("cut.jsonl.gz");
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("humaneval", file, new ImportOptions()));

        error.Message.ShouldBe($"{file}: the gzip file is truncated or corrupt (its length trailer does not match)");
    }

    [Fact]
    public void A_gzip_file_of_several_members_is_read_whole()
    {
        // Given a .gz made by concatenating two gzip members (as `cat a.gz b.gz` or pigz make), the second one short
        static byte[] Gzip(string text)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
                gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
            return buffer.ToArray();
        }
        var file = _temp.Combine("two-members.jsonl.gz");
        File.WriteAllBytes(file, [.. Gzip(HumanEvalLine("X/0") + "\n" + HumanEvalLine("X/1") + "\n"), .. Gzip(HumanEvalLine("X/2") + "\n")]);

        // When it is imported, Then every record of both members is there
        var suite = Importers.Import("humaneval", file, new ImportOptions());
        suite.Tasks.Length.ShouldBe(3);
    }

    [Fact]
    public void A_missing_field_names_the_file_line_record_and_field()
    {
        var line = HumanEvalLine("X/7").Replace("\"canonical_solution\"", "\"solution\"", StringComparison.Ordinal);
        var file = _temp.Write("missing.jsonl", HumanEvalLine("X/6") + "\n" + line + "\n");

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("humaneval", file, new ImportOptions()));

        error.Message.ShouldBe($"{file}:2: X/7: canonical_solution: required field is missing");
    }

    [Fact]
    public void An_entry_point_that_is_not_an_identifier_is_refused_before_it_reaches_generated_code()
    {
        var file = _temp.Write("inject.jsonl", HumanEvalLine("X/0").Replace("\"entry_point\":\"add\"", "\"entry_point\":\"add\\\")\\nimport os#\"", StringComparison.Ordinal) + "\n");

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("humaneval", file, new ImportOptions()));

        error.Message.ShouldContain("X/0: entry_point: ");
        error.Message.ShouldContain("is not a Python identifier");
    }

    [Fact]
    public void An_unknown_format_lists_the_known_ones()
    {
        var error = Should.Throw<InvalidInputException>(() => Importers.Import("apps", HumanEval, new ImportOptions()));

        error.Message.ShouldBe("FORMAT: unknown format 'apps' (expected one of: humaneval, humaneval-infilling, mbpp, quixbugs, exercism, harbor, swe)");
    }

    [Fact]
    public void A_failed_write_leaves_nothing_behind()
    {
        // Given an import whose task the loader rejects when it is read back (a bad test timeout)
        var imported = Importers.Import("humaneval", _temp.Write("ok.jsonl", HumanEvalLine("X/0") + "\n"), new ImportOptions());
        imported = imported with { Tasks = [imported.Tasks[0] with { TestTimeoutSeconds = -1 }] };

        // When it is written
        Should.Throw<Exception>(() => SuiteWriter.Write(imported, _temp.Combine("out", "suite"), force: false));

        // Then neither the suite nor its staging folder exists
        Directory.EnumerateFileSystemEntries(_temp.Combine("out")).ShouldBeEmpty();
    }

    [Fact]
    public void Force_replaces_a_suite_but_never_a_folder_that_is_not_one()
    {
        var imported = Importers.Import("humaneval", _temp.Write("ok.jsonl", HumanEvalLine("X/0") + "\n"), new ImportOptions());
        var notSuite = _temp.Write("mine/notes.txt", "keep me");

        Should.Throw<InvalidInputException>(() => SuiteWriter.Write(imported, _temp.Combine("mine"), force: true))
            .Message.ShouldContain("is not a suite folder");
        File.ReadAllText(notSuite).ShouldBe("keep me");

        SuiteWriter.Write(imported, _temp.Combine("suite"), force: false);
        Should.Throw<InvalidInputException>(() => SuiteWriter.Write(imported, _temp.Combine("suite"), force: false))
            .Message.ShouldContain("--force");
        SuiteWriter.Write(imported, _temp.Combine("suite"), force: true).Tasks.Length.ShouldBe(1);
    }

    [Fact]
    public void Infilling_marks_the_gap_and_keeps_the_middle_out_of_the_workspace()
    {
        var suite = Importers.Import("humaneval-infilling",
            Path.Combine(RepositoryPaths.Datasets, "humaneval-infilling", "HumanEval-SingleLineInfilling.jsonl.gz"), new ImportOptions());

        suite.Name.ShouldBe("humaneval-singlelineinfilling");
        suite.Tasks.ShouldAllBe(t => t.Category == TaskCategory.Completion);
        foreach (var task in suite.Tasks.Take(50))
        {
            task.Workspace["solution.py"].ShouldContain(HumanEvalInfillingImporter.Marker);
            task.Solution["solution.py"].ShouldNotContain(HumanEvalInfillingImporter.Marker);
        }
    }

    [Theory]
    [InlineData("mbpp.jsonl", new[] { "mbpp-1", "mbpp-2", "mbpp-3", "mbpp-4", "mbpp-623" })]
    [InlineData("sanitized-mbpp.json", new[] { "mbpp-17", "mbpp-2", "mbpp-3", "mbpp-6", "mbpp-606" })]
    public void Mbpp_full_and_sanitized_give_generation_tasks_with_hidden_asserts(string file, string[] ids)
    {
        var suite = Importers.Import("mbpp", Fixture("mbpp", file), new ImportOptions());

        suite.Tasks.Select(t => t.Id).Order(StringComparer.Ordinal).ShouldBe(ids);
        var task = suite.Tasks.Single(t => t.Id == "mbpp-2");
        task.Workspace["solution.py"].ShouldStartWith("def similar_elements(test_tup1, test_tup2):\n    \"\"\"Write a function to find the");
        task.Workspace["solution.py"].ShouldNotContain("set(test_tup1) & set(test_tup2)");
        task.Instruction.ShouldNotContain("assert");
        task.Tests["mbpp_check.py"].ShouldContain("assert ");
        task.Solution["solution.py"].ShouldNotContain("\r");
    }

    [Fact]
    public void Mbpp_test_imports_and_setup_code_run_before_the_asserts()
    {
        var sanitized = Importers.Import("mbpp", Fixture("mbpp", "sanitized-mbpp.json"), new ImportOptions());
        var full = Importers.Import("mbpp", Fixture("mbpp", "mbpp.jsonl"), new ImportOptions());

        sanitized.Tasks.Single(t => t.Id == "mbpp-606").Tests["mbpp_check.py"].ShouldStartWith("import math\nassert math.isclose(");
        full.Tasks.Single(t => t.Id == "mbpp-623").Tests["mbpp_check.py"].ShouldStartWith("import math\nassert nth_nums(");
    }

    [Fact]
    public void Mbpp_without_a_description_names_the_field()
    {
        var file = _temp.Write("bad.jsonl", "{\"task_id\": 9, \"code\": \"def f():\\n  return 1\", \"test_list\": [\"assert f() == 1\"]}\n");

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("mbpp", file, new ImportOptions()));

        error.Message.ShouldBe($"{file}:1: 9: text: required field is missing (full MBPP has text, sanitized MBPP has prompt)");
    }

    [Fact]
    public void Exercism_finds_exercises_below_the_source_and_re_enables_skipped_tests()
    {
        // When the fixture tracks are imported from the folder above them
        var suite = Importers.Import("exercism", Fixture("exercism"), new ImportOptions());

        // Then every exercise is a task of its language, with the example as the reference
        suite.Tasks.Select(t => t.Id).ShouldBe(["exercism-javascript-hamming", "exercism-javascript-two-fer", "exercism-python-leap", "exercism-python-two-fer"]);
        var python = suite.Tasks.Single(t => t.Id == "exercism-python-two-fer");
        python.Source.Id.ShouldBe("python/exercises/practice/two-fer");
        python.Workspace.Keys.ShouldBe(["two_fer.py"]);
        python.Solution["two_fer.py"].ShouldContain("return f\"One for {name}, one for me.\"");
        python.Instruction.ShouldContain("If your friend likes cookies");
        python.Tests["two_fer_test.py"].ShouldNotContain("@unittest.skip");
        python.Tests["two_fer_test.py"].ShouldContain("def test_another_name_given(self):");
        var javascript = suite.Tasks.Single(t => t.Id == "exercism-javascript-hamming");
        javascript.Language.ShouldBe("javascript");
        javascript.Solution["hamming.js"].ShouldContain("strands must be of equal length");
        javascript.Workspace["hamming.js"].ShouldContain("Remove this line and implement the function");
        javascript.Tests["hamming.spec.js"].ShouldNotContain("xtest(");
        javascript.Tests["hamming.spec.js"].ShouldContain("test('disallow empty first strand'");
        // and neither the example nor the tests are in the workspace
        suite.Tasks.ShouldAllBe(t => t.Workspace.Keys.All(k => !k.StartsWith(".meta", StringComparison.Ordinal) && !k.Contains("test", StringComparison.Ordinal)));
    }

    [Fact]
    public void Exercism_takes_a_single_exercise_as_source()
    {
        var suite = Importers.Import("exercism", Fixture("exercism", "python", "exercises", "practice", "leap"), new ImportOptions());

        suite.Tasks.Single().Id.ShouldBe("exercism-python-leap");
        suite.Tasks.Single().Instruction.ShouldStartWith("# Introduction");
    }

    [Theory]
    [InlineData("../../x.py")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/../../../x.py")]
    public void Exercism_refuses_files_outside_the_exercise(string hostile)
    {
        var exercise = CopyExercise("two-fer");
        var config = Path.Combine(exercise, ".meta", "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"two_fer.py\"", $"\"{hostile}\"", StringComparison.Ordinal));

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("exercism", exercise, new ImportOptions()));

        error.Message.ShouldBe($"{config}: files.solution[0]: '{hostile}' is not a file path inside the exercise");
    }

    [Fact]
    public void Exercism_refuses_a_file_that_is_a_symbolic_link_out_of_the_exercise()
    {
        // Given a stub that is a link to a file outside the exercise
        var exercise = CopyExercise("two-fer");
        var outside = _temp.Write("secret.txt", "not for the suite");
        var stub = Path.Combine(exercise, "two_fer.py");
        File.Delete(stub);
        File.CreateSymbolicLink(stub, outside);

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("exercism", exercise, new ImportOptions()));

        error.Message.ShouldStartWith($"{stub}: a symbolic link");
    }

    [Fact]
    public void Exercism_without_an_example_names_the_config_and_field()
    {
        var exercise = CopyExercise("leap");
        var config = Path.Combine(exercise, ".meta", "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"example\"", "\"examples\"", StringComparison.Ordinal));

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("exercism", exercise, new ImportOptions()));

        error.Message.ShouldBe($"{config}: files.example: required field is missing (no example or exemplar solution)");
    }

    [Fact]
    public void Exercism_re_enables_every_form_of_disabled_test()
    {
        static string Reenable(string language, string text) => ExercismTrack.All.Single(t => t.Language == language).Reenable(text);

        Reenable("javascript", "xtest('a', f);\nxit('b', f);\nxdescribe('c', g);\ntest.skip('d', f);\n")
            .ShouldBe("test('a', f);\nit('b', f);\ndescribe('c', g);\ntest('d', f);\n");
        Reenable("python", "    @unittest.skip(\"extra-credit\")\n    def test_a(self):\n    @pytest.mark.skip\n    def test_b(self):\n")
            .ShouldBe("    def test_a(self):\n    def test_b(self):\n");
        Reenable("java", "    @Disabled(\"Remove to run test\")\n    @Test\n    @Disabled\n    public void b() {}\n")
            .ShouldBe("    @Test\n    public void b() {}\n");
        Reenable("java", "    @Disabled(\"Remove (to) run \\\"test\\\"\") @Test\n    public void c() {}\n")
            .ShouldBe("    @Test\n    public void c() {}\n");
        Reenable("rust", "#[test]\n#[ignore]\nfn a() {}\n#[test]\n  #[ignore = \"slow\"]\nfn b() {}\n#[test] #[ignore]\nfn c() {}\n")
            .ShouldBe("#[test]\nfn a() {}\n#[test]\nfn b() {}\n#[test] \nfn c() {}\n");
        // C++ enables its tests with EXERCISM_RUN_ALL_TESTS when it compiles them: the text stays
        Reenable("cpp", "#if defined(EXERCISM_RUN_ALL_TESTS)\n").ShouldBe("#if defined(EXERCISM_RUN_ALL_TESTS)\n");
    }

    [Fact]
    public void Exercism_imports_cpp_go_java_and_rust_into_images_of_their_toolchains()
    {
        // When the polyglot fixture tracks are imported
        var suite = Importers.Import("exercism", Fixture("exercism-polyglot"), new ImportOptions());

        // Then each exercise is a task of its language that runs in a container built for it
        suite.Tasks.Select(t => (t.Id, t.Language)).ShouldBe(
            [("exercism-cpp-collatz-steps", "cpp"), ("exercism-go-digit-sum", "go"), ("exercism-java-acronym", "java"), ("exercism-rust-reverse-words", "rust")]);
        suite.Skipped.ShouldBeEmpty();
        var packages = new Dictionary<string, string> { ["cpp"] = "g++ catch2", ["go"] = "golang-go", ["java"] = "default-jdk-headless junit5 libassertj-core-java", ["rust"] = "rustc cargo" };
        foreach (var task in suite.Tasks)
        {
            var environment = task.Environment.ShouldNotBeNull(task.Id);
            environment.Workdir.ShouldBe("/workspace");
            environment.Files[environment.Dockerfile!].ShouldStartWith("# Exercism");
            environment.Files[environment.Dockerfile!].ShouldContain("FROM localhost/driftwatch-base:bookworm");
            environment.Files[environment.Dockerfile!].ShouldContain($"--no-install-recommends {packages[task.Language]} ");
            task.TestCommand.ShouldBeNull("the suite's default for the language runs the tests");
            suite.Languages[task.Language].TestCommand.ShouldBe($"bash .driftwatch/exercism/{task.Language}.sh");
            suite.Languages[task.Language].TestTimeoutSeconds.ShouldBe(180);
            suite.Support.Keys.ShouldContain($"exercism/{task.Language}.sh");
            task.Tags.ShouldBe(["exercism", task.Language]);
        }
        suite.Support.Keys.ShouldContain("exercism/junit.py");

        // and the workspace holds the stubs and build files, the tests every test, the reference its files
        var cpp = suite.Tasks.Single(t => t.Language == "cpp");
        cpp.Workspace.Keys.ShouldBe(["CMakeLists.txt", "collatz_steps.cpp", "collatz_steps.h"]);
        cpp.Solution.Keys.ShouldBe(["collatz_steps.h"], "the example is only the header: the stub .cpp stays");
        cpp.Solution["collatz_steps.h"].ShouldContain("inline int steps(long long n)");
        cpp.Tests.Keys.ShouldBe(["CMakeLists.txt", "collatz_steps_test.cpp"], "the build files come with the tests, as they were");
        var go = suite.Tasks.Single(t => t.Language == "go");
        go.Workspace.Keys.ShouldBe(["cases_test.go", "digit_sum.go", "go.mod"]);
        go.Tests.Keys.ShouldBe(["cases_test.go", "digit_sum_test.go", "go.mod"], "the editor file's own copy comes with the tests");
        go.Solution["digit_sum.go"].ShouldContain("base must be between 2 and 36");
        var java = suite.Tasks.Single(t => t.Language == "java");
        java.Workspace.Keys.ShouldBe(["build.gradle", "src/main/java/Acronym.java"]);
        java.Solution.Keys.ShouldBe(["src/main/java/Acronym.java"]);
        java.Solution["src/main/java/Acronym.java"].ShouldContain("Collectors.joining()");
        java.Tests["src/test/java/AcronymTest.java"].ShouldNotContain("@Disabled(");
        java.Tests["src/test/java/AcronymTest.java"].ShouldContain("public void runsOfSeparators()");
        var rust = suite.Tasks.Single(t => t.Language == "rust");
        rust.Workspace.Keys.ShouldBe(["Cargo.toml", "src/lib.rs"]);
        rust.Solution.Keys.ShouldBe(["src/lib.rs"], "Cargo.toml is a solution file without an example: it stays as it is");
        rust.Tests["tests/reverse_words.rs"].ShouldNotContain("#[ignore]");
        rust.Tests["Cargo.toml"].ShouldBe(rust.Workspace["Cargo.toml"]);
        suite.Tasks.ShouldAllBe(t => t.Workspace.Keys.All(k => !k.StartsWith(".meta", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("cpp", "collatz-steps")]
    [InlineData("go", "digit-sum")]
    [InlineData("java", "acronym")]
    [InlineData("rust", "reverse-words")]
    public void Exercism_gives_a_suite_of_one_compiled_track_everything_its_runner_calls(string track, string slug)
    {
        // When one exercise of the track is imported alone
        var suite = Importers.Import("exercism", Fixture("exercism-polyglot", track, "exercises", "practice", slug), new ImportOptions());

        // Then its support folder holds the runner and the report guard every runner calls
        suite.Support.Keys.ShouldContain($"exercism/{track}.sh");
        suite.Support[$"exercism/{track}.sh"].ShouldContain("\"$here/junit.py\"");
        suite.Support.Keys.ShouldContain("exercism/junit.py");
    }

    [Fact]
    public void Exercism_puts_python_and_javascript_in_images_only_when_asked()
    {
        var host = Importers.Import("exercism", Fixture("exercism"), new ImportOptions());
        var contained = Importers.Import("exercism", Fixture("exercism"), new ImportOptions { Containers = true });

        host.Tasks.ShouldAllBe(t => t.Environment == null);
        host.Tasks.Single(t => t.Id == "exercism-javascript-hamming").TestCommand.ShouldNotBeNull().ShouldContain("--test-reporter=junit");
        contained.Tasks.ShouldAllBe(t => t.Environment != null && t.Environment.Workdir == "/workspace");
        contained.Tasks.Single(t => t.Id == "exercism-python-leap").Environment!.Files["Containerfile"].ShouldContain("FROM localhost/driftwatch-base:bookworm");
        contained.Tasks.Single(t => t.Id == "exercism-javascript-hamming").Environment!.Files["Containerfile"].ShouldContain(" nodejs ");
        // Debian 12's Node 18 has no JUnit reporter: the suite brings one
        contained.Tasks.Single(t => t.Id == "exercism-javascript-hamming").TestCommand.ShouldNotBeNull().ShouldContain("--test-reporter=./.driftwatch/exercism/junit_reporter.mjs");
        contained.Support.Keys.ShouldContain("exercism/junit_reporter.mjs");
    }

    [Theory]
    [InlineData("rust", "reverse-words", "Cargo.toml", "[dependencies]\nrand = \"0.8\"\n", "Cargo.toml names crates")]
    [InlineData("rust", "reverse-words", "Cargo.toml", "[dev-dependencies]\n# a comment\nproptest = \"1\"\n", "Cargo.toml names crates")]
    [InlineData("go", "digit-sum", "go.mod", "require github.com/stretchr/testify v1.8.0\n", "go.mod requires modules")]
    public void Exercism_skips_an_exercise_that_needs_packages_from_the_network(string track, string slug, string file, string addition, string reason)
    {
        // Given an exercise whose build file fetches packages (its tests run offline)
        var exercise = CopyExercise(slug, "exercism-polyglot", track);
        File.AppendAllText(Path.Combine(exercise, file), addition);

        // When it is imported, then it is skipped with the reason, not written to fail every trial
        var error = Should.Throw<InvalidInputException>(() => Importers.Import("exercism", exercise, new ImportOptions()));

        error.Message.ShouldStartWith($"{exercise}: no task could be made from it (1 records skipped: {reason}");
    }

    [Fact]
    public void Exercism_does_not_take_a_C_exercise_for_a_Cpp_one()
    {
        // Given an exercise of Exercism's C track (a .c stub and a .h header)
        var exercise = CopyExercise("collatz-steps", "exercism-polyglot", "cpp");
        File.Move(Path.Combine(exercise, "collatz_steps.cpp"), Path.Combine(exercise, "collatz_steps.c"));
        var config = Path.Combine(exercise, ".meta", "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"collatz_steps.cpp\"", "\"collatz_steps.c\"", StringComparison.Ordinal));

        // When it is imported, then it is skipped, not compiled as C++
        var error = Should.Throw<InvalidInputException>(() => Importers.Import("exercism", exercise, new ImportOptions()));

        error.Message.ShouldContain("collatz_steps.c, collatz_steps.h: not the files of one of the tracks imported (Python, JavaScript, C++, Go, Java, Rust)");
    }

    [Fact]
    public void Exercism_skips_an_exercise_whose_examples_match_no_solution_file()
    {
        var exercise = CopyExercise("collatz-steps", "exercism-polyglot", "cpp");
        File.WriteAllText(Path.Combine(exercise, ".meta", "other.hpp"), "// a second header\n");
        File.WriteAllText(Path.Combine(exercise, ".meta", "extra.hpp"), "// a third header\n");
        var config = Path.Combine(exercise, ".meta", "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("[\".meta/example.h\"]", "[\".meta/example.h\", \".meta/other.hpp\", \".meta/extra.hpp\"]", StringComparison.Ordinal));

        var error = Should.Throw<InvalidInputException>(() => Importers.Import("exercism", exercise, new ImportOptions()));

        error.Message.ShouldBe($"{exercise}: no task could be made from it (1 records skipped: {config}: cannot tell which solution file .meta/other.hpp, .meta/extra.hpp replaces)");
    }

    [Fact]
    public void QuixBugs_gives_python_tasks_and_java_ones_where_the_cases_fit()
    {
        var suite = Importers.Import("quixbugs", Path.Combine(RepositoryPaths.Datasets, "quixbugs"), new ImportOptions());

        suite.Tasks.ShouldAllBe(t => t.Category == TaskCategory.Debugging);
        var python = suite.Tasks.Where(t => t.Language == "python").ToList();
        var java = suite.Tasks.Where(t => t.Language == "java").ToList();
        python.Count.ShouldBeGreaterThan(25);
        java.Count.ShouldBeGreaterThan(10);
        var gcd = python.Single(t => t.Id == "quixbugs-python-gcd");
        gcd.Workspace["gcd.py"].ShouldNotBe(gcd.Solution["gcd.py"]);
        gcd.Source.Id.ShouldBe("python_programs/gcd.py");
        var javaGcd = java.Single(t => t.Id == "quixbugs-java-gcd");
        javaGcd.Workspace.Keys.ShouldBe(["java_programs/GCD.java"]);
        javaGcd.TestCommand.ShouldNotBeNull().ShouldContain("javac");
        // Programs whose inputs are graphs or linked lists have no JSON cases: reported, not silent
        suite.Skipped.ShouldContain(s => s.Id == "breadth_first_search");
    }

    private string CopyExercise(string slug, string fixture = "exercism", string track = "python")
    {
        var source = Fixture(fixture, track, "exercises", "practice", slug);
        var target = _temp.Combine(slug);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return target;
    }
}
