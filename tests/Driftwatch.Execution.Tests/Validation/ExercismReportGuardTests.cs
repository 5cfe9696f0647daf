using System.Diagnostics;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Validation;

/// <summary>
/// The report guard the Exercism compiled tracks' runners call (support/exercism/junit.py), run
/// with the host's python3 on hand-written reports: it passes a complete report through and fails
/// one that is missing a hidden test, in the words the scorer flags as tampering.
/// </summary>
public sealed class ExercismReportGuardTests : IDisposable
{
    private readonly TempDirectory _temp = new("report-guard");

    public void Dispose() => _temp.Dispose();

    private static readonly string Guard = Path.Combine(RepositoryPaths.Root, "src", "Driftwatch.Formats", "Importing", "Support", "exercism", "junit.py");

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-I", Guard }.Concat(arguments))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        output += await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    private const string CppTests = """
        TEST_CASE("plain_case") { REQUIRE(f() == 1); }
        TEST_CASE("sectioned_case", "[tag]") {
            SECTION("first") { REQUIRE(f() == 1); }
        }
        """;

    [Fact]
    public async Task A_Catch2_report_with_every_case_passes_and_sections_count_for_their_case()
    {
        var tests = _temp.Write("x_test.cpp", CppTests);
        var report = _temp.Write("report.xml", """
            <testsuites><testsuite name="t">
              <testcase classname="t.global" name="plain_case"/>
              <testcase classname="t.global" name="sectioned_case/first"/>
            </testsuite></testsuites>
            """);

        var (exitCode, output) = await RunAsync("check", report, "0", tests);

        exitCode.ShouldBe(0, output);
    }

    [Fact]
    public async Task A_report_missing_a_hidden_test_after_an_exit_0_fails_as_tampering()
    {
        var tests = _temp.Write("x_test.cpp", CppTests);
        var report = _temp.Write("report.xml", """<testsuites><testsuite name="t"><testcase classname="t.global" name="plain_case"/></testsuite></testsuites>""");

        var (exitCode, output) = await RunAsync("check", report, "0", tests);

        exitCode.ShouldBe(1);
        output.ShouldContain("[driftwatch] the code under test replaced the test machinery or ended the tests early: 1 hidden test(s) got no verdict (sectioned_case)");
    }

    [Fact]
    public async Task Go_output_becomes_one_case_per_leaf_subtest_and_a_failing_run_keeps_its_status()
    {
        var tests = _temp.Write("digits_test.go", "package d\n\nimport \"testing\"\n\nfunc TestDigits(t *testing.T) {}\n");
        var log = _temp.Write("go.log", """
            === RUN   TestDigits
            === RUN   TestDigits/one
            === RUN   TestDigits/two
            --- FAIL: TestDigits (0.00s)
                --- PASS: TestDigits/one (0.00s)
                --- FAIL: TestDigits/two (0.00s)
            FAIL
            """);
        var junit = _temp.Combine("junit.xml");

        var (exitCode, output) = await RunAsync("go", log, junit, "1", tests);

        exitCode.ShouldBe(1, output);
        var xml = File.ReadAllText(junit);
        xml.ShouldContain("tests=\"2\" failures=\"1\"");
        xml.ShouldContain("name=\"TestDigits/one\"></testcase>");
        xml.ShouldNotContain("name=\"TestDigits\"");
    }
}
