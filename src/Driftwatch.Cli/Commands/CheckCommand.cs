using System.ComponentModel;
using System.Globalization;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Reporting;
using Driftwatch.Core.Runs;
using Driftwatch.Formats.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

/// <summary>Options shared by the commands that judge histories (check, plan, demo).</summary>
internal class DetectionSettings : StoreSettings
{
    [CommandOption("--detector <NAME>")]
    [Description("A detector by name: cusum (default), ewma, tracker-windows (the public trackers' rule, for comparison) or another of docs/detection.md; an unknown name lists them all")]
    public string Detector { get; init; } = "cusum";

    [CommandOption("--guarantee <P>")]
    [Description("Confidence that the ARL0 holds for the baseline actually observed, not only on average over baselines (0: on average). Default: 0.75")]
    public double Guarantee { get; init; } = 0.75;

    [CommandOption("--arl0 <DAYS>")]
    [Description("False-alarm budget: mean days between false alarms when nothing changed. Default: 365")]
    public double Arl0 { get; init; } = 365;

    [CommandOption("--target-drop <D>")]
    [Description("The drop in pass rate the detector is tuned for. Default: 0.03")]
    public double TargetDrop { get; init; } = 0.03;

    [CommandOption("--baseline-days <N>")]
    [Description("Days in the baseline. Default: 30 (shorter histories: 60% of their days)")]
    public int BaselineDays { get; init; } = 30;

    [CommandOption("--baseline <MODE>")]
    [Description("pinned (the first days since the last declared change; default) or rolling (the days before the last 14)")]
    public string Baseline { get; init; } = "pinned";

    public override ValidationResult Validate()
    {
        if (Guarantee is < 0 or >= 1)
            return ValidationResult.Error("--guarantee: must be from 0 up to (not including) 1");
        if (Arl0 < 10)
            return ValidationResult.Error("--arl0: must be at least 10 days");
        if (TargetDrop is <= 0 or >= 0.5)
            return ValidationResult.Error("--target-drop: must be between 0 and 0.5");
        return BaselineDays < 5 ? ValidationResult.Error("--baseline-days: must be at least 5") : ValidationResult.Success();
    }

    public CheckOptions ToOptions() => new()
    {
        Detector = DetectorCatalog.Find(Detector),
        Detection = new DetectorOptions { Arl0 = Arl0, Guarantee = Guarantee, TargetDrop = TargetDrop },
        BaselineDays = BaselineDays,
        Baseline = Baseline.ToLowerInvariant() switch
        {
            "pinned" => BaselineMode.Pinned,
            "rolling" => BaselineMode.Rolling,
            _ => throw new InvalidInputException($"--baseline: unknown mode '{Baseline}' (expected pinned or rolling)"),
        },
    };
}

internal sealed class CheckSettings : DetectionSettings
{
    [CommandOption("-a|--agent <AGENT>")]
    [Description("Only this agent (default: every agent with runs)")]
    public string? Agent { get; init; }

    [CommandOption("-s|--suite <SUITE>")]
    [Description("Only this suite, by name (default: every suite with runs)")]
    public string? Suite { get; init; }

    [CommandOption("--json")]
    [Description("Print the verdicts as JSON")]
    public bool Json { get; init; }
}

/// <summary>`check`: a verdict per agent × suite from the stored history; exit 3 on a degradation.</summary>
internal sealed class CheckCommand(CliContext cli) : AsyncCommand<CheckSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CheckSettings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions();
        using var store = Locations.Resolve(cli, settings).OpenStoreForReading();
        var verdicts = await Verdicts(store.Results, settings.Agent, settings.Suite, options, cancellationToken);
        if (settings.Json)
            cli.WriteRaw(ResultJson.Serialize(verdicts.Select(ResultJson.Verdict).ToArray()));
        else
            VerdictReport.Render(cli.Out, verdicts);
        return verdicts.Any(v => v.Status == VerdictStatus.Degraded) ? ExitCodes.Degraded : ExitCodes.Ok;
    }

    public static async Task<List<Verdict>> Verdicts(IResultStore store, string? agent, string? suite, CheckOptions options, CancellationToken cancellationToken)
    {
        var runs = await store.ListRunsAsync(new RunQuery(agent, suite), cancellationToken);
        if (runs.Count == 0)
        {
            var what = agent is null && suite is null ? "no runs stored yet" : $"no runs of {agent ?? "any agent"} on {suite ?? "any suite"}";
            throw new InvalidInputException($"check: {what} (run `driftwatch run` first)");
        }
        var verdicts = new List<Verdict>();
        // Each verdict is judged once per change of its runs or of the options, and kept (#20).
        foreach (var pair in runs.GroupBy(r => (r.Agent, r.Suite)).OrderBy(p => p.Key.Agent, StringComparer.Ordinal).ThenBy(p => p.Key.Suite, StringComparer.Ordinal))
            verdicts.Add(await StoredVerdicts.GetOrJudgeAsync(store, pair.Key.Agent, pair.Key.Suite, [.. pair], options, TimeProvider.System, cancellationToken));
        return verdicts;
    }
}

/// <summary>Console view of verdicts.</summary>
internal static class VerdictReport
{
    public static string StatusMarkup(VerdictStatus status) => status switch
    {
        VerdictStatus.Degraded => "[bold red]DEGRADED[/]",
        VerdictStatus.Improved => "[bold green]improved[/]",
        VerdictStatus.Warning => "[yellow]warning[/]",
        VerdictStatus.Insufficient => "[grey]insufficient[/]",
        _ => "[green]ok[/]",
    };

