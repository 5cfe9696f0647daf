using System.Globalization;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core.Detection;
using Driftwatch.Formats.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class CompareSettings : RunPairSettings;

/// <summary>`compare RUN_A RUN_B`: a paired comparison on the tasks both ran, with the tasks that flipped.</summary>
internal sealed class CompareCommand(CliContext cli) : AsyncCommand<CompareSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CompareSettings settings, CancellationToken cancellationToken)
    {
        using var store = Locations.Resolve(cli, settings).OpenStoreForReading();
        var a = await store.Runs.RequireRunAsync("RUN_A", settings.RunA, cancellationToken);
        var b = await store.Runs.RequireRunAsync("RUN_B", settings.RunB, cancellationToken);
        var comparison = PairedComparison.Of(await store.Trials.GetTrialsAsync(a.Id, cancellationToken), await store.Trials.GetTrialsAsync(b.Id, cancellationToken),
            seed: (ulong)(a.Id * 1_000_003 + b.Id));
        var worse = comparison.Tasks.Where(t => t.Change < 0).OrderBy(t => t.Change).ThenBy(t => t.Task, StringComparer.Ordinal).ToList();
        var better = comparison.Tasks.Where(t => t.Change > 0).OrderByDescending(t => t.Change).ThenBy(t => t.Task, StringComparer.Ordinal).ToList();
        var significant = comparison.PValue < 0.05;
        var verdict = !significant ? "no significant difference" : comparison.Difference < 0 ? "worse" : "better";

        if (settings.Json)
        {
            cli.WriteRaw(ResultJson.Serialize(new
            {
                runA = a.Id,
                runB = b.Id,
                verdict,
                difference = comparison.Difference,
                low = comparison.Interval.Low,
                high = comparison.Interval.High,
                pValue = comparison.PValue,
                method = comparison.Method,
                pairedTasks = comparison.Tasks.Count,
                unpairedTasks = comparison.Unpaired,
                passToFail = comparison.PassToFail,
                failToPass = comparison.FailToPass,
                flippedTasks = worse.Concat(better).Select(t => new { task = t.Task, before = t.RateA, after = t.RateB, passesA = t.PassesA, trialsA = t.TrialsA, passesB = t.PassesB, trialsB = t.TrialsB }).ToArray(),
            }));
            return ExitCodes.Ok;
        }

        cli.Out.MarkupLine($"run {b.Id} ({TerminalText.Escape(b.Agent)}, {b.StartedAt:yyyy-MM-dd}) vs run {a.Id} ({TerminalText.Escape(a.Agent)}, {a.StartedAt:yyyy-MM-dd}) on {comparison.Tasks.Count} shared tasks" +
            (comparison.Unpaired > 0 ? $" ({comparison.Unpaired} not in both, left out)" : ""));
        var colour = !significant ? "grey" : comparison.Difference < 0 ? "red" : "green";
        cli.Out.MarkupLine($"[{colour} bold]{verdict}[/]: {VerdictReport.Points(comparison.Difference)} (95% CI {VerdictReport.Points(comparison.Interval.Low)} to {VerdictReport.Points(comparison.Interval.High)}), " +
            $"p = {comparison.PValue.ToString("0.0000", CultureInfo.InvariantCulture)} ({comparison.Method}" +
            (comparison.Method == "mcnemar-exact" ? $"; {comparison.PassToFail} pass→fail, {comparison.FailToPass} fail→pass" : "") + ")");
        if (worse.Count + better.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumn("task").AddColumn(new TableColumn($"run {a.Id}").RightAligned())
                .AddColumn(new TableColumn($"run {b.Id}").RightAligned()).AddColumn(new TableColumn("change").RightAligned());
            foreach (var t in worse.Concat(better))
            {
                table.AddRow(TerminalText.Escape(t.Task), $"{t.PassesA}/{t.TrialsA}", $"{t.PassesB}/{t.TrialsB}",
                    t.Change < 0 ? $"[red]{VerdictReport.Points(t.Change)}[/]" : $"[green]{VerdictReport.Points(t.Change)}[/]");
            }
            cli.Out.Write(table);
        }
        return ExitCodes.Ok;
    }
}
