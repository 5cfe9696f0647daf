using System.Globalization;
using System.Net;
using System.Text;
using Driftwatch.Core;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Reporting;
using Driftwatch.Core.Runs;
using Driftwatch.Web.Charts;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Pages;

/// <summary>
/// The four views of docs/dashboard.md as whole HTML pages with their style inline: no script, nothing
/// fetched from elsewhere. The same renderers serve `serve` and `report`; only the links differ.
/// </summary>
internal static class HtmlPages
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Overview(IReadOnlyList<SeriesView> series, PageLinks links, string generated)
    {
        var body = new StringBuilder();
        body.Append("<h1>Driftwatch</h1>");
        body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{Esc(generated)}</p>");
        if (series.Count == 0)
        {
            body.Append("<p>No runs stored yet. Run <code>driftwatch run</code> (or <code>driftwatch demo</code>) first.</p>");
            return Page("Driftwatch — overview", body.ToString(), links);
        }
        body.Append("<table class=\"summary\"><thead><tr><th>agent</th><th>suite</th><th>status</th><th>latest run</th><th>latest pass rate</th><th>baseline</th><th>effect (95% CI)</th><th>change day</th><th>runs</th><th>flagged in latest run</th></tr></thead><tbody>");
        foreach (var s in series)
        {
            var v = s.Verdict;
            body.Append(CultureInfo.InvariantCulture, $"<tr data-series=\"{Esc(s.Slug)}\"><td><a href=\"#{Esc(s.Slug)}\">{Esc(s.Agent)}</a>{Synthetic(s.Synthetic)}</td><td>{Esc(s.Suite)}</td><td>{Status(v.Status)}</td>");
            body.Append(CultureInfo.InvariantCulture, $"<td><a href=\"{Esc(links.Run(s.Latest.Id))}\">run {s.Latest.Id}</a> <span class=\"muted\">{Date(s.Latest.StartedAt)}</span></td>");
            body.Append(CultureInfo.InvariantCulture, $"<td>{RateWithInterval(s.Latest.Summary)}</td><td>{Percent(v.BaselinePassRate)}</td><td>{Effect(v)}</td><td>{v.ChangeDay?.ToString("yyyy-MM-dd", Invariant) ?? "–"}</td><td>{s.Runs}</td><td class=\"flagged-counts\">{CountBadges(s.Latest.Flagged)}</td></tr>");
        }
        body.Append("</tbody></table>");

        foreach (var s in series)
        {
            var v = s.Verdict;
            body.Append(CultureInfo.InvariantCulture, $"<section class=\"series\" id=\"{Esc(s.Slug)}\"><h2>{Esc(s.Agent)}{Synthetic(s.Synthetic)} <span class=\"muted\">on</span> {Esc(s.Suite)} {Status(v.Status)}</h2>");
            body.Append(CultureInfo.InvariantCulture, $"<p>{VerdictSentence(v)}</p>");
            body.Append(links.Chart($"pass-rate-{s.Slug}", SvgCharts.PassRate(s), $"Pass rate per day of {s.Agent} on {s.Suite}, with 95% interval band, baseline and alarms"));
            var flaggedDays = s.Days.Where(d => d.Flagged.Any).ToList();
            body.Append("<p class=\"legend\"><span class=\"key line\"></span> pass rate per day <span class=\"key band\"></span> 95% interval <span class=\"key baseline\"></span> baseline <span class=\"key change\"></span> change day <span class=\"key alarm\"></span> alarm <span class=\"key version\"></span> version change");
            if (flaggedDays.Count > 0)
                body.Append(" <span class=\"key mark-suspect\"></span> suspect trials <span class=\"key mark-fallback\"></span> fallback model <span class=\"key mark-refusal\"></span> refusals");
            body.Append("</p>");
            if (flaggedDays.Count > 0)
            {
                var total = flaggedDays.Aggregate(FlagCounts.None, (sum, d) => sum + d.Flagged);
                body.Append(CultureInfo.InvariantCulture, $"<h3>Flagged trials</h3><p class=\"flagged{(total.Suspect > 0 ? " suspect" : "")}\">Flagged trials on {flaggedDays.Count} of {s.Days.Count} days: {Esc(total.ToString())}.</p>");
                body.Append("<table class=\"flagged-days\"><thead><tr><th>day</th><th>runs</th><th>suspect</th><th>fallback model</th><th>refused</th></tr></thead><tbody>");
                foreach (var day in Enumerable.Reverse(flaggedDays))
                {
                    var dayRuns = string.Join(" ", day.RunIds.Select((id, i) => (id, f: day.RunFlagged.ElementAtOrDefault(i) ?? FlagCounts.None)).Where(x => x.f.Any)
                        .Select(x => $"<a href=\"{Esc(links.Run(x.id))}\">run {x.id}</a>"));
                    body.Append(CultureInfo.InvariantCulture, $"<tr data-day=\"{day.Day:yyyy-MM-dd}\"><td>{day.Day:yyyy-MM-dd}</td><td>{dayRuns}</td><td data-flag=\"suspect\">{Count(day.Flagged.Suspect, FlagKind.Suspect)}</td><td data-flag=\"fallback\">{Count(day.Flagged.Fallback, FlagKind.Fallback)}</td><td data-flag=\"refusal\">{Count(day.Flagged.Refusal, FlagKind.Refusal)}</td></tr>");
                }
                body.Append("</tbody></table><p class=\"legend\">");
                body.Append(string.Join(" · ", CountedKinds.Select(k => $"<span class=\"flag {k.Name()}\">{Label(k)}</span> {Esc(TrialFlags.Meaning(k))}")));
                body.Append("</p>");
            }
            if (v.FlippedTasks.Count > 0)
            {
                body.Append("<h3>Tasks that moved most</h3><table><thead><tr><th>task</th><th>before</th><th>since the change</th></tr></thead><tbody>");
                foreach (var flip in v.FlippedTasks)
                {
                    body.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"{Esc(links.Task(s.Agent, s.Suite, flip.Task))}\">{Esc(flip.Task)}</a></td><td>{flip.PassesBefore}/{flip.TrialsBefore}</td><td>{flip.PassesAfter}/{flip.TrialsAfter}</td></tr>");
                }
                body.Append("</tbody></table>");
            }
            if (v.FingerprintChanges.Count > 0 || s.Changes.Count > 0)
            {
                body.Append("<h3>What changed</h3><ul class=\"changes\">");
                foreach (var change in s.Changes)
                    body.Append(CultureInfo.InvariantCulture, $"<li>{change.Day:yyyy-MM-dd}: {Esc(change.What)}</li>");
                foreach (var change in v.FingerprintChanges.Except(s.Changes.Select(c => c.What)))
                    body.Append(CultureInfo.InvariantCulture, $"<li>{Esc(change)}</li>");
                body.Append("</ul>");
            }
            body.Append("<details><summary>Runs</summary><table><thead><tr><th>run</th><th>day</th><th>passed / scored</th><th>trials</th><th>flagged</th></tr></thead><tbody>");
            foreach (var day in Enumerable.Reverse(s.Days))
            {
                for (var i = 0; i < day.RunIds.Count; i++)
                {
                    var runId = day.RunIds[i];
                    var runFlagged = day.RunFlagged.ElementAtOrDefault(i) ?? FlagCounts.None;
                    body.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"{Esc(links.Run(runId))}\">run {runId}</a></td><td>{day.Day:yyyy-MM-dd}</td><td>{day.Passes}/{day.Scored}</td><td>{day.Scored + day.Errors}</td><td>{(runFlagged.Any ? CountBadges(runFlagged) : "")}</td></tr>");
                }
            }
            body.Append("</tbody></table></details></section>");
        }
        return Page("Driftwatch — overview", body.ToString(), links);
    }

    public static string Run(RunView view, PageLinks links)
    {
        var run = view.Run;
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<nav><a href=\"{Esc(links.Overview)}\">overview</a></nav>");
        body.Append(CultureInfo.InvariantCulture, $"<h1>Run {run.Id}: {Esc(run.Agent)}{Synthetic(run.Synthetic)} <span class=\"muted\">on</span> {Esc(run.Suite)}</h1>");
        body.Append("<dl class=\"facts\">");
        Fact(body, "status", run.Status.Name());
        Fact(body, "started", run.StartedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant));
        if (run.SandboxMode == "none")
            FactHtml(body, "sandbox", "<strong class=\"fail unconfined\">none: UNCONFINED</strong> (agents and tests ran as plain processes, the host's files, processes and network in reach)");
        else
            Fact(body, "sandbox", run.SandboxMode);
        Fact(body, "pass rate", RateText(run.Summary));
        Fact(body, "trials", $"{run.Summary.Pass} pass, {run.Summary.Fail} fail, {run.Summary.Timeout} timeout, {run.Summary.Error} error{(run.Summary.Pending > 0 ? $", {run.Summary.Pending} pending" : "")}");
        var flagged = view.Flagged;
        FactHtml(body, "flagged trials", $"<span class=\"flagged-counts\"><span data-flag=\"suspect\">{Count(flagged.Suspect, FlagKind.Suspect)} suspect</span> · <span data-flag=\"fallback\">{Count(flagged.Fallback, FlagKind.Fallback)} fallback model</span> · <span data-flag=\"refusal\">{Count(flagged.Refusal, FlagKind.Refusal)} refused</span></span>");
        Fact(body, "tokens", $"{Number(view.InputTokens)} in, {Number(view.OutputTokens)} out");
        Fact(body, "cost", run.Synthetic ? $"{Money(view.CostUsd)} (synthetic agent: no model was called)" : Money(view.CostUsd));
        Fact(body, "duration (sum of trials)", run.Synthetic
            ? $"{Duration(view.DurationMs)} (synthetic agent: no agent time; a workspace identical to one already tested reuses its result, so its test time is 0)"
            : Duration(view.DurationMs));
        Fact(body, "agent version", run.Fingerprint.AgentVersion ?? "–");
        Fact(body, "models", run.Fingerprint.Models.Length == 0 ? "–" : string.Join(", ", run.Fingerprint.Models));
        Fact(body, "suite revision", run.SuiteRevision);
        body.Append("</dl>");
        if (view.Previous is { } previous)
        {
            var broke = view.Broke.ToList();
            var fixedTasks = view.Fixed.ToList();
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"flips\">Against the previous run (<a href=\"{Esc(links.Run(previous.Id))}\">run {previous.Id}</a>, {RateText(previous.Summary)}): <strong class=\"fail\">{broke.Count} broke</strong>, <strong class=\"pass\">{fixedTasks.Count} fixed</strong>{(view.Comparison is { } comparison ? "; " + Esc(DashboardReader.ComparisonText(comparison)) : "")}.</p>");
        }
        else
        {
            body.Append("<p class=\"flips muted\">No previous run of this agent on this suite to compare with.</p>");
        }
        if (flagged.Any)
            body.Append(FlaggedNotice(flagged, "this run"));
        body.Append(links.Chart($"run-{run.Id}-outcomes", OutcomeBar(view), $"Outcomes of run {run.Id} by task"));
        body.Append("<table class=\"tasks\"><thead><tr><th>task</th><th>category</th><th>outcome</th><th>tests</th><th>flip</th><th>tokens in/out</th><th>cost</th><th>duration</th></tr></thead><tbody>");
        foreach (var row in view.Tasks)
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr id=\"task-{Esc(Slugs.Of(row.TaskId))}\" data-task=\"{Esc(row.TaskId)}\"><td><a href=\"{Esc(links.Task(run.Agent, run.Suite, row.TaskId))}\">{Esc(row.TaskId)}</a></td><td>{Esc(row.Category)} · {Esc(row.Language)}</td><td>");
            foreach (var trial in row.Trials)
                body.Append(CultureInfo.InvariantCulture, $"<a class=\"outcome {trial.Outcome.Name()}\" href=\"{Esc(links.Trial(run.Id, trial.TaskId, trial.TrialIndex))}\" title=\"trial {trial.TrialIndex}{(trial.ErrorKind is { } kind ? ": " + Esc(kind) : "")}\">{trial.Outcome.Name()}</a>{Badges(trial)} ");
            body.Append(CultureInfo.InvariantCulture, $"</td><td>{row.TestsPassed}/{row.TestsTotal}</td><td>{FlipText(row)}</td><td>{Number(row.InputTokens)} / {Number(row.OutputTokens)}</td><td>{Money(row.CostUsd)}</td><td>{Duration(row.DurationMs)}</td></tr>");
        }
        body.Append("</tbody></table>");
        return Page($"Driftwatch — run {run.Id}", body.ToString(), links);
    }

    public static string Task(TaskView view, PageLinks links)
    {
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<nav><a href=\"{Esc(links.Overview)}\">overview</a> › <a href=\"{Esc(links.Run(view.Latest.Id))}\">latest run</a></nav>");
        body.Append(CultureInfo.InvariantCulture, $"<h1>{Esc(view.TaskId)} <span class=\"muted\">— {Esc(view.Agent)} on {Esc(view.Suite)}</span></h1>");
        body.Append(CultureInfo.InvariantCulture, $"<p>{view.Passes} of {view.Scored} scored trials passed over {view.Days.Count} runs.</p>");
        var svg = SvgCharts.TaskStrip(view, links.ChartsLink ? day => links.Run(day.RunId) + "#task-" + Slugs.Of(view.TaskId) : null);
        body.Append(links.Chart($"task-{Slugs.Of(view.Agent, view.Suite, view.TaskId)}", svg, $"Outcome of {view.TaskId} in every run"));
        body.Append("<p class=\"legend\"><span class=\"key pass\"></span> pass <span class=\"key fail\"></span> fail <span class=\"key timeout\"></span> timeout <span class=\"key error\"></span> infrastructure error</p>");
        body.Append("<table><thead><tr><th>day</th><th>run</th><th>trials</th></tr></thead><tbody>");
        foreach (var day in Enumerable.Reverse(view.Days))
        {
            body.Append(CultureInfo.InvariantCulture, $"<tr><td>{day.Day:yyyy-MM-dd}</td><td><a href=\"{Esc(links.Run(day.RunId))}\">run {day.RunId}</a></td><td>");
            for (var i = 0; i < day.Outcomes.Count; i++)
                body.Append(CultureInfo.InvariantCulture, $"<a class=\"outcome {day.Outcomes[i].Name()}\" href=\"{Esc(links.Trial(day.RunId, view.TaskId, day.Trials[i]))}\">{day.Outcomes[i].Name()}</a>{(i < day.Flags.Count ? Badges(day.Flags[i]) : "")} ");
            body.Append("</td></tr>");
        }
        body.Append("</tbody></table>");
        return Page($"Driftwatch — {view.TaskId}", body.ToString(), links);
    }

    public static string Trial(TrialView view, PageLinks links)
    {
        var trial = view.Trial;
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<nav><a href=\"{Esc(links.Overview)}\">overview</a> › <a href=\"{Esc(links.Run(view.Run.Id))}\">run {view.Run.Id}</a> › <a href=\"{Esc(links.Task(view.Run.Agent, view.Run.Suite, trial.TaskId))}\">{Esc(trial.TaskId)}</a></nav>");
        body.Append(CultureInfo.InvariantCulture, $"<h1>{Esc(trial.TaskId)} #{trial.TrialIndex} <span class=\"outcome {trial.Outcome.Name()}\">{trial.Outcome.Name()}</span>{Badges(trial)}</h1>");
        if (!trial.Flags.IsDefaultOrEmpty)
        {
            body.Append(CultureInfo.InvariantCulture, $"<section id=\"flags\" class=\"flagged{(trial.Has(FlagKind.Suspect) ? " suspect" : "")}\"><h2>Flags</h2>");
            foreach (var group in trial.Flags.GroupBy(TrialFlags.KindOf).OrderBy(g => g.Key))
            {
                var meaning = TrialFlags.Meaning(group.Key);
                body.Append(CultureInfo.InvariantCulture, $"<p><span class=\"flag {group.Key.Name()}\">{Label(group.Key)}</span> {(meaning.Length > 0 ? Esc(meaning) + ":" : "")}</p><ul>");
                foreach (var flag in group)
                    body.Append(CultureInfo.InvariantCulture, $"<li class=\"{group.Key.Name()}\"><code>{Esc(flag)}</code></li>");
                body.Append("</ul>");
            }
            body.Append("</section>");
        }
        body.Append("<dl class=\"facts\">");
        Fact(body, "tests", $"{trial.TestsPassed}/{trial.TestsTotal}");
        Fact(body, "duration", $"{Duration(trial.DurationMs)} (agent {Duration(trial.AgentDurationMs)}, tests {Duration(trial.TestDurationMs)})");
        Fact(body, "tokens", $"{Number(trial.Usage.InputTokens)} in, {Number(trial.Usage.OutputTokens)} out");
        Fact(body, "cost", Money(trial.Usage.CostUsd));
        Fact(body, "agent", $"{view.Run.Agent} {trial.AgentVersion}".Trim());
        Fact(body, "model", trial.Model ?? "–");
        FactHtml(body, "served by", trial.ServedModels.IsDefaultOrEmpty
            ? "<span class=\"muted\">not recorded</span>"
            : $"<span class=\"served{(trial.Has(FlagKind.Fallback) ? " fallback" : "")}\">{Esc(string.Join(", ", trial.ServedModels))}</span>");
        Fact(body, "stop reason", trial.StopReason ?? "–");
        Fact(body, "attempts", trial.Attempts.ToString(Invariant));
        if (trial.ErrorKind is not null || trial.ErrorMessage is not null)
            Fact(body, "error", $"{trial.ErrorKind} {trial.ErrorMessage}".Trim());
        body.Append("</dl>");
        body.Append("<section id=\"transcript\"><h2>Transcript</h2>");
        body.Append(view.Transcript is { Length: > 0 } transcript ? TranscriptHtml.Render(transcript) : "<p class=\"muted\">none stored</p>");
        body.Append("</section><section id=\"diff\"><h2>Workspace diff</h2>");
        body.Append(view.Diff is { Length: > 0 } diff ? DiffHtml(diff) : "<p class=\"muted\">the agent changed nothing</p>");
        body.Append("</section><section id=\"test-output\"><h2>Test output</h2>");
        body.Append(view.TestOutput is { Length: > 0 } output ? $"<pre>{Esc(output)}</pre>" : "<p class=\"muted\">none stored</p>");
        body.Append("</section>");
        if (view.AgentOutput is { Length: > 0 } agentOutput)
            body.Append(CultureInfo.InvariantCulture, $"<section id=\"agent-output\"><details><summary>Agent output (stdout/stderr)</summary><pre>{Esc(agentOutput)}</pre></details></section>");
        return Page($"Driftwatch — {trial.TaskId} #{trial.TrialIndex} in run {view.Run.Id}", body.ToString(), links);
    }

    public static Task<string> NotFoundAsync(string what, PageLinks links) =>
        PageRenderer.RenderAsync<Components.NotFoundPage>(new Dictionary<string, object?> { ["What"] = what, ["Links"] = links });

    /// <summary>One thin bar per task: green share passed, red failed, orange timed out, grey errors.</summary>
    private static string OutcomeBar(RunView view)
    {
        var summary = view.Run.Summary;
        const int width = 760, height = 28;
        var total = Math.Max(1, summary.Total);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-label=\"Outcomes of run {view.Run.Id}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">");
        double x = 0;
        foreach (var (outcome, count) in new[] { (TrialOutcome.Pass, summary.Pass), (TrialOutcome.Fail, summary.Fail), (TrialOutcome.Timeout, summary.Timeout), (TrialOutcome.Error, summary.Error) })
        {
            if (count == 0)
                continue;
            var w = width * count / (double)total;
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{outcome.Name()}\" x=\"{x:0.#}\" y=\"0\" width=\"{w:0.#}\" height=\"{height}\" fill=\"{SvgCharts.Colour(outcome)}\"><title>{outcome.Name()}: {count}</title></rect>");
            if (w > 50)
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 6:0.#}\" y=\"18\" fill=\"#fff\">{count} {outcome.Name()}</text>");
            x += w;
        }
        return svg.Append("</svg>").ToString();
    }

    private static string DiffHtml(string diff)
    {
        var html = new StringBuilder("<pre class=\"diff\">");
        foreach (var line in diff.Split('\n'))
        {
            var cls = line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) ? "file"
                : line.StartsWith('+') ? "add"
                : line.StartsWith('-') ? "del"
                : line.StartsWith("@@", StringComparison.Ordinal) ? "hunk"
                : null;
            html.Append(cls is null ? Esc(line) : $"<span class=\"{cls}\">{Esc(line)}</span>").Append('\n');
        }
        return html.Append("</pre>").ToString();
    }

    private static string VerdictSentence(Verdict v)
    {
        if (v.Note is { } note && v.BaselinePassRate is null)
            return Esc(VerdictText.Note(note));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Baseline {Percent(v.BaselinePassRate)} ({v.BaselineFrom:yyyy-MM-dd} – {v.BaselineTo:yyyy-MM-dd}, {v.BaselineDays} days); ");
        text.Append(CultureInfo.InvariantCulture, $"{v.MonitoredDays} days monitored since, recent pass rate {Percent(v.RecentPassRate)}, effect {Effect(v)}. ");
        if (v.ChangeDay is { } changeDay)
            text.Append(CultureInfo.InvariantCulture, $"The change began about {changeDay:yyyy-MM-dd}");
        if (v.AlarmDay is { } alarm)
            text.Append(CultureInfo.InvariantCulture, $"; the {v.Detector} detector raised the alarm on {alarm:yyyy-MM-dd}");
        if (v.ChangeDay is not null)
            text.Append(". ");
        if (v.Note is { } n)
            text.Append(Esc(VerdictText.Note(n)));
        return text.ToString();
    }

    private static string Page(string title, string body, PageLinks links) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Esc(title)}</title>
        <style>{PageStyle.Css}</style>
        </head>
        <body>
        {body}
        <footer class="muted">Driftwatch {Esc(DriftwatchInfo.Version)} · <a href="{Esc(links.Overview)}">overview</a></footer>
        </body>
        </html>
        """;


    private static void Fact(StringBuilder body, string name, string value) =>
        body.Append(CultureInfo.InvariantCulture, $"<dt>{Esc(name)}</dt><dd>{Esc(value)}</dd>");

    private static void FactHtml(StringBuilder body, string name, string html) =>
        body.Append(CultureInfo.InvariantCulture, $"<dt>{Esc(name)}</dt><dd>{html}</dd>");

    private static readonly FlagKind[] CountedKinds = [FlagKind.Suspect, FlagKind.Fallback, FlagKind.Refusal];

    private static string Label(FlagKind kind) => kind switch
    {
        FlagKind.Suspect => "suspect",
        FlagKind.Fallback => "fallback model",
        FlagKind.Refusal => "refused",
        _ => "flag",
    };

    /// <summary>A badge per kind of flag the trial has, its flags in the tooltip.</summary>
    private static string Badges(Trial trial) => trial.Flags.IsDefaultOrEmpty ? "" : Badges(trial.Flags);

    /// <summary>One badge per kind of flag, its flags in the tooltip.</summary>
    private static string Badges(IReadOnlyList<string> flags)
    {
        if (flags.Count == 0)
            return "";
        var html = new StringBuilder();
        foreach (var group in flags.GroupBy(TrialFlags.KindOf).OrderBy(g => g.Key))
            html.Append(CultureInfo.InvariantCulture, $" <span class=\"flag {group.Key.Name()}\" title=\"{Esc(string.Join("; ", group))}\">{Label(group.Key)}</span>");
        return html.ToString();
    }

    /// <summary>A count that stands out when it is not zero.</summary>
    private static string Count(int count, FlagKind kind) =>
        count == 0 ? "0" : string.Create(Invariant, $"<strong class=\"count {kind.Name()}\">{count}</strong>");

    /// <summary>A badge per counted kind with trials ("1 suspect"), or a muted "none".</summary>
    private static string CountBadges(FlagCounts counts) =>
        counts.Any
            ? string.Join(" ", CountedKinds.Where(k => counts[k] > 0).Select(k => string.Create(Invariant, $"<span class=\"flag {k.Name()}\" data-flag=\"{k.Name()}\">{counts[k]} {Label(k)}</span>")))
            : "<span class=\"muted\">none</span>";

    private static string FlaggedNotice(FlagCounts counts, string where)
    {
        var lines = CountedKinds.Where(k => counts[k] > 0)
            .Select(k => string.Create(Invariant, $"<li><span class=\"flag {k.Name()}\">{counts[k]} {Label(k)}</span> {Esc(TrialFlags.Meaning(k))}</li>"));
        return $"<div class=\"flagged{(counts.Suspect > 0 ? " suspect" : "")}\" id=\"flagged\"><strong>Flagged trials in {Esc(where)}</strong><ul>{string.Concat(lines)}</ul></div>";
    }

    private static string Status(VerdictStatus status)
    {
        var name = status.ToString().ToLowerInvariant();
        return $"<span class=\"status {name}\">{name}</span>";
    }

    private static string Synthetic(bool synthetic) => synthetic ? "<span class=\"synthetic\">(synthetic)</span>" : "";

    private static string FlipText(TaskRow row) => row.Flip switch
    {
        Flip.Broke => $"<span class=\"fail\" title=\"previous run {Percent(row.PreviousRate)}\">broke</span>",
        Flip.Fixed => $"<span class=\"pass\" title=\"previous run {Percent(row.PreviousRate)}\">fixed</span>",
        _ => row.PreviousRate is null ? "<span class=\"muted\">new</span>" : "",
    };

    internal static string RateText(RunSummary summary) =>
        summary.PassRate is { } rate && summary.Interval is { } ci
            ? string.Create(Invariant, $"{rate:0.0%} (95% {ci.Low:0.0%}–{ci.High:0.0%}), {summary.Pass}/{summary.Scored}")
            : "–";

    private static string RateWithInterval(RunSummary summary) => Esc(RateText(summary));

    private static string Effect(Verdict v) =>
        v.Effect is { } e
            ? Esc(string.Create(Invariant, $"{e * 100:+0.0;−0.0;0.0} pts") + (v.Low is { } lo && v.High is { } hi ? string.Create(Invariant, $" ({lo * 100:+0.0;−0.0;0.0} to {hi * 100:+0.0;−0.0;0.0})") : ""))
            : "–";

    private static string Percent(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString("0.0%", Invariant) : "–";

    private static string Number(long? value) => value?.ToString("N0", Invariant) ?? "–";

    private static string Money(decimal? value) => value is { } v ? v.ToString("$0.0000", Invariant) : "–";

    private static string Duration(long ms) =>
        ms >= 60_000 ? TimeSpan.FromMilliseconds(ms).ToString(@"m\m\ ss\s", Invariant) : (ms / 1000.0).ToString("0.0 's'", Invariant);

    private static string Date(DateTimeOffset time) => time.ToString("yyyy-MM-dd", Invariant);

    internal static string Esc(string? text) => WebUtility.HtmlEncode(text ?? "");
}
