namespace Driftwatch.Core.Detection;

/// <summary>An exponentially weighted moving average of the standardised daily evidence (Roberts 1959), calibrated like the CUSUM.</summary>
internal sealed class EwmaDetector : IDetector
{
    public string Name => "ewma";

    public DetectorLimits Limits(DetectorCalibration calibration) =>
        new(calibration.EvidenceLimits.EwmaDown, calibration.EvidenceLimits.EwmaUp);

    public IDetectorRun Start(DetectorContext context, DetectorLimits limits) => new Run(context.Options.EwmaLambda);

    private sealed class Run(double lambda) : IDetectorRun
    {
        private double _average;

        public DetectorStep Observe(DayCounts day, DayEvidence evidence)
        {
            _average = lambda * evidence.Z + (1 - lambda) * _average;
            return new DetectorStep(-_average, _average);
        }
    }
}
