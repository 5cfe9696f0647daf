namespace Driftwatch.Core.Detection.Signals;

/// <summary>
/// How the verdict's status combines the pass rate's with the signals' (docs/signals.md):
/// correctness, or a quality or cost signal alarming in its worse direction, degrades; a behaviour
/// signal alarming either way (or the pass rate's own warning) warns, unless something degraded;
/// improved only when the only alarms are in better directions.
/// </summary>
public static class SignalStatus
{
    /// <summary>The name of the pass rate among the signals that set a status.</summary>
    public const string PassRate = "passRate";

    public static (VerdictStatus Status, IReadOnlyList<string> TriggeredBy) Combine(VerdictStatus passRate, IReadOnlyList<SignalVerdict> signals)
    {
        foreach (var level in (VerdictStatus[])[VerdictStatus.Degraded, VerdictStatus.Warning, VerdictStatus.Improved])
        {
            var triggered = signals.Where(s => s.Watched && s.Status == level).Select(s => s.Signal).ToList();
            if (passRate == level)
                triggered.Insert(0, PassRate);
            if (triggered.Count > 0)
                return (level, triggered);
        }
        return (VerdictStatus.Ok, []);
    }
}