    public static string Points(double? value) =>
        value is { } v ? (v * 100).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture) + " pts" : "–";

    public static void Render(IAnsiConsole console, IReadOnlyList<Verdict> verdicts)
    {
        foreach (var v in verdicts)
        {
            console.MarkupLine($"{StatusMarkup(v.Status)} · [bold]{TerminalText.Escape(v.Agent)}[/] on [bold]{TerminalText.Escape(v.Suite)}[/] · {v.Detector}");
            if (v.Note is { } note)
                console.MarkupLine($"  [grey]{TerminalText.Escape(VerdictText.Note(note))}[/]");
            if (v.DailyTotals)
                console.MarkupLine($"  [grey]{TerminalText.Escape(VerdictText.DailyTotals)}[/]");
            if (v.BaselineFrom is { } from)
            {
                console.MarkupLine($"  baseline {from:yyyy-MM-dd}..{v.BaselineTo:yyyy-MM-dd} ({v.BaselineDays} days, pass rate {RunReport.Percent(v.BaselinePassRate)}) · " +
                    $"{v.MonitoredDays} days monitored · statistic {v.Statistic?.ToString("0.00", CultureInfo.InvariantCulture) ?? "–"} of limit {v.Threshold?.ToString("0.00", CultureInfo.InvariantCulture) ?? "–"}");
            }
            if (v.Effect is not null)
            {
                var since = v.ChangeDay is { } day ? $"since {day:yyyy-MM-dd}" : "over the monitored days";
                console.MarkupLine($"  effect {since}: [bold]{Points(v.Effect)}[/] (95% CI {Points(v.Low)} to {Points(v.High)}), pass rate {RunReport.Percent(v.RecentPassRate)}" +
                    (v.AlarmDay is { } alarm ? $" · alarm on {alarm:yyyy-MM-dd}" : ""));
            }
            RenderSignals(console, v);
            if (v.FlippedTasks.Count > 0)
                console.MarkupLine($"  tasks that moved most: {TerminalText.Escape(string.Join("; ", v.FlippedTasks.Take(5).Select(VerdictText.Flip)))}");
            foreach (var change in v.FingerprintChanges)
                console.MarkupLine($"  [blue]changed around then:[/] {TerminalText.Escape(change)}");
            if (v.Detector == DetectorCatalog.TrackerWindows.Name)
                RenderTrackerWindows(console, v);
        }
    }

    /// <summary>
    /// What moved (the signals that set the status, in words), then every watched signal's line:
    /// its change with its interval, statistic against limit, its share of the budget; and the signals not watched, with why.
    /// </summary>
    private static void RenderSignals(IAnsiConsole console, Verdict v)
    {
        foreach (var moved in VerdictText.WhatMoved(v))
            console.MarkupLine($"  [bold]{TerminalText.Escape(moved)}[/]");
        foreach (var s in v.Signals)
        {
            if (!s.Watched)
            {
                console.MarkupLine($"  [grey]{TerminalText.Escape(VerdictText.NotWatched(s))}[/]");
                continue;
            }
            var since = s.ChangeDay is { } day ? $"since {day:yyyy-MM-dd}" : "over the monitored days";
            console.MarkupLine($"  {StatusMarkup(s.Status)} {TerminalText.Escape(s.Label)} {since}: {TerminalText.Escape(VerdictText.Change(s))}" +
                (s.AlarmDay is { } alarm ? $" · alarm on {alarm:yyyy-MM-dd}" : "") +
                $" [grey]· statistic {s.Statistic?.ToString("0.00", CultureInfo.InvariantCulture) ?? "–"} of limit {s.Threshold?.ToString("0.00", CultureInfo.InvariantCulture) ?? "–"} · ARL0 {s.Arl0.ToString("0", CultureInfo.InvariantCulture)} days[/]");
        }
        if (v.Signals.Any(s => s.Watched))
            console.MarkupLine($"  [grey]one false-alarm budget: ARL0 {v.Arl0.ToString("0", CultureInfo.InvariantCulture)} days in all, the pass rate's share {v.PassRateArl0.ToString("0", CultureInfo.InvariantCulture)} days[/]");
    }

    /// <summary>The trackers' windows on the last day, with the figures the public tracker shows for each.</summary>
    private static void RenderTrackerWindows(IAnsiConsole console, Verdict v)
    {
        if (v.TrackerWindows.Count == 0)
            return;
        console.MarkupLine($"  windows against the baseline {RunReport.Percent(v.BaselinePassRate)} (one-sided exact binomial p < 0.05, or the baseline outside the Wilson 95% interval):");
        foreach (var w in v.TrackerWindows)
        {
            var fires = w.Worse ? "[bold red]fires: worse[/]" : w.Better ? "[bold green]fires: better[/]" : "[grey]quiet[/]";
            var threshold = w.Threshold is { } t ? "±" + (t * 100).ToString("0.0", CultureInfo.InvariantCulture) + " pts" : "± –";
            console.MarkupLine($"    {(w.Days == 1 ? "1 day" : $"{w.Days} days"),-7} {w.Trials,6} trials · accuracy {RunReport.Percent(w.Accuracy)} " +
                $"(95% CI {RunReport.Percent(w.WilsonLow)}–{RunReport.Percent(w.WilsonHigh)}) · p↓ {PValue(w.PLower)} · p↑ {PValue(w.PUpper)} · " +
                $"{threshold} for significance · {fires}");
        }
    }

    private static string PValue(double p) => p.ToString(p >= 0.001 ? "0.0000" : "0.0e+0", CultureInfo.InvariantCulture);
}
