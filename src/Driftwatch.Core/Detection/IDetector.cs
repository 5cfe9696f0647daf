namespace Driftwatch.Core.Detection;

/// <summary>
/// A detection rule: its name (as configuration, `--detector` and the JSON spell it), the alarm
/// limits it needs for a fitted baseline, and a run that follows monitored days one at a time.
/// Detectors are listed in <see cref="DetectorCatalog"/>.
/// </summary>
public interface IDetector
{
    /// <summary>The name `check`, `simulate` and the JSON use (docs/detection.md).</summary>
    string Name { get; }

    /// <summary>Other spellings `--detector` accepts.</summary>
    IReadOnlyList<string> Aliases => [];

    /// <summary>
    /// Whether the change day is the most likely start of a mean shift in the daily evidence
    /// (true) or the first day of the current alarm (false).
    /// </summary>
    bool LocatesChangeInEvidence => true;

    /// <summary>The alarm limits for one fitted baseline (the calibration hook).</summary>
    DetectorLimits Limits(DetectorCalibration calibration);

    /// <summary>A run of this detector over the days that follow the baseline.</summary>
    IDetectorRun Start(DetectorContext context, DetectorLimits limits);

    /// <summary>Evidence building up without an alarm (a warning): by default the "worse" statistic past half its limit.</summary>
    bool Warns(DetectorTrace trace) => trace.Down.Length > 0 && trace.Down[^1] > trace.DownThreshold / 2;
}

/// <summary>One detector following the monitored days in order.</summary>
public interface IDetectorRun
{
    /// <summary>Takes the next monitored day and its standardised evidence; returns both statistics after it.</summary>
    DetectorStep Observe(DayCounts day, DayEvidence evidence);
}

/// <summary>The standardised evidence z of a day under the baseline (clipped) and the CUSUM reference value k for its trials.</summary>
public readonly record struct DayEvidence(double Z, double K);

/// <summary>A detector's "worse" and "better" statistics after one day.</summary>
public readonly record struct DetectorStep(double Down, double Up);

/// <summary>Alarm limits of one detector: an alarm when a statistic is above its limit.</summary>
public sealed record DetectorLimits(double Down, double Up);

/// <summary>What a run starts from: the fitted baseline, its days and the detection options.</summary>
public sealed record DetectorContext(Baseline Baseline, IReadOnlyList<DayCounts> BaselineDays, DetectorOptions Options);

/// <summary>
/// What calibrating a detector can use: the fitted baseline, the options (ARL0 budget) and the
/// simulation-calibrated limits of the evidence statistics (CUSUM and EWMA share one simulation,
/// run only when a detector asks for it).
/// </summary>
public sealed class DetectorCalibration(Baseline baseline, DetectorOptions options, Func<Thresholds> simulate)
{
    private readonly Lazy<Thresholds> _evidenceLimits = new(simulate);

    public Baseline Baseline { get; } = baseline;
    public DetectorOptions Options { get; } = options;

    /// <summary>The limits <see cref="ThresholdCalibrator"/> finds for the CUSUM and the EWMA of this baseline.</summary>
    public Thresholds EvidenceLimits => _evidenceLimits.Value;
}
