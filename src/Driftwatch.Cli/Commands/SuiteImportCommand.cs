using System.ComponentModel;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core.Suites;
using Driftwatch.Formats.Importing;
using Driftwatch.Formats.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class SuiteImportSettings : CommandSettings
{
    [CommandArgument(0, "<FORMAT>")]
    [Description("humaneval, humaneval-infilling, mbpp, quixbugs or exercism")]
    public string Format { get; init; } = "";

    [CommandArgument(1, "<SOURCE>")]
    [Description("The dataset: a JSONL(.gz) or JSON file, or a folder (quixbugs, exercism)")]
    public string Source { get; init; } = "";

    [CommandOption("-o|--out <DIR>")]
    [Description("Folder to write the suite to (must not exist, or be empty, unless --force)")]
    public string? Out { get; init; }

    [CommandOption("--force")]
    [Description("Replace an existing suite folder at --out")]
    public bool Force { get; init; }

    [CommandOption("--name <NAME>")]
    [Description("Suite name. Default: the format")]
    public string? Name { get; init; }

    [CommandOption("--tasks <GLOB>")]
    [Description("Only import tasks whose id matches (e.g. '!quixbugs-python-knapsack' to leave one out)")]
    public string? Tasks { get; init; }

    [CommandOption("--snapshots <DIR>")]
    [Description("swe: the repository snapshots, one folder per instance (DIR/INSTANCE_ID/; tools/swe/snapshots.sh makes them)")]
    public string? Snapshots { get; init; }

    [CommandOption("--image <IMAGE>")]
    [Description("swe: the image the tasks run in. Default: localhost/driftwatch-base:bookworm")]
    public string? Image { get; init; }

    [CommandOption("--containers")]
    [Description("exercism: run the Python and JavaScript tasks in images of their toolchains too (C++, Go, Java and Rust always are)")]
    public bool Containers { get; init; }

    [CommandOption("--json")]
    [Description("Print what was imported as JSON")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out: required (the folder to write the suite to)") : ValidationResult.Success();
}

/// <summary>`suite import`: turns a public benchmark into a suite folder, all or nothing.</summary>
internal sealed class SuiteImportCommand(CliContext cli) : Command<SuiteImportSettings>
{
    public override int Execute(CommandContext context, SuiteImportSettings settings, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(settings.Source, cli.WorkingDirectory);
        var imported = Importers.Import(settings.Format, source, new ImportOptions
        {
            Name = settings.Name,
            TaskFilter = settings.Tasks,
            Snapshots = settings.Snapshots is { } snapshots ? Path.Combine(cli.WorkingDirectory, snapshots) : null,
            Image = settings.Image,
            Containers = settings.Containers,
        });
        var suite = SuiteWriter.Write(imported, Path.GetFullPath(settings.Out!, cli.WorkingDirectory), settings.Force);

        if (settings.Json)
        {
            cli.WriteRaw(ResultJson.Serialize(new ImportJson(
                Importers.Find(settings.Format).Format, suite.Name, suite.Directory, suite.Revision, imported.Source.Revision, suite.Tasks.Length,
                suite.Tasks.GroupBy(t => t.Category).OrderBy(g => g.Key).ToDictionary(g => g.Key.Name(), g => g.Count()),
                [.. imported.Skipped.Select(s => new SkippedJson(s.Id, s.Reason))])));
            return ExitCodes.Ok;
        }
        cli.Out.MarkupLine($"[bold]{TerminalText.Escape(suite.Name)}[/]@{SuiteRevision.Short(suite.Revision)}: {suite.Tasks.Length} tasks " +
            $"({string.Join(", ", suite.Tasks.GroupBy(t => $"{t.Category.Name()} {t.Language}").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}) " +
            $"→ {TerminalText.Escape(suite.Directory)}");
        if (!imported.Skipped.IsEmpty)
        {
            cli.Out.MarkupLine($"[yellow]{imported.Skipped.Length} records skipped[/]:");
            foreach (var skipped in imported.Skipped)
                cli.Out.MarkupLine($"  {TerminalText.Escape(skipped.Id)}: {TerminalText.Escape(skipped.Reason)}");
        }
        cli.Out.MarkupLine($"next: [grey]driftwatch suite validate {TerminalText.Escape(settings.Out!)}[/]");
        return ExitCodes.Ok;
    }
}
