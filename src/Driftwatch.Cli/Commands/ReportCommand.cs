using System.ComponentModel;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Web.Report;
using Driftwatch.Web.Views;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class ReportSettings : DetectionSettings
{
    [CommandOption("-o|--out <DIR>")]
    [Description("Folder to write the report to (created if missing; files of the same names are replaced)")]
    public string? Out { get; init; }

    [CommandOption("--no-trials")]
    [Description("Leave out the trial pages (transcripts, diffs, test output): a much smaller report")]
    public bool NoTrials { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out: the folder to write the report to is required") : base.Validate();
}

/// <summary>`report --out DIR`: the dashboard as static HTML with chart files.</summary>
internal sealed class ReportCommand(CliContext cli) : AsyncCommand<ReportSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReportSettings settings, CancellationToken cancellationToken)
    {
        var locations = Locations.Resolve(cli, settings);
        using var store = locations.OpenStoreForReading();
        var directory = Path.GetFullPath(settings.Out!, cli.WorkingDirectory);
        if (File.Exists(directory))
            throw new Core.InvalidInputException($"--out: {directory} is a file, not a folder");
        var reader = new DashboardReader(store.Results, settings.ToOptions());
        var title = locations.IsPostgres ? locations.StoreName : Path.GetFileName(locations.DatabasePath);
        var result = await StaticReport.WriteAsync(reader, directory, $"report of {title}, {cli.Time.GetUtcNow():yyyy-MM-dd HH:mm} UTC", !settings.NoTrials, cancellationToken);
        cli.Out.MarkupLineInterpolated($"Wrote {result.Pages} pages and {result.Charts} charts to {directory}; open {Path.Combine(directory, "index.html")}");
        return ExitCodes.Ok;
    }
}
