namespace Driftwatch.Core.Detection;

/// <summary>How detectors are designed and calibrated.</summary>
public sealed record DetectorOptions
{
    /// <summary>False-alarm budget: mean days between false alarms when nothing changed, per direction.</summary>
    public double Arl0 { get; init; } = 365;

    /// <summary>The drop in suite-mean pass rate the CUSUM is tuned for (its reference value is half of it, in standard deviations).</summary>
    public double TargetDrop { get; init; } = 0.03;

    /// <summary>
    /// Daily evidence is clipped to ±this many standard deviations before it enters the CUSUM and
    /// the EWMA, so that one extreme day (an outage scored as failures) cannot raise an alarm on
    /// its own; persistent changes still add up day after day.
    /// </summary>
    public double EvidenceClip { get; init; } = 3;

    /// <summary>Weight of the newest day in the EWMA.</summary>
    public double EwmaLambda { get; init; } = 0.2;

    /// <summary>
    /// The confidence that the baseline actually observed meets the ARL0 (guaranteed conditional
    /// performance, docs/detection.md): 0 calibrates the CUSUM to the ARL0 on average over the
    /// baselines one might have observed; p &gt; 0 raises its limits until the ARL0 holds for this
    /// baseline with probability p. The default, 0.75, keeps the share of baselines that raise a
    /// false alarm in their first 30 days under 5% on the reference model (4.3%; 19% on average alone).
    /// </summary>
    public double Guarantee { get; init; } = 0.75;

    /// <summary>Simulated paths per calibration.</summary>
    public int CalibrationPaths { get; init; } = 300;

    /// <summary>Pilot calibration paths are followed for this many times the ARL0 target at most.</summary>
    public double CalibrationHorizon { get; init; } = 2;

    /// <summary>Main calibration paths stop at this many days, as `simulate` caps its null runs.</summary>
    public double CalibrationCap { get; init; } = 3000;

    /// <summary>Significance of each window test of the trackers' rule.</summary>
    public double TrackerAlpha { get; init; } = 0.05;

    public static readonly int[] TrackerWindows = [1, 7, 30];
}

/// <summary>Alarm limits, per detector and direction, in the units of each statistic.</summary>
public sealed record Thresholds(double CusumDown, double CusumUp, double EwmaDown, double EwmaUp)
{
    /// <summary>The calibration's own estimate of the ARL0 it reached for the CUSUM (days).</summary>
    public double EstimatedCusumArl0 { get; init; }
}

/// <summary>A detector's statistic day by day, and what it concluded.</summary>
public sealed record DetectorTrace
{
    public required string Detector { get; init; }

    /// <summary>The "worse" statistic per monitoring day (CUSUM sum; −EWMA; tracker: 1 on a day any window fires).</summary>
    public required double[] Down { get; init; }

    /// <summary>The "better" statistic per monitoring day.</summary>
    public required double[] Up { get; init; }

    public required double DownThreshold { get; init; }
    public required double UpThreshold { get; init; }

    /// <summary>Index of the first monitoring day the "worse" statistic crossed its threshold, if any.</summary>
    public int? FirstDownAlarm { get; init; }

    public int? FirstUpAlarm { get; init; }

    public bool DownNow => Down.Length > 0 && Down[^1] > DownThreshold;
    public bool UpNow => Up.Length > 0 && Up[^1] > UpThreshold;

    /// <summary>
    /// Where the current excursion began: the most likely first day of a shift in the mean of the
    /// daily evidence (for the CUSUM and the EWMA), or the first day of the current alarm (trackers).
    /// </summary>
    public int? ChangeIndex { get; init; }
}

/// <summary>Runs a detector over the monitoring days of a fitted baseline.</summary>
internal static class DetectorRunner
{
    public static DetectorTrace Run(IDetector detector, Baseline baseline, DetectorLimits limits, DetectorOptions options,
        IReadOnlyList<DayCounts> baselineDays, IReadOnlyList<DayCounts> monitoring)
    {
        var n = monitoring.Count;
        var down = new double[n];
        var up = new double[n];
        var zs = new double[n];
        var evidence = new Evidence(baseline, options.TargetDrop, options.EvidenceClip);
        var run = detector.Start(new DetectorContext(baseline, baselineDays, options), limits);
        for (var t = 0; t < n; t++)
        {
            var (z, k) = evidence.Of(monitoring[t]);
            zs[t] = z;
            (down[t], up[t]) = run.Observe(monitoring[t], new DayEvidence(z, k));
        }
        return Trace(detector, down, up, limits.Down, limits.Up, detector.LocatesChangeInEvidence ? zs : null);
    }

