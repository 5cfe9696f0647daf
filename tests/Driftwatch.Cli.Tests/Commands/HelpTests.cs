using System.Xml.Linq;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>Every command's help renders: the command tree is read from Spectre's own model (`cli xmldoc`), so a new command is covered without editing this test.</summary>
public sealed class HelpTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-help");

    public void Dispose() => _temp.Dispose();

    private async Task<IReadOnlyList<string[]>> CommandPathsAsync()
    {
        var model = await new CliHarness(_temp.Path).RunAsync("cli", "xmldoc");
        model.ExitCode.ShouldBe(0, model.Error);
        var xml = XDocument.Parse(model.Output[model.Output.IndexOf('<', StringComparison.Ordinal)..]);
        return [.. xml.Descendants("Command").Select(command => command.AncestorsAndSelf("Command").Reverse().Select(c => (string)c.Attribute("Name")!).ToArray())];
    }

    [Fact]
    public async Task Every_command_and_branch_renders_its_help()
    {
        // Given every command and branch in the tree
        var paths = await CommandPathsAsync();
        paths.Count.ShouldBeGreaterThan(15);
        paths.ShouldContain(p => p.SequenceEqual(new[] { "run" }));
        paths.ShouldContain(p => p.SequenceEqual(new[] { "suite", "import" }));

        foreach (var path in paths.Prepend([]))
        {
            // When its help is asked for
            var result = await new CliHarness(_temp.Path).RunAsync([.. path, "--help"]);

            // Then it is printed, and nothing failed
            var name = string.Join(' ', path);
            result.ExitCode.ShouldBe(0, $"driftwatch {name} --help: {result.Error}");
            result.Output.ShouldContain("USAGE:", customMessage: $"driftwatch {name} --help");
            result.Error.ShouldBeEmpty($"driftwatch {name} --help");
        }
    }

    [Fact]
    public async Task No_help_cites_a_document_that_is_not_in_the_repository()
    {
        foreach (var path in (await CommandPathsAsync()).Prepend([]))
        {
            var result = await new CliHarness(_temp.Path).RunAsync([.. path, "--help"]);
            // The document's name, in capitals: "inspect" (an ingest format) contains "spec" and cites nothing.
            result.Output.ShouldNotContain("SPEC", Case.Sensitive, $"driftwatch {string.Join(' ', path)} --help");
        }
    }
}
