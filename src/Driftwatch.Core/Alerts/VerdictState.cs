using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;

namespace Driftwatch.Core.Alerts;

/// <summary>
/// What is kept of the last verdict of an agent × suite to tell what is new in the next one: its
/// status, and its behaviour alarms as "signal direction" ("outputTokens down"), sorted. An alarm is
/// named by its signal and direction only, not by its days: the change point and the alarm day are
/// re-estimated with every new day, so the same alarm would otherwise look new each day.
/// </summary>
public sealed record VerdictState(VerdictStatus Status, IReadOnlyList<string> BehaviourAlarms)
{
    public static VerdictState Of(Verdict verdict) =>
        new(verdict.Status, [.. BehaviourAlarmsOf(verdict).Select(Key).Order(StringComparer.Ordinal)]);

    /// <summary>
    /// The behaviour signals of a verdict that alarmed: a watched signal of neutral polarity whose
    /// detector passed its limit (status warning, with an alarm day). A signal above half its limit
    /// only is not one: like the pass rate's warning, it comes and goes.
    /// </summary>
    public static IReadOnlyList<SignalVerdict> BehaviourAlarmsOf(Verdict verdict) =>
        [.. verdict.Signals.Where(s => s.Watched && s.Polarity == SignalPolarity.Neutral && s.Status == VerdictStatus.Warning && s.AlarmDay is not null)];

    public static string Key(SignalVerdict signal) => $"{signal.Signal} {signal.Direction}";

    /// <summary>The signal name of an alarm's key ("outputTokens down" → "outputTokens").</summary>
    public static string SignalOf(string key) => key.Split(' ')[0];

    /// <summary>Same status and same behaviour alarms: nothing to record.</summary>
    public bool SameAs(VerdictState other) =>
        Status == other.Status && BehaviourAlarms.SequenceEqual(other.BehaviourAlarms, StringComparer.Ordinal);
}
