using System.Globalization;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;

namespace Driftwatch.Core.Reporting;

/// <summary>
/// The words for what a verdict holds as data, the same in `check`, the JSON, the dashboard and
/// the exports: detection decides, this only says it.
/// </summary>
public static class VerdictText
{
    public static string Note(VerdictNote note) => note.Reason switch
    {
        VerdictReason.NotEnoughHistory =>
            $"not enough history to judge: {note.Days} day(s) since the last declared change, {note.DaysNeeded} needed",
        VerdictReason.AllDaysInBaseline => "every day so far is part of the baseline",
        _ => throw new ArgumentOutOfRangeException(nameof(note), note.Reason, "a verdict reason without words"),
    };

    /// <summary>What a verdict judged on daily totals only says about itself.</summary>
    public const string DailyTotals =
        "judged on daily totals only: some runs were ingested as per-run counts without per-task results, so no task can be named";

    /// <summary>A task's passes over trials before and after the change: "gen-b 19/20 → 1/5".</summary>
    public static string Flip(TaskFlip flip) =>
        $"{flip.Task} {flip.PassesBefore}/{flip.TrialsBefore} → {flip.PassesAfter}/{flip.TrialsAfter}";

    /// <summary>
    /// What moved, one phrase per signal that set the verdict's status, in the order of
    /// <see cref="Verdict.TriggeredBy"/>: "correctness degraded: −12.0 pts since 2026-04-16",
    /// "behaviour changed: output tokens −34% since 2026-04-16 (agent version: …)", "cost worse: agent time +40% since …".
    /// </summary>
    public static IReadOnlyList<string> WhatMoved(Verdict verdict)
    {
        var moved = new List<string>();
        foreach (var name in verdict.TriggeredBy)
        {
            if (name == SignalStatus.PassRate)
            {
                moved.Add(Correctness(verdict));
                continue;
            }
            if (verdict.Signals.FirstOrDefault(s => s.Signal == name) is { } signal)
                moved.Add(Signal(signal));
        }
        return moved;
    }

    /// <summary>The pass rate's part: degraded or improved when its detector alarmed, else its warning (evidence building).</summary>
    private static string Correctness(Verdict v)
    {
        if (v.AlarmDay is null)
            return "correctness: evidence building";
        var what = v.Effect is > 0 ? "correctness improved" : "correctness degraded";
        return v.Effect is { } effect ? $"{what}: {Signed(effect * 100, "0.0")} pts" + (v.ChangeDay is { } day ? $" since {Day(day)}" : "") : what;
    }

    /// <summary>One signal's movement: "behaviour changed: output tokens −34% since 2026-04-16 (agent version: 1.0 → 2.0 …)".</summary>
    public static string Signal(SignalVerdict s)
    {
        var head = s.Polarity == SignalPolarity.Neutral || s.Status == VerdictStatus.Warning
            ? $"{KindName(s.Kind)} changed"
            : s.Status == VerdictStatus.Improved ? $"{KindName(s.Kind)} better" : $"{KindName(s.Kind)} worse";
        var change = s.Change is not { } c ? s.Label
            : s.Relative ? $"{s.Label} {Signed(c * 100, "0")}%"
            : $"{Signed(c, "0.0#")} {s.Label}";
        var since = s.ChangeDay is { } day ? $" since {Day(day)}" : "";
        var around = s.FingerprintChanges.Count > 0 ? $" ({string.Join("; ", s.FingerprintChanges)})" : "";
        return $"{head}: {change}{since}{around}";
    }

    /// <summary>A signal's change with its interval: "−34% (95% CI −37% to −31%)" or "+0.8 lint findings (95% CI +0.3 to +1.2)".</summary>
    public static string Change(SignalVerdict s)
    {
        if (s.Change is not { } c)
            return "–";
        string Value(double x) => s.Relative ? Signed(x * 100, "0") + "%" : Signed(x, "0.0#");
        var interval = s.Low is { } low && s.High is { } high ? $" (95% CI {Value(low)} to {Value(high)})" : "";
        return (s.Relative ? Value(c) : $"{Value(c)} {s.Unit}") + interval;
    }

    /// <summary>Why a signal is not watched: "costUsd not watched: 12 baseline value(s) on 3 day(s), 30 on 7 days needed".</summary>
    public static string NotWatched(SignalVerdict s) => $"{s.Label} not watched: {s.NotWatchedReason}";

    private static string KindName(SignalKind kind) => kind switch
    {
        SignalKind.Correctness => "correctness",
        SignalKind.Quality => "quality",
        SignalKind.Behaviour => "behaviour",
        SignalKind.Cost => "cost",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Signed(double value, string format) =>
        value.ToString("+" + format + ";−" + format + ";" + format, CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
