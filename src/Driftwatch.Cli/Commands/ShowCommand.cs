using System.ComponentModel;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class ShowSettings : StoreSettings
{
    [CommandArgument(0, "<RUN>")]
    [Description("Run id (see `driftwatch runs`)")]
    public long Run { get; init; }

    [CommandOption("--task <TASK>")]
    [Description("Also print this task's scores, transcript, diff and test output for every trial")]
    public string? Task { get; init; }

    [CommandOption("--json")]
    [Description("Print the run and its trials as JSON")]
    public bool Json { get; init; }
}

/// <summary>One run: header, closing table, every trial; with --task, what happened in that task's trials.</summary>
internal sealed class ShowCommand(CliContext cli) : AsyncCommand<ShowSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ShowSettings settings, CancellationToken cancellationToken)
    {
        using var store = Locations.Resolve(cli, settings).OpenStoreForReading();
        var run = await store.Runs.RequireRunAsync("RUN", settings.Run, cancellationToken);
        var trials = await store.Trials.GetTrialsAsync(run.Id, cancellationToken);
        if (settings.Json)
        {
            cli.WriteRaw(ResultJson.Serialize(ResultJson.Run(run, trials)));
            return ExitCodes.Ok;
        }

        RunReport.Title(cli.Out, run);
        if (run.Totals is null)
            RunReport.Trials(cli.Out, trials);
        RunReport.Summary(cli.Out, run, trials);
        if (settings.Task is { } taskId)
        {
            var selected = trials.Where(t => t.TaskId == taskId).ToList();
            if (selected.Count == 0)
                throw new InvalidInputException($"--task: run {run.Id} has no finished trial of task '{taskId}'");
            foreach (var trial in selected)
            {
                cli.Heading($"{TerminalText.Escape(trial.Key.ToString())} · {trial.Outcome.Name()}");
                if (trial.ErrorKind is not null)
                    cli.Out.MarkupLine($"ended: {TerminalText.Escape(trial.ErrorKind)}{(trial.ErrorMessage is { } message ? $" ({TerminalText.Escape(message)})" : "")}");
                if (!trial.ServedModels.IsDefaultOrEmpty)
                    cli.Out.MarkupLine($"served by: {TerminalText.Escape(string.Join(", ", trial.ServedModels))}");
                foreach (var flag in trial.Flags)
                    cli.Out.MarkupLine($"[yellow]flag: {TerminalText.Escape(flag)}[/]");
                foreach (var line in TrialScoresText.Lines(trial))
                    cli.Out.MarkupLine($"score: {TerminalText.Escape(line)}");
                foreach (var kind in Enum.GetValues<ArtifactKind>())
                {
                    var text = await store.Trials.GetArtifactAsync(run.Id, trial.Key, kind, cancellationToken);
                    if (text is null)
                        continue;
                    cli.Heading($"{TerminalText.Escape(trial.Key.ToString())} · {kind}");
                    cli.WriteRaw(text.TrimEnd());
                }
            }
        }
        return ExitCodes.Ok;
    }
}