    private static DetectorTrace Trace(IDetector detector, double[] down, double[] up, double downThreshold, double upThreshold, double[]? evidence)
    {
        int? firstDown = null, firstUp = null;
        for (var t = 0; t < down.Length; t++)
        {
            if (firstDown is null && down[t] > downThreshold)
                firstDown = t;
            if (firstUp is null && up[t] > upThreshold)
                firstUp = t;
        }

        int? change = null;
        var downNow = down.Length > 0 && down[^1] > downThreshold;
        var upNow = up.Length > 0 && up[^1] > upThreshold;
        if (downNow || upNow)
        {
            var statistic = downNow ? down : up;
            var threshold = downNow ? downThreshold : upThreshold;
            // The current alarm began where the statistic last rose above its limit.
            var alarm = statistic.Length - 1;
            while (alarm > 0 && statistic[alarm - 1] > threshold)
                alarm--;
            change = evidence is null ? alarm : ChangePoint(evidence, alarm, downNow ? -1 : 1);
        }
        return new DetectorTrace
        {
            Detector = detector.Name,
            Down = down,
            Up = up,
            DownThreshold = downThreshold,
            UpThreshold = upThreshold,
            FirstDownAlarm = firstDown,
            FirstUpAlarm = firstUp,
            ChangeIndex = change,
        };
    }

    /// <summary>
    /// The most likely first day of a sustained shift in the mean of the evidence, given that an
    /// alarm rose on day <paramref name="alarm"/>: the τ ≤ alarm maximising (Σ_{t≥τ} d·zₜ)² / (n − τ)
    /// with a positive sum — the generalised-likelihood-ratio estimate for a mean shift of unknown
    /// size in unit-variance data (Siegmund &amp; Venkatraman 1995), using every day up to today.
    /// </summary>
    internal static int ChangePoint(double[] evidence, int alarm, int direction)
    {
        var n = evidence.Length;
        double sum = 0, best = double.NegativeInfinity;
        var argBest = alarm;
        for (var tau = n - 1; tau >= 0; tau--)
        {
            sum += direction * evidence[tau];
            if (tau > alarm)
                continue;
            var score = sum > 0 ? sum * sum / (n - tau) : double.NegativeInfinity;
            if (score > best)
            {
                best = score;
                argBest = tau;
            }
        }
        return argBest;
    }
}

/// <summary>
/// One window of the trackers' rule on one day, with the figures the public Claude Code tracker
/// shows for it: the window's trials and passes, its accuracy with the 95% Wilson interval, the
/// one-sided exact binomial p-values against the baseline p₀, and the "±X% threshold for
/// significance" for its number of trials.
/// </summary>
/// <param name="Days">The window's length in days (1, 7 or 30).</param>
/// <param name="Trials">Trials in the window (N).</param>
/// <param name="Passes">Passes among them.</param>
/// <param name="Accuracy">Passes / trials.</param>
/// <param name="WilsonLow">Low end of the 95% Wilson interval of the accuracy.</param>
/// <param name="WilsonHigh">High end of it.</param>
/// <param name="PLower">P(X ≤ passes | trials, p₀): the p-value of "worse".</param>
/// <param name="PUpper">P(X ≥ passes | trials, p₀): the p-value of "better".</param>
/// <param name="DropThreshold">
/// p₀ − k/trials for the largest pass count k at which the rule would call this window worse: the
/// smallest drop that is significant; null when no count is.
/// </param>
/// <param name="RiseThreshold">The same for "better": k/trials − p₀ for the smallest such k; null when none is.</param>
/// <param name="Worse">p₀ lies above the Wilson interval, or <paramref name="PLower"/> &lt; α.</param>
/// <param name="Better">p₀ lies below the Wilson interval, or <paramref name="PUpper"/> &lt; α.</param>
public sealed record TrackerWindow(
    int Days, int Trials, int Passes, double Accuracy, double WilsonLow, double WilsonHigh, double PLower, double PUpper,
    double? DropThreshold, double? RiseThreshold, bool Worse, bool Better)
{
    /// <summary>
    /// The "±X% threshold for significance": the larger of the two, so that a change beyond it either
    /// way is significant (our reading of the tracker's published figures, docs/detection.md); null
    /// when one direction cannot be significant at all.
    /// </summary>
    public double? Threshold => DropThreshold is { } drop && RiseThreshold is { } rise ? Math.Max(drop, rise) : null;
}

