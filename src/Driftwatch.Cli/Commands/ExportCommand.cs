using System.ComponentModel;
using System.Text;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Web.Exports;
using Driftwatch.Web.Views;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class ExportSettings : DetectionSettings
{
    [CommandArgument(0, "[RUNS]")]
    [Description("Run ids to export (default: the latest run of each agent × suite, or the last N with --last)")]
    public long[] Runs { get; init; } = [];

    [CommandOption("-f|--format <FORMAT>")]
    [Description("json (default), csv, junit, markdown or openmetrics")]
    public string Format { get; init; } = "json";

    [CommandOption("-a|--agent <AGENT>")]
    [Description("Only runs of this agent")]
    public string? Agent { get; init; }

    [CommandOption("-s|--suite <SUITE>")]
    [Description("Only runs of this suite (by name)")]
    public string? Suite { get; init; }

    [CommandOption("-n|--last <N>")]
    [Description("The last N runs of each agent × suite. Default: 1")]
    public int Last { get; init; } = 1;

    [CommandOption("-o|--out <FILE>")]
    [Description("Write to this file instead of standard output")]
    public string? Out { get; init; }

    public override ValidationResult Validate()
    {
        if (Last < 1)
            return ValidationResult.Error("--last: must be at least 1");
        if (!Exporters.All.Any(e => string.Equals(e.Name, Format, StringComparison.OrdinalIgnoreCase)))
            return ValidationResult.Error($"--format: unknown format '{Format}' (expected {string.Join(", ", Exporters.All.Select(e => e.Name))})");
        return Runs.Length > 0 && (Agent is not null || Suite is not null)
            ? ValidationResult.Error("RUNS: give run ids or --agent/--suite, not both")
            : base.Validate();
    }
}

/// <summary>`export`: runs in the formats other tools read (README § Dashboard, report and exports).</summary>
internal sealed class ExportCommand(CliContext cli) : AsyncCommand<ExportSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ExportSettings settings, CancellationToken cancellationToken)
    {
        var exporter = Exporters.Find(settings.Format);
        using var store = Locations.Resolve(cli, settings).OpenStoreForReading();
        var reader = new DashboardReader(store.Results, settings.ToOptions());
        var selection = new ExportSelection(settings.Runs, settings.Agent, settings.Suite, settings.Last);
        var text = Exporters.Write(exporter, await selection.ResolveAsync(reader, cancellationToken));
        if (settings.Out is { } file)
        {
            var path = Path.GetFullPath(file, cli.WorkingDirectory);
            if (Directory.Exists(path))
                throw new Core.InvalidInputException($"--out: {path} is a folder, not a file");
            if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
                Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(path, text, new UTF8Encoding(false), cancellationToken);
            cli.Error.WriteLine($"wrote {exporter.Name} to {path}");
        }
        else
        {
            var writer = cli.RawOut;
            await writer.WriteAsync(text);
            await writer.FlushAsync(cancellationToken);
        }
        return ExitCodes.Ok;
    }
}
