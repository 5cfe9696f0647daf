using System.ComponentModel;
using System.Globalization;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Ingest;
using Driftwatch.Jobs.Ingesting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class IngestSettings : StoreSettings
{
    [CommandArgument(0, "<FORMAT>")]
    [Description("inspect, harbor, margin, promptfoo, jsonl or csv (docs/ingest.md)")]
    public string Format { get; init; } = "";

    [CommandArgument(1, "<PATH>")]
    [Description("Files or folders of that format")]
    public string[] Paths { get; init; } = [];

    [CommandOption("-a|--agent <AGENT>")]
    [Description("The agent these results are of (default: what the files say)")]
    public string? Agent { get; init; }

    [CommandOption("-s|--suite <SUITE>")]
    [Description("The suite these results are of (default: what the files say)")]
    public string? Suite { get; init; }
}

/// <summary>`ingest`: another harness's results as runs of this history (docs/ingest.md).</summary>
internal sealed class IngestCommand(CliContext cli) : AsyncCommand<IngestSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, IngestSettings settings, CancellationToken cancellationToken)
    {
        var locations = Locations.Resolve(cli, settings);
        try
        {
            _ = IngestReaders.Find(settings.Format);
        }
        catch (Core.InvalidInputException ex)
        {
            throw new Core.InvalidInputException($"FORMAT: {ex.Message}", ex);
        }
        var paths = settings.Paths.Select(p => Path.GetFullPath(p, cli.WorkingDirectory)).ToList();
        using var store = locations.OpenStore();
        var summary = await new IngestJob(store.Ingest).RunAsync(settings.Format.ToLowerInvariant(), paths,
            new IngestOptions(settings.Agent, settings.Suite), cancellationToken);
        foreach (var result in summary.Runs.Where(r => r.Added).OrderBy(r => r.Run.StartedAt).ThenBy(r => r.RunId))
        {
            var run = result.Run;
            var counts = run.Totals is { } totals
                ? $"totals only: pass {totals.Pass} · fail {totals.Fail} · error {totals.Error}"
                : $"{run.Trials.Count} trials";
            cli.Out.MarkupLine($"[green]added[/] run {result.RunId.ToString(CultureInfo.InvariantCulture)} · {TerminalText.Escape(run.Agent)} on {TerminalText.Escape(run.Suite)} · " +
                $"{run.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} · {TerminalText.Escape(counts)} · {TerminalText.Escape(run.Format)} {TerminalText.Escape(run.Key)}" +
                (result.Replaced is { } old ? $" [grey](replaces run {old.ToString(CultureInfo.InvariantCulture)}, read before its harness had finished it)[/]" : "") +
                (run.Status == Core.Runs.RunStatus.Incomplete ? " [yellow](incomplete: the harness had not finished it; a later read replaces it)[/]" : ""));
        }
        cli.Out.MarkupLine($"ingested {summary.Added} new run(s) ({summary.TrialsAdded} trials); {summary.AlreadyThere} already there, left as they were · {TerminalText.Escape(locations.StoreName)}");
        // Each history with new runs is judged now, once, and its verdict kept (#20), as `run` does
        // for its own: `check` and the dashboard then read it instead of judging the whole history.
        foreach (var (agent, suite) in summary.Changed)
        {
            var runs = await store.Results.ListRunsAsync(new RunQuery(agent, suite), cancellationToken);
            var verdict = await StoredVerdicts.GetOrJudgeAsync(store.Results, agent, suite, runs, new CheckOptions(), TimeProvider.System, cancellationToken);
            cli.Out.MarkupLine($"{VerdictReport.StatusMarkup(verdict.Status)} · {TerminalText.Escape(agent)} on {TerminalText.Escape(suite)} [grey](kept for check and the dashboard)[/]");
        }
        if (summary.Changed.Count > 0)
            cli.Out.MarkupLine("[grey]next: driftwatch check (the verdicts in full), driftwatch serve (the dashboard)[/]");
        return ExitCodes.Ok;
    }
}
