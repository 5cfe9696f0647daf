using System.Globalization;
using System.Text;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Reporting;
using Driftwatch.Core.Runs;

namespace Driftwatch.Web.Pages;

/// <summary>How the pages write figures, dates and flag names: plain text, escaped where a component puts it.</summary>
internal static class PageFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static readonly FlagKind[] CountedKinds = [FlagKind.Suspect, FlagKind.Fallback, FlagKind.Refusal];

    public static readonly IReadOnlyList<string> NoFlags = [];

    public static string Label(FlagKind kind) => kind switch
    {
        FlagKind.Suspect => "suspect",
        FlagKind.Fallback => "fallback model",
        FlagKind.Refusal => "refused",
        _ => "flag",
    };

    public static IReadOnlyList<string> FlagsOf(Trial trial) => trial.Flags.IsDefaultOrEmpty ? NoFlags : trial.Flags;

    public static string RateText(RunSummary summary) =>
        summary.PassRate is { } rate && summary.Interval is { } ci
            ? string.Create(Invariant, $"{rate:0.0%} (95% {ci.Low:0.0%}–{ci.High:0.0%}), {summary.Pass}/{summary.Scored}")
            : "–";

    public static string Effect(Verdict v) =>
        v.Effect is { } e
            ? string.Create(Invariant, $"{e * 100:+0.0;−0.0;0.0} pts") + (v.Low is { } lo && v.High is { } hi ? string.Create(Invariant, $" ({lo * 100:+0.0;−0.0;0.0} to {hi * 100:+0.0;−0.0;0.0})") : "")
            : "–";

    public static string VerdictSentence(Verdict v)
    {
        if (v.Note is { } note && v.BaselinePassRate is null)
            return VerdictText.Note(note) + (v.DailyTotals ? $"; {VerdictText.DailyTotals}." : "");
        var text = new StringBuilder();
        text.Append(Invariant, $"Baseline {Percent(v.BaselinePassRate)} ({v.BaselineFrom:yyyy-MM-dd} – {v.BaselineTo:yyyy-MM-dd}, {v.BaselineDays} days); ");
        text.Append(Invariant, $"{v.MonitoredDays} days monitored since, recent pass rate {Percent(v.RecentPassRate)}, effect {Effect(v)}. ");
        if (v.ChangeDay is { } changeDay)
            text.Append(Invariant, $"The change began about {changeDay:yyyy-MM-dd}");
        if (v.AlarmDay is { } alarm)
            text.Append(Invariant, $"; the {v.Detector} detector raised the alarm on {alarm:yyyy-MM-dd}");
        if (v.ChangeDay is not null)
            text.Append(". ");
        if (v.Note is { } n)
            text.Append(VerdictText.Note(n));
        if (v.DailyTotals)
            text.Append(text[^1] == ' ' ? "" : " ").Append(char.ToUpperInvariant(VerdictText.DailyTotals[0])).Append(VerdictText.DailyTotals, 1, VerdictText.DailyTotals.Length - 1).Append('.');
        return text.ToString();
    }

    public static string Percent(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString("0.0%", Invariant) : "–";

    public static string Number(long? value) => value?.ToString("N0", Invariant) ?? "–";

    public static string Money(decimal? value) => value is { } v ? v.ToString("$0.0000", Invariant) : "–";

    public static string Duration(long ms) =>
        ms >= 60_000 ? TimeSpan.FromMilliseconds(ms).ToString(@"m\m\ ss\s", Invariant) : (ms / 1000.0).ToString("0.0 's'", Invariant);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", Invariant);

    public static string Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", Invariant) ?? "–";

    public static string Date(DateTimeOffset time) => time.ToString("yyyy-MM-dd", Invariant);

    public static string Count(int count) => count.ToString(Invariant);

    /// <summary>A change in points: "+1.5 pts", "−9.9 pts".</summary>
    public static string Points(double? change) => change is { } c ? (c * 100).ToString("+0.0;−0.0;0.0", Invariant) + " pts" : "–";

    /// <summary>A cell background from red (0%) through yellow to green (100%), light enough for dark text.</summary>
    public static string RateBackground(double rate) =>
        double.IsNaN(rate) ? "background:#eeeeee" : string.Create(Invariant, $"background:hsl({rate * 120:0},60%,82%)");

    /// <summary>"a fail", "an error".</summary>
    public static string WithArticle(string noun) => (noun.Length > 0 && "aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an " : "a ") + noun;

    /// <summary>A short axis label for a count: 1.2k, 3.4M.</summary>
    public static string Compact(double value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.#", Invariant) + "M",
        >= 1_000 => (value / 1_000).ToString("0.#", Invariant) + "k",
        _ => value.ToString("0.##", Invariant),
    };
}