/// <summary>
/// The rule of the public trackers, kept for comparison: the pass rate of the last 1, 7 and 30
/// days is tested against the baseline pass rate p₀ every day — a drop when p₀ lies above the
/// window's 95% Wilson interval or a one-sided exact binomial test gives p &lt; α — with no
/// correction for testing three windows every day, and the binomial variance N·p₀(1−p₀).
/// </summary>
public static class TrackerRule
{
    /// <summary>
    /// The windows ending at day <paramref name="end"/> of <paramref name="days"/>, shortest first: one
    /// per window with that many days so far and at least one trial in them.
    /// </summary>
    public static IReadOnlyList<TrackerWindow> Windows(IReadOnlyList<DayCounts> days, int end, double p0, double alpha) =>
        [.. Measure(days, end, p0, alpha).Select(w => w with
        {
            DropThreshold = DropThreshold(w.Trials, p0, alpha),
            RiseThreshold = RiseThreshold(w.Trials, p0, alpha),
        })];

    /// <summary>Whether any window ending at day <paramref name="end"/> fires, each way.</summary>
    public static (bool Worse, bool Better) Evaluate(IReadOnlyList<DayCounts> days, int end, double p0, double alpha)
    {
        // The thresholds do not decide anything: left out here, where simulations call this every day of every path.
        bool worse = false, better = false;
        foreach (var window in Measure(days, end, p0, alpha))
        {
            worse |= window.Worse;
            better |= window.Better;
        }
        return (worse, better);
    }

    /// <summary>The windows' counts, statistics and verdicts, without their thresholds.</summary>
    private static IEnumerable<TrackerWindow> Measure(IReadOnlyList<DayCounts> days, int end, double p0, double alpha)
    {
        foreach (var window in DetectorOptions.TrackerWindows)
        {
            if (end + 1 < window)
                continue;
            int passes = 0, trials = 0;
            for (var d = end - window + 1; d <= end; d++)
            {
                passes += days[d].TotalPasses;
                trials += days[d].TotalTrials;
            }
            if (trials == 0)
                continue;
            yield return Judge(window, passes, trials, p0, alpha);
        }
    }

    /// <summary>One window's statistics and what the rule concludes from them (thresholds left out).</summary>
    private static TrackerWindow Judge(int days, int passes, int trials, double p0, double alpha)
    {
        var wilson = Statistics.Wilson.Interval(passes, trials);
        var pLower = Statistics.Binomial.TestLower(passes, trials, p0);
        var pUpper = Statistics.Binomial.TestUpper(passes, trials, p0);
        return new TrackerWindow(days, trials, passes, (double)passes / trials, wilson.Low, wilson.High, pLower, pUpper,
            DropThreshold: null, RiseThreshold: null,
            Worse: wilson.High < p0 || pLower < alpha,
            Better: wilson.Low > p0 || pUpper < alpha);
    }

    private static bool Worse(int passes, int trials, double p0, double alpha) => Judge(0, passes, trials, p0, alpha).Worse;

    private static bool Better(int passes, int trials, double p0, double alpha) => Judge(0, passes, trials, p0, alpha).Better;

    /// <summary>
    /// p₀ − k/n for the largest k that is called worse — the rule fires for every count up to k, as
    /// both of its tests do — found by bisection; null when not even 0 passes is.
    /// </summary>
    internal static double? DropThreshold(int trials, double p0, double alpha)
    {
        if (!Worse(0, trials, p0, alpha))
            return null;
        int fires = 0, quiet = trials + 1;
        while (quiet - fires > 1)
        {
            var mid = fires + (quiet - fires) / 2;
            if (Worse(mid, trials, p0, alpha))
                fires = mid;
            else
                quiet = mid;
        }
        return p0 - (double)fires / trials;
    }

    /// <summary>k/n − p₀ for the smallest k that is called better (the rule fires for every count from k up); null when not even n passes is.</summary>
    internal static double? RiseThreshold(int trials, double p0, double alpha)
    {
        if (!Better(trials, trials, p0, alpha))
            return null;
        int quiet = -1, fires = trials;
        while (fires - quiet > 1)
        {
            var mid = quiet + (fires - quiet) / 2;
            if (Better(mid, trials, p0, alpha))
                fires = mid;
            else
                quiet = mid;
        }
        return (double)fires / trials - p0;
    }
}
