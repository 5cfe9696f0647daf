using System.Xml.Linq;
using Driftwatch.Cli.Tests;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Web.Tests.Commands;

public sealed class ExportCommandTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    [Fact]
    public async Task Markdown_by_default_summarises_the_latest_run_on_stdout()
    {
        using var directory = new TempDirectory("export");

        var result = await new CliHarness(directory.Path).RunAsync("export", "--format", "markdown", "--db", seeded.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.ShouldStartWith("# Driftwatch");
        result.Output.ShouldContain("## steady (synthetic) on core");
        result.Output.ShouldContain("**degraded**");
        result.Output.ShouldContain($"### Run {seeded.RunIds[^1]} ");
        result.Output.ShouldNotContain($"### Run {seeded.RunIds[^2]} ");
    }

    [Fact]
    public async Task Junit_of_the_last_three_runs_goes_to_a_file()
    {
        using var directory = new TempDirectory("export");

        var result = await new CliHarness(directory.Path).RunAsync("export", "--format", "junit", "--last", "3", "--out", "out/results.xml", "--db", seeded.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        var xml = XDocument.Load(directory.Combine("out", "results.xml"));
        xml.Root!.Elements("testsuite").Select(s => s.Attribute("id")!.Value).ShouldBe(seeded.RunIds.TakeLast(3).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        result.Error.ShouldContain("wrote junit to");
    }

    [Fact]
    public async Task Runs_named_by_id_are_exported_in_that_order()
    {
        using var directory = new TempDirectory("export");

        var result = await new CliHarness(directory.Path).RunAsync("export", seeded.RunIds[3].ToString(System.Globalization.CultureInfo.InvariantCulture), seeded.RunIds[1].ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "csv", "--db", seeded.Path);

        result.ExitCode.ShouldBe(0, result.Error);
        var runs = result.Output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => long.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)).Distinct();
        runs.ShouldBe([seeded.RunIds[3], seeded.RunIds[1]]);
    }

    [Theory]
    [InlineData("--format", "xml")]
    [InlineData("--last", "0")]
    [InlineData("9999")]
    [InlineData("--agent", "nobody")]
    public async Task Bad_selections_are_exit_2_with_a_message_naming_what_is_wrong(params string[] args)
    {
        using var directory = new TempDirectory("export");

        var result = await new CliHarness(directory.Path).RunAsync(["export", .. args, "--db", seeded.Path]);

        result.ExitCode.ShouldBe(2);
        (result.Error + result.Output).ShouldContain(args[0].StartsWith('-') ? args[0] : args[0]);
    }

    [Fact]
    public async Task A_missing_database_is_exit_2_and_is_not_created()
    {
        using var directory = new TempDirectory("export");

        var result = await new CliHarness(directory.Path).RunAsync("export", "--db", "missing.db");

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("missing.db: no database there");
        File.Exists(directory.Combine("missing.db")).ShouldBeFalse();
    }
}
