namespace Driftwatch.Core.Runs;

/// <summary>
/// A task "flips" between two runs when its majority outcome changes: pass rate at or above one
/// half in one run, below it in the other. The dashboard marks flips (broke / fixed) and `db gc`
/// keeps the artifacts of flipped tasks.
/// </summary>
public static class TaskFlips
{
    /// <summary>The task's pass rate among its scored trials (an infrastructure error scores nothing); null when none scored.</summary>
    public static double? PassRate(IEnumerable<Trial> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var scored = 0;
        var passes = 0;
        foreach (var trial in trials)
        {
            if (trial.Outcome == TrialOutcome.Error)
                continue;
            scored++;
            if (trial.Outcome == TrialOutcome.Pass)
                passes++;
        }
        return scored == 0 ? null : (double)passes / scored;
    }

    /// <summary>Whether the majority outcome changed from <paramref name="before"/> to <paramref name="now"/> (both known).</summary>
    public static bool Flipped(double? before, double? now) =>
        before is { } b && now is { } n && (b >= 0.5) != (n >= 0.5);
}
