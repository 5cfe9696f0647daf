using Driftwatch.Core.Detection;
using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Planning;

/// <summary>One candidate design: how many trials a day, spent how.</summary>
public sealed record DesignResult
{
    public required string Allocation { get; init; }
    public required int TrialsPerTask { get; init; }
    public required int TrialsPerDay { get; init; }

    /// <summary>Share of simulated drops found within the horizon.</summary>
    public required double Power { get; init; }

    public required double MeanDelay { get; init; }
    public required double MedianDelay { get; init; }
    public required double Threshold { get; init; }
}

public sealed record PlanOptions
{
    public double Drop { get; init; } = 0.05;
    public double Power { get; init; } = 0.8;
    public int Within { get; init; } = 7;
    public int MaxTrialsPerTask { get; init; } = 8;
    public int BaselineDays { get; init; } = 30;
    public int Paths { get; init; } = 400;
    public DetectorOptions Detection { get; init; } = new();
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// How many trials a day a target drop needs (`driftwatch plan`): for K = 1, 2, … trials per task
/// (and the same budgets spent adaptively), the CUSUM is calibrated to the false-alarm budget on a
/// baseline of the given rates, then a step drop of the target size is simulated many times from the
/// first monitored day, each path with its own freshly estimated baseline; the power is the share
/// found within the horizon.
/// </summary>
public static class DesignPlanner
{
    public static IReadOnlyList<DesignResult> Evaluate(IReadOnlyList<double> rates, PlanOptions options)
    {
        var results = new List<DesignResult>();
        var tasks = rates.Count;
        for (var k = 1; k <= options.MaxTrialsPerTask; k++)
        {
            var uniform = new UniformAllocation(tasks, k);
            results.Add(Evaluate(rates, k, "uniform", _ => uniform, options));
            results.Add(Evaluate(rates, k, "adaptive", fitted => new AdaptiveAllocation(fitted.Rates, tasks * k), options));
            if (results.Where(r => r.TrialsPerTask == k).All(r => r.Power >= options.Power) && k > 1)
                break;
        }
        return results;
    }

    private static DesignResult Evaluate(IReadOnlyList<double> rates, int k, string label, Func<Baseline, IAllocation> policy, PlanOptions options)
    {
        var tasks = rates.Count;
        var baselineAllocations = Enumerable.Range(0, options.BaselineDays).Select(_ => Enumerable.Repeat(k, tasks).ToArray()).ToList();
        var model = Baseline.Of(rates);
        var rng = Rng.Derive(options.Seed, k, label.Length);
        var thresholds = ThresholdCalibrator.Calibrate(model, baselineAllocations, policy, options.Detection, rng.NextUInt64(), downOnly: true);
        var logits = rates.Select(Logit.Of).ToArray();
        var shift = Logit.ShiftForMeanChange(rates, -options.Drop);
        var horizon = Math.Max(60, options.Within * 8);
        var delays = new double[options.Paths];
        for (var path = 0; path < options.Paths; path++)
        {
            var days = ThresholdCalibrator.SimulateDays(model, baselineAllocations, rng);
            var fitted = Baseline.Fit(days);
            var allocation = policy(fitted);
            var evidence = new Evidence(fitted, options.Detection.TargetDrop, options.Detection.EvidenceClip);
            double s = 0;
            var delay = horizon + 1.0;
            for (var t = 1; t <= horizon; t++)
            {
                var trials = allocation.TrialsOn(t - 1);
                var passes = new int[tasks];
                for (var i = 0; i < tasks; i++)
                    passes[i] = rng.NextBinomial(trials[i], Logit.Inverse(logits[i] + shift));
                var (z, kRef) = evidence.Of(new DayCounts(default, trials, passes));
                s = Math.Max(0, s - z - kRef);
                if (s > thresholds.CusumDown)
                {
                    delay = t;
                    break;
                }
            }
            delays[path] = delay;
        }
        Array.Sort(delays);
        return new DesignResult
        {
            Allocation = label,
            TrialsPerTask = k,
            TrialsPerDay = tasks * k,
            Power = delays.Count(d => d <= options.Within) / (double)delays.Length,
            MeanDelay = delays.Average(),
            MedianDelay = PairedBootstrap.Quantile(delays, 0.5),
            Threshold = thresholds.CusumDown,
        };
    }

    /// <summary>The rates of the reference model of docs/detection.md for <paramref name="tasks"/> tasks (a fixed draw).</summary>
    public static double[] ReferenceRates(int tasks, ulong seed = 7) => new Simulation.ReferenceSuite(tasks, new Rng(seed)).Rates;
}
