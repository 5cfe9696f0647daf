using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>Bad input gets one clear line naming the file or flag, exit code 2, and loses nothing.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-bad");
    private readonly CliHarness _cli;
    private readonly string _suite;

    public BadInputTests()
    {
        _cli = new CliHarness(_temp.Path);
        _suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").Build();
    }

    public void Dispose() => _temp.Dispose();

    private string Db => _temp.Combine("dw.db");

    private async Task<CliResult> Fails(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        result.ExitCode.ShouldBe(2, $"stdout: {result.Output}\nstderr: {result.Error}");
        result.Error.ShouldStartWith("error: ");
        result.Error.TrimEnd('\n').ShouldNotContain('\n');
        return result;
    }

    [Fact]
    public async Task Unknown_agent() =>
        (await Fails("run", "--agent", "gpt-9", "--suite", _suite, "--db", Db)).Error.ShouldContain("--agent: unknown agent 'gpt-9'");

    [Fact]
    public async Task Zero_trials() =>
        (await Fails("run", "--trials", "0", "--suite", _suite, "--db", Db)).Error.ShouldContain("--trials: must be at least 1");

    [Fact]
    public async Task Zero_parallelism() =>
        (await Fails("run", "--parallel", "0", "--suite", _suite, "--db", Db)).Error.ShouldContain("--parallel: must be at least 1");

    [Fact]
    public async Task Unknown_flag_and_unknown_command()
    {
        (await Fails("run", "--colour", "blue")).Error.ShouldContain("colour");
        (await Fails("frobnicate")).Error.ShouldContain("frobnicate");
    }

    [Theory]
    [InlineData("--trials", "abc")]
    [InlineData("--parallel", "two")]
    [InlineData("--seed", "1.5")]
    public async Task A_value_of_the_wrong_type_names_the_option_and_the_value(string option, string value)
    {
        var result = await Fails("run", option, value, "--db", Db);

        result.Error.Trim().ShouldBe($"error: {option}: '{value}' is not a valid value (see: driftwatch run --help)");
    }

    [Fact]
    public async Task A_model_for_an_agent_that_takes_none_blames_the_flag_not_the_configuration()
    {
        // Given an agent defined in driftwatch.yaml that takes no model
        _temp.Write("driftwatch.yaml", "agents:\n  sim:\n    kind: simulated\n    skill: 0.5\n");

        // When a model is given on the command line
        var result = await Fails("run", "--agent", "sim", "--model", "foo", "--db", Db);

        // Then the message names the flag
        result.Error.ShouldStartWith("error: --model: unknown option for a simulated agent");
    }

    [Theory]
    [InlineData("check")]
    [InlineData("runs")]
    [InlineData("show", "1")]
    [InlineData("compare", "1", "2")]
    [InlineData("fingerprint", "show", "1")]
    public async Task A_reading_command_given_a_database_that_is_not_there_says_so_and_creates_none(params string[] command)
    {
        var typo = _temp.Combine("typo.db");

        var result = await Fails([.. command, "--db", typo]);

        result.Error.ShouldStartWith($"error: {typo}: no database there");
        File.Exists(typo).ShouldBeFalse();
        Directory.EnumerateFiles(_temp.Path, "typo.db*").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_mistyped_option_gets_the_nearest_one_offered()
    {
        var result = await Fails("run", "--agnt", "simulated", "--db", Db);

        result.Error.Trim().ShouldBe("error: Unknown option 'agnt'. Did you mean --agent?");
    }

    [Theory]
    [InlineData("run", "--sandbox", "none")]
    [InlineData("suite", "validate", "SUITE", "--sandbox", "none")]
    public async Task A_reversed_range_in_tasks_names_the_option_and_the_range(params string[] args)
    {
        // When a command is given a set whose range runs backwards
        var command = args.Select(a => a == "SUITE" ? _suite : a).ToList();
        if (command[0] == "run")
            command.AddRange(["--suite", _suite, "--db", Db]);
        var result = await Fails([.. command, "--tasks", "add-[z-a]*"]);

        // Then one line names the option and the range, and nothing was stored
        result.Error.ShouldContain("--tasks: range 'z-a' runs backwards in 'add-[z-a]*'");
        File.Exists(Db).ShouldBeFalse();
    }

    [Theory]
    [InlineData("error: --tasks: range 'z-a' runs backwards in 'add-[z-a]*' (write it low to high: 'a-z')", "run", "--tasks", "add-[z-a]*")]
    [InlineData("error: --agent: unknown agent 'gpt-9'", "run", "--agent", "gpt-9")]
    [InlineData("error: run 42 not found", "run", "--resume", "42")]
    [InlineData("not a SQLite database", "run", "--db", "NOT_SQLITE")]
    [InlineData("not a SQLite database", "schedule", "--once", "--db", "NOT_SQLITE")]
    public async Task Bad_input_is_exit_2_even_when_an_interrupt_has_arrived(string message, params string[] args)
    {
        // Given Ctrl-C or SIGTERM already received (the token Program.cs cancels)
        using var interrupted = new CancellationTokenSource();
        await interrupted.CancelAsync();
        var notSqlite = _temp.Write("notes.db", "notes, not a database");
        _temp.Write("driftwatch.yaml", $"schedule:\n  entries:\n    - agent: simulated\n      suite: {_suite}\n      cron: \"0 6 * * *\"\n");

        // When a command is given input that can never work
        var command = args.Select(a => a == "NOT_SQLITE" ? notSqlite : a).ToList();
        if (!command.Contains("--db"))
            command.AddRange(["--db", Db]);
        if (command[0] == "run" && !command.Contains("--resume"))
            command.AddRange(["--suite", _suite]);
        var result = await _cli.RunAsync(interrupted.Token, [.. command, "--sandbox", "none"]);

        // Then the bad input is reported as such: exit 2 and one line, not 130 "interrupted"
        result.ExitCode.ShouldBe(2, $"stdout: {result.Output}\nstderr: {result.Error}");
        result.Error.Trim().ShouldNotContain('\n');
        result.Error.ShouldContain(message);
    }

    [Fact]
    public async Task Missing_suite_folder() =>
        (await Fails("run", "--suite", "no/such/suite", "--db", Db)).Error.ShouldContain("--suite: 'no/such/suite' is neither a suite folder nor a known suite name");

    [Fact]
    public async Task Malformed_suite_yaml_names_file_and_line()
    {
        var file = Path.Combine(_suite, "suite.yaml");
        File.WriteAllText(file, "name: mini\ndefaults: [unclosed\n");

        (await Fails("suite", "validate", _suite)).Error.ShouldContain($"{file}:");
    }

    [Fact]
    public async Task Unknown_category_in_a_task_names_file_line_and_field()
    {
        var file = Path.Combine(_suite, "tasks", "add-a", "task.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("category: generation", "category: poetry"));

        (await Fails("run", "--suite", _suite, "--db", Db)).Error.ShouldContain($"{file}:2: category: unknown value 'poetry'");
    }

    [Fact]
    public async Task A_path_with_dot_dot_in_a_task()
    {
        var file = Path.Combine(_suite, "tasks", "add-a", "task.yaml");
        File.AppendAllText(file, "junit: ../../../etc/passwd\n");

        (await Fails("suite", "validate", _suite)).Error.ShouldContain("junit: '../../../etc/passwd' must be a relative path inside the suite");
    }

    [Fact]
    public async Task Missing_test_command()
    {
        var file = Path.Combine(_suite, "tasks", "add-a", "task.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("language: python", "language: cobol"));

        (await Fails("run", "--suite", _suite, "--db", Db)).Error.ShouldContain("test_command: required field is missing");
    }

    [Fact]
    public async Task A_database_that_is_not_sqlite_is_refused_and_kept_byte_for_byte()
    {
        var bytes = "precious notes, not a database"u8.ToArray();
        File.WriteAllBytes(Db, bytes);

        (await Fails("run", "--suite", _suite, "--db", Db)).Error.ShouldContain("not a SQLite database");
        (await Fails("runs", "--db", Db)).Error.ShouldContain("not a SQLite database");

        File.ReadAllBytes(Db).ShouldBe(bytes);
    }

    [Fact]
    public async Task Malformed_configuration_file()
    {
        var file = _temp.Write("driftwatch.yaml", "agents:\n  broken:\n    kind: simulated\n    skill: lots\n");

        (await Fails("run", "--agent", "broken", "--suite", _suite, "--db", Db)).Error.ShouldContain($"{file}:4: agents.broken.skill: expected a number");
    }

    [Theory]
    [InlineData("RUN: run 42 not found", "show", "42")]
    [InlineData("RUN: run 42 not found", "fingerprint", "show", "42")]
    [InlineData("RUN_A: run 42 not found", "compare", "42", "43")]
    [InlineData("RUN_A: run 42 not found", "fingerprint", "diff", "42", "43")]
    public async Task A_command_given_an_unknown_run_names_the_argument(string message, params string[] args)
    {
        // Given a database without those runs
        using (Driftwatch.Storage.Sqlite.SqliteResultStore.Open(Db))
        {
        }

        (await Fails([.. args, "--db", Db])).Error.ShouldContain(message);
    }

    [Fact]
    public async Task Unsound_suite_fails_validation_with_exit_2()
    {
        // Given a task whose reference solution is wrong
        File.WriteAllText(Path.Combine(_suite, "tasks", "add-a", "solution", "calc.py"), "def add(a, b):\n    return a * b\n");

        var result = await _cli.RunAsync("suite", "validate", _suite, "--sandbox", "none", "--json");

        result.ExitCode.ShouldBe(2);
        result.Output.ShouldContain("\"unsound\": 1");
        result.Output.ShouldContain("reference solution fails its tests");
    }
}
