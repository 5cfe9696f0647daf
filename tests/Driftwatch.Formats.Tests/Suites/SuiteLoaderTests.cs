using Driftwatch.Core;
using Driftwatch.Core.Suites;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Formats.Tests.Suites;

public sealed class SuiteLoaderTests : IDisposable
{
    private readonly TempDirectory _temp = new("loader");

    public void Dispose() => _temp.Dispose();

    private string ValidSuite() => new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-one").AddAdder("add-two", "debugging", "hard").Build();

    private InvalidInputException LoadFails(string path) => Should.Throw<InvalidInputException>(() => SuiteLoader.Load(path));

    [Fact]
    public void Loads_tasks_with_suite_defaults_applied()
    {
        // Given a suite whose tasks set no test command or timeouts
        var path = ValidSuite();

        // When it is loaded
        var suite = SuiteLoader.Load(path);

        // Then every task gets the language default and the suite timeouts
        suite.Name.ShouldBe("mini");
        suite.Tasks.Select(t => t.Id).ShouldBe(["add-one", "add-two"]);
        var task = suite.FindTask("add-two")!;
        task.Category.ShouldBe(TaskCategory.Debugging);
        task.Difficulty.ShouldBe(Difficulty.Hard);
        task.TestCommand.ShouldBe("python3 -I -B .driftwatch/unittest_junit.py");
        task.TestTimeout.ShouldBe(TimeSpan.FromSeconds(30));
        task.AgentTimeout.ShouldBe(TimeSpan.FromSeconds(60));
        suite.SupportDirectory.ShouldBe(Path.Combine(path, "support"));
    }

    [Fact]
    public void Loads_from_the_suite_yaml_path_too()
    {
        var path = ValidSuite();
        SuiteLoader.Load(Path.Combine(path, "suite.yaml")).Name.ShouldBe("mini");
    }

