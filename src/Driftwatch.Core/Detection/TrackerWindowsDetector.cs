namespace Driftwatch.Core.Detection;

/// <summary>
/// The public trackers' rule, kept for comparison (<see cref="TrackerRule"/>): a statistic of 1 on
/// a day any window fires, against a limit of 0.5; nothing to calibrate.
/// </summary>
internal sealed class TrackerWindowsDetector : IDetector
{
    public string Name => "tracker-windows";

    public IReadOnlyList<string> Aliases => ["tracker"];

    public bool LocatesChangeInEvidence => false;

    public DetectorLimits Limits(DetectorCalibration calibration) => new(0.5, 0.5);

    public IDetectorRun Start(DetectorContext context, DetectorLimits limits) => new Run(context);

    private sealed class Run(DetectorContext context) : IDetectorRun
    {
        private readonly List<DayCounts> _days = [.. context.BaselineDays];

        public DetectorStep Observe(DayCounts day, DayEvidence evidence)
        {
            _days.Add(day);
            var (worse, better) = TrackerRule.Evaluate(_days, _days.Count - 1, context.Baseline.PassRate, context.Options.TrackerAlpha);
            return new DetectorStep(worse ? 1 : 0, better ? 1 : 0);
        }
    }
}
