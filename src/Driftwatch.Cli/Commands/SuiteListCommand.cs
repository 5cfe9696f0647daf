using System.ComponentModel;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core;
using Driftwatch.Core.Suites;
using Driftwatch.Formats.Json;
using Driftwatch.Formats.Suites;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class SuiteListSettings : StoreSettings
{
    [CommandOption("--json")]
    [Description("Print the suites as JSON")]
    public bool Json { get; init; }
}

/// <summary>`suite list`: the built-in suite and those named in driftwatch.yaml, with their tasks.</summary>
internal sealed class SuiteListCommand(CliContext cli) : Command<SuiteListSettings>
{
    public override int Execute(CommandContext context, SuiteListSettings settings, CancellationToken cancellationToken)
    {
        var locations = Locations.Resolve(cli, settings);
        var names = locations.Config.Suites.Keys.Prepend(Locations.BuiltInSuite).Distinct().ToList();
        var rows = new List<(string Name, string Path, SuiteDefinition? Suite, string? Problem)>();
        foreach (var name in names)
        {
            var path = locations.SuitePath(name);
            try
            {
                rows.Add((name, path, SuiteLoader.Load(path), null));
            }
            catch (InvalidInputException ex)
            {
                rows.Add((name, path, null, ex.Message));
            }
        }

        if (settings.Json)
        {
            cli.WriteRaw(ResultJson.Serialize(rows.Select(r => new
            {
                name = r.Name,
                path = r.Path,
                revision = r.Suite?.Revision,
                tasks = r.Suite?.Tasks.Length,
                categories = r.Suite?.Tasks.GroupBy(t => t.Category.Name()).ToDictionary(g => g.Key, g => g.Count()),
                problem = r.Problem,
            }).ToArray()));
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("suite").AddColumn("revision")
            .AddColumn(new TableColumn("tasks").RightAligned()).AddColumn("by category").AddColumn("by language").AddColumn("folder");
        foreach (var (name, path, suite, problem) in rows)
        {
            if (suite is null)
            {
                table.AddRow(TerminalText.Escape(name), "–", "–", $"[red]{TerminalText.Escape(problem!)}[/]", "", TerminalText.Escape(path));
                continue;
            }
            table.AddRow(TerminalText.Escape(name), SuiteRevision.Short(suite.Revision), suite.Tasks.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                string.Join(", ", suite.Tasks.GroupBy(t => t.Category).OrderBy(g => g.Key).Select(g => $"{g.Key.Name()} {g.Count()}")),
                TerminalText.Escape(string.Join(", ", suite.Tasks.GroupBy(t => t.Language).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))),
                TerminalText.Escape(path));
        }
        cli.Out.Write(table);
        return ExitCodes.Ok;
    }
}
