using System.Globalization;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Reporting;
using Driftwatch.Core.Runs;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Exports;

/// <summary>
/// A summary for a CI job page (GitHub's $GITHUB_STEP_SUMMARY, GitLab and others render
/// GitHub-flavoured Markdown): per agent × suite the verdict, then per run the pass rate, the
/// outcomes, the flips against the run before, a note per flagged trial (suspect, served by a
/// fallback model, refused) and the tasks that did not pass.
/// </summary>
internal sealed class MarkdownExporter : IExporter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public string Name => "markdown";

    public string MediaType => "text/markdown";

    public void Write(ExportData data, TextWriter writer)
    {
        writer.WriteLine("# Driftwatch");
        writer.WriteLine();
        if (data.Runs.Count == 0)
        {
            writer.WriteLine("No runs selected.");
            return;
        }
        foreach (var series in data.Runs.GroupBy(r => (r.Run.Agent, r.Run.Suite)))
        {
            var synthetic = series.Any(r => r.Run.Synthetic) ? " (synthetic)" : "";
            writer.WriteLine(string.Create(Invariant, $"## {Cell(series.Key.Agent)}{synthetic} on {Cell(series.Key.Suite)}"));
            writer.WriteLine();
            if (data.VerdictOf(series.Key.Agent, series.Key.Suite) is { } verdict)
            {
                writer.WriteLine(VerdictLine(verdict));
                writer.WriteLine();
            }
            foreach (var view in series)
                Run(writer, view);
        }
    }

    private static string VerdictLine(Verdict v)
    {
        var icon = v.Status switch
        {
            VerdictStatus.Degraded => "🔴",
            VerdictStatus.Warning => "🟡",
            VerdictStatus.Improved => "🔵",
            VerdictStatus.Insufficient => "⚪",
            _ => "🟢",
        };
        var line = $"{icon} **{v.Status.ToString().ToLowerInvariant()}** ({v.Detector})";
        if (v.BaselinePassRate is { } baseline)
            line += string.Create(Invariant, $" · baseline {baseline:0.0%}");
        if (v.Effect is { } effect)
        {
            line += string.Create(Invariant, $" · effect {effect * 100:+0.0;−0.0;0.0} pts");
            if (v.Low is { } low && v.High is { } high)
                line += string.Create(Invariant, $" (95% CI {low * 100:+0.0;−0.0;0.0} to {high * 100:+0.0;−0.0;0.0})");
        }
        if (v.ChangeDay is { } changeDay)
            line += string.Create(Invariant, $" · change began about {changeDay:yyyy-MM-dd}");
        if (v.AlarmDay is { } alarm)
            line += string.Create(Invariant, $" · alarm on {alarm:yyyy-MM-dd}");
        if (v.Note is { } note && v.BaselinePassRate is null)
            line += $" · {VerdictText.Note(note)}";
        if (v.DailyTotals)
            line += $" · {VerdictText.DailyTotals}";
        var moved = VerdictText.WhatMoved(v);
        if (moved.Any(m => !m.StartsWith("correctness", StringComparison.Ordinal)))
            line += "\n\nWhat moved: " + string.Join("; ", moved.Select(Cell));
        if (v.FingerprintChanges.Count > 0)
            line += "\n\nWhat changed: " + string.Join("; ", v.FingerprintChanges.Select(Cell));
        return line;
    }

    private static void Run(TextWriter writer, RunView view)
    {
        var run = view.Run;
        var s = run.Summary;
        writer.WriteLine(string.Create(Invariant, $"### Run {run.Id} · {run.StartedAt:yyyy-MM-dd HH:mm} UTC · {run.Status.Name()}"));
        writer.WriteLine();
        var rate = s.PassRate is { } r && s.Interval is { } ci
            ? string.Create(Invariant, $"**{r:0.0%}** (95% {ci.Low:0.0%}–{ci.High:0.0%}), {s.Pass}/{s.Scored} trials passed")
            : "no scored trials";
        writer.WriteLine(string.Create(Invariant, $"Pass rate {rate}; agent {Code(run.Fingerprint.AgentVersion ?? "?")}{(run.Fingerprint.Models.Length > 0 ? ", models " + string.Join(", ", run.Fingerprint.Models.Select(Code)) : "")}."));
        writer.WriteLine();
        writer.WriteLine("| pass | fail | timeout | error | tokens in | tokens out | cost | duration |");
        writer.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        writer.WriteLine(string.Create(Invariant, $"| {s.Pass} | {s.Fail} | {s.Timeout} | {s.Error} | {N(view.InputTokens)} | {N(view.OutputTokens)} | {(view.CostUsd is { } c ? c.ToString("$0.00##", Invariant) : "–")} | {view.DurationMs / 1000.0:0.0} s |"));
        writer.WriteLine();
        if (view.Previous is { } previous)
        {
            var broke = view.Broke.Select(t => Code(t.TaskId)).ToList();
            var fixedTasks = view.Fixed.Select(t => Code(t.TaskId)).ToList();
            writer.WriteLine(string.Create(Invariant, $"Against run {previous.Id}: {broke.Count} broke{(broke.Count > 0 ? " (" + string.Join(", ", broke) + ")" : "")}, {fixedTasks.Count} fixed{(fixedTasks.Count > 0 ? " (" + string.Join(", ", fixedTasks) + ")" : "")}{(view.Comparison is { } comparison ? "; " + DashboardReader.ComparisonText(comparison) : "")}."));
            writer.WriteLine();
        }
        var flaggedTrials = view.Tasks.SelectMany(t => t.Trials).Where(t => !t.Flags.IsDefaultOrEmpty).ToList();
        if (flaggedTrials.Count > 0)
        {
            writer.WriteLine(string.Create(Invariant, $"⚠️ **Flagged trials**: {view.Flagged}."));
            writer.WriteLine();
            foreach (var t in flaggedTrials)
            {
                var notes = t.Flags.Select(f => Code(f) + (TrialFlags.Meaning(TrialFlags.KindOf(f)) is { Length: > 0 } meaning ? ": " + meaning : ""));
                var ending = t.Outcome.Name() + (t.ErrorKind is { } kind ? $" ({Cell(kind)})" : "");
                var served = t.ServedModels.IsDefaultOrEmpty ? "" : " · served by " + string.Join(", ", t.ServedModels.Select(Code));
                writer.WriteLine(string.Create(Invariant, $"- {Code($"{t.TaskId}#{t.TrialIndex}")} {ending} · {string.Join(" · ", notes)}{served}"));
            }
            writer.WriteLine();
        }
        var notPassed = view.Tasks.Where(t => t.Trials.Any(x => x.Outcome != TrialOutcome.Pass)).ToList();
        if (notPassed.Count > 0)
        {
            writer.WriteLine(string.Create(Invariant, $"<details><summary>{notPassed.Count} task(s) with a trial that did not pass</summary>"));
            writer.WriteLine();
            writer.WriteLine("| task | category | outcomes | tests |");
            writer.WriteLine("| --- | --- | --- | ---: |");
            foreach (var t in notPassed)
                writer.WriteLine(string.Create(Invariant, $"| {Code(t.TaskId)} | {t.Category} | {string.Join(" ", t.Trials.Select(x => x.Outcome.Name() + (x.ErrorKind is { } kind ? $" ({Cell(kind)})" : "")))} | {t.TestsPassed}/{t.TestsTotal} |"));
            writer.WriteLine();
            writer.WriteLine("</details>");
            writer.WriteLine();
        }
    }

    private static string N(long? value) => value?.ToString("N0", Invariant) ?? "–";

    private static string Code(string text) => "`" + text.Replace("`", "'", StringComparison.Ordinal) + "`";

    /// <summary>Text inside a table cell or heading: pipes escaped, line breaks flattened.</summary>
    public static string Cell(string text) =>
        text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
