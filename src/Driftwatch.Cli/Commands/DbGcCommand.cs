using System.ComponentModel;
using System.Globalization;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Storage.Retention;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class DbGcSettings : StoreSettings
{
    [CommandOption("--dry-run")]
    [Description("Say what would be removed, remove nothing")]
    public bool DryRun { get; init; }
}

/// <summary>`db gc`: artifacts the retention policy no longer keeps, then blobs nothing names (docs/storage.md).</summary>
internal sealed class DbGcCommand(CliContext cli) : AsyncCommand<DbGcSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DbGcSettings settings, CancellationToken cancellationToken)
    {
        var locations = Locations.Resolve(cli, settings);
        if (!locations.IsPostgres && !File.Exists(locations.DatabasePath))
            throw Locations.MissingDatabase(locations.DatabasePath);
        var policy = locations.Config.Retention;
        using var store = locations.OpenStore();
        var report = await ArtifactCollector.CollectAsync(store, policy, cli.Time, settings.DryRun, cancellationToken);

        var verb = report.DryRun ? "would remove" : "removed";
        cli.Out.MarkupLine($"db gc of {TerminalText.Escape(locations.StoreName)}{(report.DryRun ? " (dry run: nothing removed)" : "")}");
        if (policy is null)
        {
            cli.Out.MarkupLine("no retention policy is set (retention: in driftwatch.yaml): every artifact is kept; only blobs no artifact names are removed");
        }
        else
        {
            var rules = new List<string>();
            if (policy.ArtifactsDays is { } days)
                rules.Add($"{Count(days)} days");
            if (policy.ArtifactsRuns is { } runs)
                rules.Add($"the last {Count(runs)} runs of each agent × suite");
            cli.Out.MarkupLine($"retention: artifacts of {string.Join(" or ", rules)}, and always of flipped tasks and degraded agent × suites; outcomes and metrics forever");
            cli.Out.MarkupLine($"{verb} {Count(report.ArtifactsRemoved)} artifact(s) of {Count(report.TasksPruned)} task run(s)");
        }
        cli.Out.MarkupLine($"{verb} {Count(report.BlobsRemoved)} unreferenced blob(s) and {Count(report.TemporaryFilesRemoved)} leftover temporary file(s)");
        cli.Out.MarkupLine($"{(report.DryRun ? "would free" : "freed")} {Count(report.BytesFreed)} bytes");
        return ExitCodes.Ok;
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
