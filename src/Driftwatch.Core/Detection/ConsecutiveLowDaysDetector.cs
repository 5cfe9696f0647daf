using MathNet.Numerics.Distributions;

namespace Driftwatch.Core.Detection;

/// <summary>
/// Alarms when each of the last K days is low: its total passes below the baseline's lower bound
/// for that day's trials, i.e. its standardised evidence z below −c. The cut-off c is set from the
/// false-alarm budget in closed form, with no simulation: if a day is low with probability q, the
/// mean wait for K low days in a row is (1 − q^K) / ((1 − q) q^K) (Feller 1968, §XIII.7), and q is
/// chosen so that this wait equals ARL0; c = Φ⁻¹(1 − q). The design treats the baseline as known
/// and days as normal and independent; the false alarms `simulate` measures say how far that holds.
/// </summary>
internal sealed class ConsecutiveLowDaysDetector : IDetector
{
    public ConsecutiveLowDaysDetector(int days = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        Days = days;
    }

    public string Name => "last-days";

    /// <summary>K: how many low days in a row raise the alarm.</summary>
    public int Days { get; }

    /// <summary>The statistic is the count of low days in a row; the alarm comes at K.</summary>
    public DetectorLimits Limits(DetectorCalibration calibration) => new(Days - 0.5, Days - 0.5);

    public IDetectorRun Start(DetectorContext context, DetectorLimits limits) => new Run(Cutoff(Days, context.Options.Arl0));

    /// <summary>The cut-off c in standard deviations: a day is low when z &lt; −c, high when z &gt; c.</summary>
    public static double Cutoff(int days, double arl0) => Normal.InvCDF(0, 1, 1 - LowDayProbability(days, arl0));

    /// <summary>The probability q of a low day for which K low days in a row take ARL0 days on average.</summary>
    public static double LowDayProbability(int days, double arl0)
    {
        // The mean wait falls as q rises; bisection on (0, 1).
        double Wait(double q) => (1 - Math.Pow(q, days)) / ((1 - q) * Math.Pow(q, days));
        double low = 1e-12, high = 1 - 1e-12;
        for (var i = 0; i < 200; i++)
        {
            var mid = (low + high) / 2;
            if (Wait(mid) > arl0)
                low = mid;
            else
                high = mid;
        }
        return (low + high) / 2;
    }

    private sealed class Run(double cutoff) : IDetectorRun
    {
        private int _low, _high;

        public DetectorStep Observe(DayCounts day, DayEvidence evidence)
        {
            _low = evidence.Z < -cutoff ? _low + 1 : 0;
            _high = evidence.Z > cutoff ? _high + 1 : 0;
            return new DetectorStep(_low, _high);
        }
    }
}
