using Driftwatch.Core.Detection;

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
}
