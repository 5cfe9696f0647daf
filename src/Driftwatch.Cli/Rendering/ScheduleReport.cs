using System.Globalization;
using Driftwatch.Cli.Commands;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Scheduling;
using Driftwatch.Jobs.Alerts;
using Driftwatch.Jobs.Scheduling;
using Spectre.Console;

namespace Driftwatch.Cli.Rendering;

/// <summary>The scheduler's log on the console: one line per thing it does, times in UTC.</summary>
internal sealed class ScheduleReport(CliContext cli)
{
    private DateTimeOffset? _lastWaitingFor;

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "never";

    public void Starting(IReadOnlyList<ScheduledJob> jobs, DriftwatchConfig config, IReadOnlyList<IAlertSink> sinks, bool once, string database)
    {
        var alerts = sinks.Count == 0 ? "no alert sinks" : "alerts to " + string.Join(", ", sinks.Select(s => s.Name));
        cli.Out.MarkupLine($"[bold]schedule[/]{(once ? " --once" : "")}: {jobs.Count} entr{(jobs.Count == 1 ? "y" : "ies")}, catch_up {config.Schedule.CatchUp.ToString().ToLowerInvariant()}, " +
            $"{TerminalText.Escape(alerts)} · database {TerminalText.Escape(database)}");
    }

    public void Show(ScheduleEvent e)
    {
        switch (e)
        {
            case WaitingForSlot waiting when waiting.Next != _lastWaitingFor:
                _lastWaitingFor = waiting.Next;
                cli.Out.MarkupLine(waiting.Next is null
                    ? "[grey]no slot ahead in any entry[/]"
                    : $"[grey]waiting for {Time(waiting.Next)}: {TerminalText.Escape(string.Join(", ", waiting.Entries))}[/]");
                break;
            case SlotsMissed missed:
                cli.Out.MarkupLine($"[yellow]{missed.Count} slot(s) of {TerminalText.Escape(missed.Entry)} passed without a run[/]; only the latest, {Time(missed.Latest)}, runs");
                break;
            case SlotSkipped skipped:
                cli.Out.MarkupLine($"[grey]{Time(skipped.Slot)} · {TerminalText.Escape(skipped.Entry)}: skipped, {TerminalText.Escape(skipped.Reason)}[/]");
                break;
            case SlotStarted { Ingest: { } format } started:
                cli.Out.MarkupLine($"{Time(started.Slot)} · [bold]{TerminalText.Escape(started.Entry)}[/]: ingest {TerminalText.Escape(format)}");
                break;
            case SlotIngested ingested:
                cli.Out.MarkupLine($"{Time(ingested.Slot)} · [bold]{TerminalText.Escape(ingested.Entry)}[/]: ingested {ingested.Summary.Added} new run(s) " +
                    $"({ingested.Summary.TrialsAdded} trials), {ingested.Summary.AlreadyThere} already there" +
                    string.Concat(ingested.Verdicts.Select(v => $" · {TerminalText.Escape(v.Agent)} on {TerminalText.Escape(v.Suite)} {VerdictReport.StatusMarkup(v.Status)}")));
                break;
            case SlotStarted started:
                cli.Out.MarkupLine($"{Time(started.Slot)} · [bold]{TerminalText.Escape(started.Entry)}[/]: " +
                    (!started.Resumed ? $"run {started.RunId} ({started.TrialsLeft} trials)"
                        : started.TrialsLeft == 0 ? $"closing run {started.RunId} (every trial was already stored)"
                        : $"resuming run {started.RunId} ({started.TrialsLeft} trials left)"));
                break;
            case SlotFinished finished:
                var header = finished.Run.Header;
                cli.Out.MarkupLine($"{Time(finished.Slot)} · [bold]{TerminalText.Escape(finished.Entry)}[/]: run {header.Id} {RunReport.StatusMarkup(header.Status)} · " +
                    $"pass {header.Summary.Pass}/{header.Summary.Scored} {RunReport.Percent(header.Summary.PassRate)} (95% CI {RunReport.Range(header.Summary.Interval)})" +
                    (header.Summary.Error > 0 ? $" · [magenta]error {header.Summary.Error}[/]" : "") +
                    $" · verdict {VerdictReport.StatusMarkup(finished.Verdict.Status)}");
                break;
            case SlotInterrupted interrupted:
                cli.Out.MarkupLine($"[yellow]{Time(interrupted.Slot)} · {TerminalText.Escape(interrupted.Entry)}: interrupted[/]" +
                    (interrupted.RunId is { } run ? $"; run {run} is left resumable and is resumed on the next start" : ""));
                break;
            case SlotFailed failed:
                cli.Error.WriteLine($"error: {Time(failed.Slot)} · {failed.Entry}: {failed.Problem}");
                break;
            case AlertDelivered delivered:
                foreach (var result in delivered.Delivery.Results)
                {
                    if (result.Delivered)
                        cli.Out.MarkupLine($"[grey]alert {delivered.Delivery.Stored.Id} ({TerminalText.Escape(delivered.Delivery.Alert.Event)}) → {TerminalText.Escape(result.Sink)}: delivered ({result.Attempts} attempt(s))[/]");
                    else
                        cli.Warn($"alert {delivered.Delivery.Stored.Id} ({delivered.Delivery.Alert.Event}) → {result.Sink}: not delivered after {result.Attempts} attempt(s): {result.Problem}");
                }
                break;
        }
    }

    /// <summary>`schedule --list`: each entry, its next slot, and how its latest slots went.</summary>
    public static async Task ListAsync(IAnsiConsole console, IReadOnlyList<ScheduledJob> jobs, DriftwatchConfig config, IScheduleStore? slots, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("entry").AddColumn("cron").AddColumn("agent").AddColumn("suite").AddColumn("trials")
            .AddColumn("next slot").AddColumn("last slots");
        foreach (var job in jobs)
        {
            IReadOnlyList<SlotRecord> stored = slots is null ? [] : await slots.ListSlotsAsync(job.Key, cancellationToken);
            var last = string.Join("\n", stored.TakeLast(3).Select(s =>
                $"{Time(s.Slot)} {s.Status.ToString().ToLowerInvariant()}{(s.RunId is { } run ? $" (run {run})" : "")}"));
            table.AddRow(
                TerminalText.Escape(job.Key), TerminalText.Escape(job.Cron.ToString()), TerminalText.Escape(job.AgentName), TerminalText.Escape(job.SuiteName),
                job.Ingest is { } ingest ? $"ingest {ingest.Format}" : job.Entry.Budget is { } budget ? $"budget {budget}" : $"{job.TrialsPerTask} per task",
                Time(job.Cron.Next(now)), last.Length == 0 ? "[grey]none yet[/]" : TerminalText.Escape(last));
        }
        console.Write(table);
        console.MarkupLine($"catch_up: {config.Schedule.CatchUp.ToString().ToLowerInvariant()} · alert sinks: " +
            TerminalText.Escape(config.Alerts.Sinks.IsEmpty ? "none" : string.Join(", ", config.Alerts.Sinks.Select(s => s.Name))));
    }
}