    [Fact]
    public void Revision_is_stable_and_changes_with_any_file()
    {
        // Given a loaded suite
        var path = ValidSuite();
        var first = SuiteLoader.Load(path).Revision;

        // When nothing changes it stays; when a hidden test changes it moves
        SuiteLoader.Load(path).Revision.ShouldBe(first);
        File.AppendAllText(Path.Combine(path, "tasks", "add-one", "tests", "test_calc.py"), "\n# edited\n");
        SuiteLoader.Load(path).Revision.ShouldNotBe(first);
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_line()
    {
        var path = ValidSuite();
        var file = Path.Combine(path, "tasks", "add-one", "task.yaml");
        File.WriteAllText(file, "id: add-one\ncategory: generation\nlanguage: [python\ninstruction: x\n");

        var error = LoadFails(path);

        error.Message.ShouldStartWith($"{file}:");
        error.Message.ShouldContain("invalid YAML");
    }

    [Fact]
    public void Unknown_category_names_the_field_and_the_choices()
    {
        var path = ValidSuite();
        var file = Path.Combine(path, "tasks", "add-one", "task.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("category: generation", "category: refactoring"));

        var error = LoadFails(path);

        error.Message.ShouldBe($"{file}:2: category: unknown value 'refactoring' (expected one of: generation, completion, debugging)");
    }

    [Fact]
    public void Missing_test_command_without_a_language_default_is_an_error()
    {
        var path = ValidSuite();
        var file = Path.Combine(path, "tasks", "add-one", "task.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("language: python", "language: rust"));

        var error = LoadFails(path);

        error.Message.ShouldStartWith($"{file}:1: test_command: required field is missing");
        error.Message.ShouldContain("'rust'");
    }

    [Fact]
    public void Misspelt_field_is_rejected_not_ignored()
    {
        var path = ValidSuite();
        var file = Path.Combine(path, "tasks", "add-one", "task.yaml");
        File.AppendAllText(file, "tset_command: echo\n");

        var error = LoadFails(path);

        error.Message.ShouldContain($"{file}:");
        error.Message.ShouldContain("tset_command: unknown field");
    }

    [Fact]
    public void A_path_with_dot_dot_is_rejected()
    {
        var path = ValidSuite();
        var file = Path.Combine(path, "tasks", "add-one", "task.yaml");
        File.AppendAllText(file, "junit: ../../escape.xml\n");

        var error = LoadFails(path);

        error.Message.ShouldContain("junit: '../../escape.xml' must be a relative path inside the suite");
    }

    [Fact]
    public void Support_folder_outside_the_suite_is_rejected()
    {
        var path = ValidSuite();
        var suiteYaml = Path.Combine(path, "suite.yaml");
        File.WriteAllText(suiteYaml, File.ReadAllText(suiteYaml).Replace("support: support", "support: ../elsewhere"));

        LoadFails(path).Message.ShouldStartWith($"{suiteYaml}:3: support:");
    }

    [Fact]
    public void A_symbolic_link_out_of_the_suite_is_rejected()
    {
        var path = ValidSuite();
        var outside = _temp.Write("secret.txt", "s3cret");
        File.CreateSymbolicLink(Path.Combine(path, "tasks", "add-one", "workspace", "leak.txt"), outside);

        LoadFails(path).Message.ShouldContain("symbolic link points outside the suite");
    }

    [Fact]
    public void Id_must_match_its_folder()
    {
        var path = ValidSuite();
        var file = Path.Combine(path, "tasks", "add-one", "task.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("id: add-one", "id: add-1"));

        LoadFails(path).Message.ShouldBe($"{file}:1: id: 'add-1' does not match its folder name 'add-one'");
    }

    [Fact]
    public void Missing_suite_yaml_and_missing_task_folders_are_named()
    {
        var path = ValidSuite();
        Directory.Delete(Path.Combine(path, "tasks", "add-two", "solution"), recursive: true);
        LoadFails(path).Message.ShouldContain(Path.Combine(path, "tasks", "add-two", "solution") + ": folder not found");

        File.Delete(Path.Combine(path, "suite.yaml"));
        LoadFails(path).Message.ShouldContain("suite.yaml: file not found");
    }

    [Fact]
    public void A_suite_without_tasks_is_an_error()
    {
        var path = new SuiteBuilder(_temp.Combine("empty")).Build();
        LoadFails(path).Message.ShouldContain("the suite has no tasks");
    }

    [Fact]
    public void An_imported_task_and_its_suite_keep_their_source()
    {
        // Given a suite and a task that say which dataset record they were made from
        var path = ValidSuite();
        File.AppendAllText(Path.Combine(path, "suite.yaml"), "source:\n  dataset: humaneval\n  revision: sha256:aa\n");
        File.AppendAllText(Path.Combine(path, "tasks", "add-one", "task.yaml"), "source:\n  dataset: humaneval\n  id: HumanEval/0\n  revision: sha256:bb\n");

        // When it is loaded
        var suite = SuiteLoader.Load(path);

        // Then the source is on the records, and a task without one has none
        suite.Source.ShouldBe(new SourceReference("humaneval", null, "sha256:aa"));
        suite.FindTask("add-one")!.Source.ShouldBe(new SourceReference("humaneval", "HumanEval/0", "sha256:bb"));
        suite.FindTask("add-two")!.Source.ShouldBeNull();
    }

    [Fact]
    public void A_task_source_without_its_id_names_the_field()
    {
        var path = ValidSuite();
        var file = Path.Combine(path, "tasks", "add-one", "task.yaml");
        File.AppendAllText(file, "source:\n  dataset: humaneval\n  revision: sha256:bb\n");

        LoadFails(path).Message.ShouldBe($"{file}:8: source.id: required field is missing");
    }

    [Fact]
    public void The_built_in_suite_meets_its_brief()
    {
        // The core suite: >= 36 tasks, >= 12 per category, >= 6 JavaScript, >= 4 C#, mostly Python.
        var suite = SuiteLoader.Load(RepositoryPaths.CoreSuite);

        suite.Tasks.Length.ShouldBeGreaterThanOrEqualTo(36);
        foreach (var category in TaskCategoryNames.ByName.Values)
            suite.Tasks.Count(t => t.Category == category).ShouldBeGreaterThanOrEqualTo(12, category.ToString());
        suite.Tasks.Count(t => t.Language == "javascript").ShouldBeGreaterThanOrEqualTo(6);
        suite.Tasks.Count(t => t.Language == "csharp").ShouldBeGreaterThanOrEqualTo(4);
        suite.Tasks.Count(t => t.Language == "python").ShouldBeGreaterThan(suite.Tasks.Length / 2);
        foreach (var difficulty in Enum.GetValues<Difficulty>())
            suite.Tasks.Count(t => t.Difficulty == difficulty).ShouldBeGreaterThanOrEqualTo(8, difficulty.ToString());
    }
}
