using System.ComponentModel;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class RunsSettings : StoreSettings
{
    [CommandOption("-a|--agent <AGENT>")]
    [Description("Only runs of this agent")]
    public string? Agent { get; init; }

    [CommandOption("-s|--suite <SUITE>")]
    [Description("Only runs of this suite (by name)")]
    public string? Suite { get; init; }

    [CommandOption("-n|--last <N>")]
    [Description("Only the newest N runs")]
    public int? Last { get; init; }

    [CommandOption("--json")]
    [Description("Print an array of run headers as JSON")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Last is < 1 ? ValidationResult.Error("--last: must be at least 1") : ValidationResult.Success();
}

/// <summary>History: every stored run with status and pass rate.</summary>
internal sealed class RunsCommand(CliContext cli) : AsyncCommand<RunsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunsSettings settings, CancellationToken cancellationToken)
    {
        using var store = Locations.Resolve(cli, settings).OpenStoreForReading();
        var runs = await store.Runs.ListRunsAsync(new RunQuery(settings.Agent, settings.Suite, settings.Last), cancellationToken);
        if (settings.Json)
            cli.WriteRaw(ResultJson.Serialize(runs.Select(ResultJson.Header).ToArray()));
        else
            RunReport.RunList(cli.Out, runs);
        return ExitCodes.Ok;
    }
}
