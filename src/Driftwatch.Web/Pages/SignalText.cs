using System.Globalization;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;

namespace Driftwatch.Web.Pages;

/// <summary>How the pages word a signal: its values in its unit, its change, and which signals set a verdict.</summary>
internal static class SignalText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The name of the pass rate among <see cref="Verdict.TriggeredBy"/>.</summary>
    public const string PassRate = "passRate";

    private static bool Money(SignalVerdict signal) => signal.Unit is "USD" or "usd" or "$";

    /// <summary>A value in the signal's unit: "1,234 tokens", "$0.0123".</summary>
    public static string Value(SignalVerdict signal, double? value) => value switch
    {
        null => "–",
        { } v when Money(signal) => v.ToString("$0.0000", Invariant),
        { } v when signal.Unit.Length == 0 => v.ToString("#,0.##", Invariant),
        { } v => $"{v.ToString("#,0.##", Invariant)} {signal.Unit}",
    };

    /// <summary>An axis label: short, in the signal's unit.</summary>
    public static string Axis(SignalVerdict signal, double value) =>
        Money(signal) ? value.ToString("$0.00##", Invariant) : PageFormat.Compact(value);

    /// <summary>A change: relative ("−34%") or in the unit ("+2.5 findings").</summary>
    public static string Change(SignalVerdict signal, double? change)
    {
        if (change is not { } c)
            return "–";
        if (signal.Relative)
            return (c * 100).ToString("+0.#;−0.#;0", Invariant) + "%";
        var sign = c > 0 ? "+" : c < 0 ? "−" : "";
        return sign + Value(signal, Math.Abs(c));
    }

    /// <summary>"output tokens −34% since 2026-04-16 (95% CI −40% to −28%)"; "output tokens: no change measured".</summary>
    public static string Sentence(SignalVerdict signal)
    {
        if (signal.Change is null)
            return $"{signal.Label}: no change measured";
        var since = signal.ChangeDay is { } day ? $"since {PageFormat.Day(day)}" : "over the monitored days";
        var interval = signal.Low is not null && signal.High is not null ? $" (95% CI {Change(signal, signal.Low)} to {Change(signal, signal.High)})" : "";
        return $"{signal.Label} {Change(signal, signal.Change)} {since}{interval}";
    }

    /// <summary>Which way of the signal is worse, in words.</summary>
    public static string Meaning(SignalVerdict signal) => signal.Polarity switch
    {
        SignalPolarity.HigherIsWorse => "higher is worse",
        SignalPolarity.LowerIsWorse => "lower is worse",
        _ => "a move either way is a change, neither better nor worse",
    };

    /// <summary>The direction whose statistic the evidence chart draws: the alarm's, else the larger today.</summary>
    public static string Direction(SignalVerdict signal)
    {
        if (signal.Direction is "up" or "down")
            return signal.Direction;
        var last = signal.Days.LastOrDefault(d => d.Down is not null || d.Up is not null);
        return last is not null && (last.Up ?? 0) > (last.Down ?? 0) ? "up" : "down";
    }

    public static bool Triggered(Verdict verdict, string signal) => verdict.TriggeredBy.Contains(signal, StringComparer.Ordinal);

    /// <summary>How people read a name of <see cref="Verdict.TriggeredBy"/>: "pass rate", or the signal's label.</summary>
    public static string Label(Verdict verdict, string signal) =>
        signal == PassRate ? "pass rate" : verdict.Signals.FirstOrDefault(s => s.Signal == signal)?.Label ?? signal;

    /// <summary>What set a status other than ok (or insufficient): "output tokens, pass rate"; null when nothing is to be named.</summary>
    public static string? Triggers(Verdict verdict) =>
        verdict.Status is VerdictStatus.Ok or VerdictStatus.Insufficient || verdict.TriggeredBy.Count == 0
            ? null
            : string.Join(", ", verdict.TriggeredBy.Select(s => Label(verdict, s)));
}
