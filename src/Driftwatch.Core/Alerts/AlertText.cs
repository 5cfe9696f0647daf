using System.Globalization;
using System.Text;

namespace Driftwatch.Core.Alerts;

/// <summary>The facts of an alert, as label and value, in the order every format shows them.</summary>
public static class AlertText
{
    public static string Title(Alert alert)
    {
        var subject = $"{alert.Agent} on {alert.Suite}";
        var was = alert.PreviousVerdict is { } previous ? $" (was {previous})" : "";
        return alert.Event switch
        {
            AlertEvents.Degraded => $"{subject}: DEGRADED{was}",
            AlertEvents.Improved => $"{subject}: improved{was}",
            AlertEvents.Recovered => $"{subject}: back to {alert.Verdict}{was}",
            AlertEvents.Changed => $"{subject}: behaviour changed{was}",
            AlertEvents.Incomplete => $"{subject}: run {alert.RunId} ended incomplete",
            AlertEvents.Failed => $"{subject}: the scheduled run could not be made",
            AlertEvents.SuspectTrials => $"{subject}: run {alert.RunId} had {Trials(alert.SuspectTrials)} whose change touched the test machinery",
            AlertEvents.ModelFallback => $"{subject}: run {alert.RunId} had " + string.Join(" and ", new[]
            {
                alert.FallbackTrials is > 0 ? $"{Trials(alert.FallbackTrials)} served by a fallback model" : null,
                alert.RefusedTrials is > 0 ? $"{Trials(alert.RefusedTrials)} refused" : null,
            }.OfType<string>()),
            _ => $"{subject}: {alert.Event}",
        };
    }

    public static IReadOnlyList<(string Label, string Value)> Facts(Alert alert)
    {
        var facts = new List<(string, string)>();
        // Only when a signal besides the pass rate set the verdict, or a behaviour signal alarmed beside
        // the one that did (a degraded verdict's behaviour change): the pass rate's own effect follows.
        var moved = alert.Moved.Concat(alert.BehaviourChanges.Select(c => c.Text)).Distinct(StringComparer.Ordinal).ToList();
        if (moved.Count > 1 || (moved.Count == 1 && !moved[0].StartsWith("correctness", StringComparison.Ordinal)))
        {
            foreach (var phrase in moved)
                facts.Add(("what moved", phrase));
        }
        foreach (var behaviour in alert.BehaviourChanges)
        {
            var days = behaviour.ChangeDay is { } began ? $", change began {Day(began)}" + (behaviour.AlarmDay is { } on ? $", alarm on {Day(on)}" : "") : "";
            facts.Add((behaviour.Label, behaviour.Interval + days));
        }
        if (alert.BehaviourEnded.Count > 0)
            facts.Add(("behaviour back to its baseline", string.Join(", ", alert.BehaviourEnded)));
        if (alert.Effect is { } effect)
        {
            var since = alert.ChangeDay is { } day ? $"since {Day(day)}" : "over the monitored days";
            facts.Add(("effect", $"{Points(effect)} {since} (95% CI {Points(alert.Low)} to {Points(alert.High)})"));
        }
        if (alert.RecentPassRate is { } recent && alert.Event != AlertEvents.Incomplete)
            facts.Add(("pass rate", $"{Percent(recent)}" + (alert.BaselinePassRate is { } baseline ? $", baseline {Percent(baseline)}" : "")));
        if (alert.ChangeDay is { } change)
            facts.Add(("change began", Day(change) + (alert.AlarmDay is { } alarm ? $", alarm on {Day(alarm)}" : "")));
        if (alert.DailyTotals)
            facts.Add(("judged on", Reporting.VerdictText.DailyTotals));
        if (alert.FlippedTasks.Count > 0)
            facts.Add(("tasks that moved most", string.Join("; ", alert.FlippedTasks)));
        foreach (var around in alert.FingerprintChanges)
            facts.Add(("changed around then", around));
        if (alert.Event == AlertEvents.Incomplete)
        {
            facts.Add(("trials", $"{alert.Trials} planned, {alert.Errors} in infrastructure errors, {alert.Pending} not run" +
                (alert.RecentPassRate is { } rate ? $"; pass rate of the scored ones {Percent(rate)}" : "")));
            facts.Add(("to finish it", $"driftwatch run --resume {alert.RunId}"));
        }
        if (alert.Problem is { } problem)
            facts.Add(("problem", problem));
        if (alert.SuspectTrials is > 0)
            facts.Add(("suspect trials", $"{alert.SuspectTrials} of {alert.Trials}: the change went for the tests; a pass among them is not counted (error suspect)"));
        if (alert.FallbackTrials is > 0)
            facts.Add(("served by a fallback model", $"{alert.FallbackTrials} of {alert.Trials}"));
        if (alert.RefusedTrials is > 0)
            facts.Add(("refused", $"{alert.RefusedTrials} of {alert.Trials}"));
        foreach (var flag in alert.Flags)
            facts.Add(("flagged", flag.ToString()));
        if (alert.Event is AlertEvents.SuspectTrials or AlertEvents.ModelFallback && alert.RunId is { } flaggedRun)
            facts.Add(("to see every flag", $"driftwatch show {flaggedRun}"));
        if (alert.RunId is { } run && alert.Event != AlertEvents.Incomplete)
            facts.Add(("run", run.ToString(CultureInfo.InvariantCulture)));
        if (alert.Schedule is { } schedule)
            facts.Add(("schedule", alert.Slot is { } slot ? $"{schedule}, slot {slot.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : schedule));
        if (alert.DashboardUrl is { } url)
            facts.Add(("dashboard", url));
        return facts;
    }

    /// <summary>Title and one fact a line.</summary>
    public static string Plain(Alert alert)
    {
        var text = new StringBuilder("Driftwatch: ").Append(Title(alert));
        foreach (var (label, value) in Facts(alert))
            text.Append('\n').Append("  ").Append(label).Append(": ").Append(value);
        return text.ToString();
    }

    private static string Trials(int? count) => count == 1 ? "1 trial" : $"{count} trials";

    public static string Points(double? value) =>
        value is { } v ? (v * 100).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture) + " pts" : "–";

    public static string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
