namespace Driftwatch.Core.Detection;

/// <summary>Page's CUSUM on the standardised daily evidence (Page 1954), calibrated to the false-alarm budget.</summary>
internal sealed class CusumDetector : IDetector
{
    public string Name => "cusum";

    public DetectorLimits Limits(DetectorCalibration calibration) =>
        new(calibration.EvidenceLimits.CusumDown, calibration.EvidenceLimits.CusumUp);

    public IDetectorRun Start(DetectorContext context, DetectorLimits limits) => new Run();

    private sealed class Run : IDetectorRun
    {
        private double _down, _up;

        public DetectorStep Observe(DayCounts day, DayEvidence evidence)
        {
            _down = Math.Max(0, _down - evidence.Z - evidence.K);
            _up = Math.Max(0, _up + evidence.Z - evidence.K);
            return new DetectorStep(_down, _up);
        }
    }
}
