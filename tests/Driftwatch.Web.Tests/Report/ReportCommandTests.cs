using System.Text.RegularExpressions;
using Driftwatch.Cli.Tests;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Web.Tests.Report;

public sealed partial class ReportCommandTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    [Fact]
    public async Task The_report_is_static_pages_with_chart_files_linked_relatively()
    {
        // Given the seeded database
        using var directory = new TempDirectory("report");

        // When the report is written
        var result = await new CliHarness(directory.Path).RunAsync("report", "--out", "site", "--db", seeded.Path);

        // Then there is an overview, a page per run, task and trial, and every link and image resolves inside the folder
        result.ExitCode.ShouldBe(0, result.Error);
        var site = directory.Combine("site");
        File.Exists(Path.Combine(site, "index.html")).ShouldBeTrue();
        var pages = Directory.GetFiles(site, "*.html");
        // overview, the agent × suite page in its three windows, the suite page, runs, tasks, trials
        pages.Length.ShouldBe(1 + 3 + 1 + SeededDatabase.Days + SeededDatabase.Tasks.Length + SeededDatabase.Days * SeededDatabase.Tasks.Length);
        Directory.GetFiles(Path.Combine(site, "charts"), "*.svg").ShouldNotBeEmpty();
        foreach (var page in pages)
        {
            var html = File.ReadAllText(page);
            html.ShouldNotContain("<script");
            foreach (Match link in Reference().Matches(html))
            {
                var target = link.Groups["target"].Value;
                if (target.StartsWith('#'))
                    continue;
                target.ShouldNotContain("://", customMessage: page);
                target.ShouldNotStartWith("/", customMessage: page);
                File.Exists(Path.Combine(site, target.Split('#')[0])).ShouldBeTrue($"{Path.GetFileName(page)} → {target}");
            }
        }
        File.ReadAllText(Path.Combine(site, "index.html")).ShouldContain("<img src=\"charts/pass-rate-steady--core.svg\"");
    }

    [Fact]
    public async Task Without_out_it_is_exit_2_naming_the_option()
    {
        using var directory = new TempDirectory("report");
        var result = await new CliHarness(directory.Path).RunAsync("report", "--db", seeded.Path);
        result.ExitCode.ShouldBe(2);
        (result.Error + result.Output).ShouldContain("--out");
    }

    [GeneratedRegex("(?:href|src)=\"(?<target>[^\"]*)\"")]
    private static partial Regex Reference();
}
