using System.Globalization;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;
using Driftwatch.Core.Suites;
using Spectre.Console;

namespace Driftwatch.Cli.Rendering;

/// <summary>Console views of runs: the closing table of a run, the list of runs, the trials of one.</summary>
internal static class RunReport
{
    public static string Percent(double? value) => value is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–";

    public static string Range(Interval? interval) => interval is { } i
        ? $"{(i.Low * 100).ToString("0.0", CultureInfo.InvariantCulture)}–{(i.High * 100).ToString("0.0", CultureInfo.InvariantCulture)}%"
        : "–";

    public static string Seconds(double milliseconds) => (milliseconds / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";

    public static string AgentLabel(RunHeader run) =>
        run.Synthetic ? $"{TerminalText.Escape(run.Agent)} [yellow](synthetic)[/]" : TerminalText.Escape(run.Agent);

    /// <summary>"core@1a2b3c4" for a run of a suite, "swe (margin)" for a run ingested from another harness.</summary>
    public static string SuiteLabel(RunHeader run) => run.Source is { } source
        ? $"{TerminalText.Escape(run.Suite)} [grey]({TerminalText.Escape(source.Format)})[/]"
        : $"{TerminalText.Escape(run.Suite)}@{SuiteRevision.Short(run.SuiteRevision)[..7]}";

    public static void Title(IAnsiConsole console, RunHeader run)
    {
        if (run.Source is { } source)
        {
            console.MarkupLine($"[bold]Run {run.Id}[/] · {AgentLabel(run)} on [bold]{SuiteLabel(run)}[/] · {StatusMarkup(run.Status)}");
            console.MarkupLine($"[grey]ingested from {TerminalText.Escape(source.Format)} run {TerminalText.Escape(source.Key)} · {TerminalText.Escape(source.Path)}[/]");
            console.MarkupLine($"[grey]started {run.StartedAt:yyyy-MM-dd HH:mm:ss}Z · agent {TerminalText.Escape(run.Fingerprint.AgentVersion ?? "unknown version")}" +
                $"{(run.Fingerprint.Models.IsDefaultOrEmpty ? "" : " · models " + TerminalText.Escape(string.Join(", ", run.Fingerprint.Models)))}[/]");
            return;
        }
        console.MarkupLine($"[bold]Run {run.Id}[/] · {AgentLabel(run)} on [bold]{SuiteLabel(run)}[/] · {StatusMarkup(run.Status)}");
        var allocation = run.Allocation == "adaptive" ? "adaptive allocation" : $"{run.TrialsPerTask} per task";
        var sandbox = run.SandboxMode == "none" ? "[/][red]sandbox none: UNCONFINED[/][grey]" : $"sandbox {TerminalText.Escape(run.SandboxMode)}";
        console.MarkupLine($"[grey]{run.PlannedTrials} trials ({allocation}) · seed {run.Seed} · {sandbox}[/]");
        var fingerprint = run.Fingerprint;
        console.MarkupLine($"[grey]started {run.StartedAt:yyyy-MM-dd HH:mm:ss}Z · agent {TerminalText.Escape(fingerprint.AgentVersion ?? "unknown version")}" +
            $"{(fingerprint.Models.IsDefaultOrEmpty ? "" : " · models " + TerminalText.Escape(string.Join(", ", fingerprint.Models)))} · driftwatch {TerminalText.Escape(fingerprint.DriftwatchVersion ?? "?")}[/]");
    }

    public static string StatusMarkup(RunStatus status) => status switch
    {
        RunStatus.Complete => "[green]complete[/]",
        RunStatus.Running => "[blue]running[/]",
        _ => "[yellow]incomplete[/]",
    };

    /// <summary>The closing table: pass rate with its Wilson 95% interval overall and per category, outcomes, time.</summary>
    public static void Summary(IAnsiConsole console, RunHeader run, IReadOnlyList<Trial> trials, TimeSpan? wall = null)
    {
        if (run.Totals is not null)
        {
            TotalsSummary(console, run);
            return;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("category")
            .AddColumn(new TableColumn("trials").RightAligned())
            .AddColumn(new TableColumn("pass").RightAligned())
            .AddColumn(new TableColumn("fail").RightAligned())
            .AddColumn(new TableColumn("t/o").RightAligned())
            .AddColumn(new TableColumn("err").RightAligned())
            .AddColumn(new TableColumn("pass rate (95% CI)").RightAligned())
            .AddColumn(new TableColumn("tests").RightAligned());
        foreach (var category in Enum.GetValues<TaskCategory>())
        {
            var subset = trials.Where(t => t.Category == category).ToList();
            if (subset.Count > 0)
                AddRow(table, category.Name(), subset, bold: false);
        }
        AddRow(table, "all", trials, bold: true);
        console.Write(table);

        var summary = run.Summary;
        console.MarkupLine($"outcomes: [green]pass {summary.Pass}[/] · [red]fail {summary.Fail}[/] · [yellow]timeout {summary.Timeout}[/] · " +
            $"[magenta]error {summary.Error}[/] (infrastructure, not counted){(summary.Pending > 0 ? $" · [grey]not run {summary.Pending}[/]" : "")}");
        var errors = trials.Where(t => t.Outcome == TrialOutcome.Error).ToList();
        if (errors.Count > 0)
        {
            var kinds = errors.GroupBy(t => t.ErrorKind ?? "unknown").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{TerminalText.Escape(g.Key)} {g.Count()}");
            var retried = trials.Count(t => t.Attempts > 1);
            var share = (double)errors.Count / Math.Max(1, run.PlannedTrials);
            console.MarkupLine($"[magenta]errors: {errors.Count}[/] ({string.Join(", ", kinds)}) after retries" +
                (retried > 0 ? $"; {retried} trial(s) needed more than one attempt" : "") +
                (share > 0.10 && run.Source is null ? $" · [yellow]{Percent(share)} of trials ended in error (more than 10%): the run is incomplete[/]" : ""));
        }
        var endings = trials.Where(t => t.Outcome is TrialOutcome.Fail or TrialOutcome.Timeout && t.ErrorKind is not null).ToList();
        if (endings.Count > 0)
            console.MarkupLine($"fails and timeouts by what ended them: {Counts(endings.Select(t => $"{t.Outcome.Name()} {t.ErrorKind}"))}");
        var flagged = trials.SelectMany(t => t.Flags.Select(f => f.Split(' ', 2)[0])).ToList();
        if (flagged.Count > 0)
        {
            var suspect = flagged.Count(f => TrialFlags.KindOf(f) == FlagKind.Suspect);
            console.MarkupLine($"[yellow]flags: {Counts(flagged)}[/]" + (suspect > 0
                ? " · [yellow]suspect trials touched the test machinery: a pass among them is not counted (error 'suspect')[/]" : ""));
        }
        if (PassAtOneAndTwo(trials) is var (scored, first, second))
        {
            console.MarkupLine($"second attempt with the failing test output: pass@1 [bold]{Percent((double)first / scored)}[/] ({first}/{scored}) · " +
                $"pass@2 [bold]{Percent((double)second / scored)}[/] ({second}/{scored})");
        }
        if (trials.Count > 0)
        {
            var overhead = trials.Select(t => (double)(t.DurationMs - t.AgentDurationMs - t.TestDurationMs)).ToList();
            console.MarkupLine($"time: {(wall is { } w ? $"wall {Seconds(w.TotalMilliseconds)} · " : "")}per trial median {Seconds(Median(trials.Select(t => (double)t.DurationMs)))} " +
                $"(agent {Seconds(Median(trials.Select(t => (double)t.AgentDurationMs)))}, tests {Seconds(Median(trials.Select(t => (double)t.TestDurationMs)))}, " +
                $"harness {Seconds(Median(overhead))})");
            var tokensIn = trials.Sum(t => t.Usage.InputTokens ?? 0);
            var tokensOut = trials.Sum(t => t.Usage.OutputTokens ?? 0);
            var cost = trials.Sum(t => t.Usage.CostUsd ?? 0);
            console.MarkupLine($"usage: {tokensIn:N0} input tokens · {tokensOut:N0} output tokens · ${cost.ToString("0.0000", CultureInfo.InvariantCulture)}" +
                (run.Synthetic ? " [yellow](synthetic agent: token counts are estimates, no model was called)[/]" : ""));
        }
    }

    /// <summary>A run ingested as per-run counts: its counts with the pass rate, and what the harness reported of usage and time.</summary>
    private static void TotalsSummary(IAnsiConsole console, RunHeader run)
    {
        var summary = run.Summary;
        console.MarkupLine($"[grey]per-run totals only: the harness kept no per-task results[/]");
        console.MarkupLine($"pass rate [bold]{Percent(summary.PassRate)}[/] [grey]({Range(summary.Interval)})[/] of {summary.Scored} scored");
        console.MarkupLine($"outcomes: [green]pass {summary.Pass}[/] · [red]fail {summary.Fail}[/] · [yellow]timeout {summary.Timeout}[/] · " +
            $"[magenta]error {summary.Error}[/] (infrastructure, not counted)");
        if (run.TotalsDurationMs is { } duration)
            console.MarkupLine($"time: run {Seconds(duration)}");
        if (run.TotalsUsage is { } usage && (usage.InputTokens ?? usage.OutputTokens ?? (object?)usage.CostUsd) is not null)
        {
            console.MarkupLine($"usage: {usage.InputTokens?.ToString("N0", CultureInfo.InvariantCulture) ?? "–"} input tokens · " +
                $"{usage.OutputTokens?.ToString("N0", CultureInfo.InvariantCulture) ?? "–"} output tokens · " +
                (usage.CostUsd is { } cost ? $"${cost.ToString("0.0000", CultureInfo.InvariantCulture)}" : "cost –"));
        }
    }

    /// <summary>"a 2, b 1": how often each value occurs, most frequent first.</summary>
    private static string Counts(IEnumerable<string> values) =>
        string.Join(", ", values.GroupBy(v => v, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{TerminalText.Escape(g.Key)} {g.Count()}"));

    /// <summary>
    /// For agents that had a second attempt: scored trials, passes at the first attempt and after
    /// the second. Null when no trial recorded a first attempt.
    /// </summary>
    public static (int Scored, int PassAt1, int PassAt2)? PassAtOneAndTwo(IReadOnlyList<Trial> trials)
    {
        var scored = trials.Where(t => t.Outcome != TrialOutcome.Error).ToList();
        if (!scored.Any(t => t.FirstOutcome is not null))
            return null;
        var first = scored.Count(t => (t.FirstOutcome ?? t.Outcome) == TrialOutcome.Pass);
        var second = scored.Count(t => t.Outcome == TrialOutcome.Pass);
        return (scored.Count, first, second);
    }

    private static void AddRow(Table table, string label, IReadOnlyList<Trial> trials, bool bold)
    {
        var summary = RunSummary.Of(trials.Select(t => (TrialOutcome?)t.Outcome));
        var testsPassed = trials.Where(t => t.Outcome != TrialOutcome.Error).Sum(t => t.TestsPassed);
        var testsTotal = trials.Where(t => t.Outcome != TrialOutcome.Error).Sum(t => t.TestsTotal);
        string B(string text) => bold ? $"[bold]{text}[/]" : text;
        table.AddRow(
            B(label), B(summary.Total.ToString(CultureInfo.InvariantCulture)), summary.Pass.ToString(CultureInfo.InvariantCulture),
            summary.Fail.ToString(CultureInfo.InvariantCulture), summary.Timeout.ToString(CultureInfo.InvariantCulture),
            summary.Error.ToString(CultureInfo.InvariantCulture), $"{B(Percent(summary.PassRate))} [grey]({Range(summary.Interval)})[/]",
            testsTotal == 0 ? "–" : $"{testsPassed}/{testsTotal}");
    }

    public static void RunList(IAnsiConsole console, IReadOnlyList<RunHeader> runs)
    {
        if (runs.Count == 0)
        {
            console.MarkupLine("[grey]no runs yet: start one with `driftwatch run` or try `driftwatch demo`[/]");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("run").RightAligned())
            .AddColumn("started (UTC)")
            .AddColumn("agent")
            .AddColumn("suite")
            .AddColumn("status")
            .AddColumn(new TableColumn("trials").RightAligned())
            .AddColumn(new TableColumn("pass rate").RightAligned())
            .AddColumn(new TableColumn("95% CI").RightAligned())
            .AddColumn(new TableColumn("errors").RightAligned());
        foreach (var run in runs)
        {
            table.AddRow(
                run.Id.ToString(CultureInfo.InvariantCulture), run.StartedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                AgentLabel(run), SuiteLabel(run), StatusMarkup(run.Status),
                $"{run.Summary.Total}/{run.PlannedTrials}", Percent(run.Summary.PassRate), Range(run.Summary.Interval),
                run.Summary.Error.ToString(CultureInfo.InvariantCulture));
        }
        console.Write(table);
    }

    public static void Trials(IAnsiConsole console, IReadOnlyList<Trial> trials)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("task")
            .AddColumn(new TableColumn("#").RightAligned())
            .AddColumn("category")
            .AddColumn("outcome")
            .AddColumn(new TableColumn("tests").RightAligned())
            .AddColumn(new TableColumn("time").RightAligned())
            .AddColumn(new TableColumn("tokens in/out").RightAligned())
            .AddColumn("note");
        foreach (var trial in trials.OrderBy(t => t.TaskId, StringComparer.Ordinal).ThenBy(t => t.TrialIndex))
        {
            table.AddRow(
                TerminalText.Escape(trial.TaskId), trial.TrialIndex.ToString(CultureInfo.InvariantCulture), trial.Category.Name(),
                OutcomeMarkup(trial.Outcome), $"{trial.TestsPassed}/{trial.TestsTotal}", Seconds(trial.DurationMs),
                $"{trial.Usage.InputTokens?.ToString(CultureInfo.InvariantCulture) ?? "–"}/{trial.Usage.OutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "–"}",
                TerminalText.Escape((trial.ErrorKind is null ? trial.StopReason ?? "" : $"{trial.ErrorKind}: {trial.ErrorMessage}")
                    + (trial.Flags.IsDefaultOrEmpty ? "" : $" [{string.Join("; ", trial.Flags)}]")));
        }
        console.Write(table);
    }

    public static string OutcomeMarkup(TrialOutcome outcome) => outcome switch
    {
        TrialOutcome.Pass => "[green]pass[/]",
        TrialOutcome.Fail => "[red]fail[/]",
        TrialOutcome.Timeout => "[yellow]timeout[/]",
        _ => "[magenta]error[/]",
    };

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
            return 0;
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
