using System.Collections.Concurrent;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Simulation;

public enum AllocationMode
{
    /// <summary>K trials of every task every day.</summary>
    Uniform,

    /// <summary>The same daily budget spent by <see cref="AdaptiveAllocation"/>.</summary>
    Adaptive,
}

/// <summary>What `driftwatch simulate` runs (every field a flag).</summary>
public sealed record SimulationOptions
{
    public IReadOnlyList<Scenario> Scenarios { get; init; } = [Scenario.Null, Scenario.Step, Scenario.Drift, Scenario.Sparse, Scenario.Outage];
    public IReadOnlyList<double> StepDeltas { get; init; } = [0.03, 0.05, 0.10];
    public double DriftDelta { get; init; } = 0.10;
    public IReadOnlyList<double> Taus { get; init; } = [0];
    public int NullReps { get; init; } = 4000;
    public int ChangeReps { get; init; } = 2000;
    public ulong Seed { get; init; } = 1;
    public int Tasks { get; init; } = 50;
    public int TrialsPerTask { get; init; } = 1;
    public int BaselineDays { get; init; } = 30;
    public AllocationMode Allocation { get; init; } = AllocationMode.Uniform;
    public IReadOnlyList<IDetector> Detectors { get; init; } = DetectorCatalog.All;
    public DetectorOptions Detector { get; init; } = new();

    /// <summary>Null runs stop at this many monitoring days (the ARL0 cap of docs/detection.md).</summary>
    public int NullCap { get; init; } = 3000;

    /// <summary>The change starts on this monitoring day.</summary>
    public int ChangeDay { get; init; } = 31;

    /// <summary>Change runs stop this many days after the change; a change not found by then counts as found then.</summary>
    public int ChangeHorizon { get; init; } = 365;

    /// <summary>The drift reaches its full size after this many days.</summary>
    public int DriftDays { get; init; } = 60;

    public int Parallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>One line of the benchmark: a detector on a scenario (fields that do not apply are null).</summary>
public sealed record SimulationResult
{
    public required string Detector { get; init; }
    public required string Scenario { get; init; }
    public double? Delta { get; init; }
    public required double Tau { get; init; }
    public required int Reps { get; init; }
    public required string Allocation { get; init; }

    /// <summary>Null: mean days to the first false alarm, each run capped at the null cap.</summary>
    public double? Arl0 { get; init; }

    /// <summary>Null: share of runs with a false alarm within 365 days.</summary>
    public double? FalseAlarmYearShare { get; init; }

    /// <summary>Null: share of runs (each a baseline of its own) with a false alarm within their first 30 monitored days.</summary>
    public double? FalseAlarm30Share { get; init; }

    /// <summary>Changes: mean and median days from the change to the alarm (1 = the first changed day).</summary>
    public double? MeanDelay { get; init; }
    public double? MedianDelay { get; init; }

    /// <summary>Changes: share of runs that alarmed within 7 days of the change.</summary>
    public double? DetectedWithin7Share { get; init; }

    /// <summary>Changes: share of runs that alarmed (falsely) before the change began; they are left out of the delays.</summary>
    public double? FalseAlarmBeforeChangeShare { get; init; }

    /// <summary>Outage: share of runs that alarmed within 3 days of the outage (lower is better).</summary>
    public double? AlarmWithin3Share { get; init; }
}

/// <summary>
/// The detector benchmark of docs/detection.md: synthetic histories from the reference model, each
/// detector calibrated from its own 30-day baseline exactly as `check` would be, false alarms and
/// delays counted. Replicate r of a given τ shares its suite, baseline and calibration across
/// scenarios (common random numbers), so scenarios differ only by the change. Seeded and
/// reproducible whatever the parallelism.
/// </summary>
public static class DetectorBenchmark
{
    public static IReadOnlyList<SimulationResult> Run(SimulationOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var jobs = new List<(Scenario Scenario, double? Delta, double Tau)>();
        foreach (var tau in options.Taus)
        {
            foreach (var scenario in options.Scenarios)
            {
                if (scenario == Scenario.Step)
                    jobs.AddRange(options.StepDeltas.Select(d => (scenario, (double?)d, tau)));
                else if (scenario == Scenario.Drift)
                    jobs.Add((scenario, options.DriftDelta, tau));
                else
                    jobs.Add((scenario, null, tau));
            }
        }

        var replicates = new ConcurrentDictionary<(double Tau, int Rep), Lazy<Replicate>>();
        Replicate ReplicateFor(double tau, int rep) =>
            replicates.GetOrAdd((tau, rep), key => new Lazy<Replicate>(() => Replicate.Create(options, key.Tau, key.Rep))).Value;

        var work = jobs.SelectMany((job, j) => Enumerable.Range(0, job.Scenario == Scenario.Null ? options.NullReps : options.ChangeReps)
            .Select(rep => (Job: j, Rep: rep))).ToList();
        // Interleave the jobs so that replicate r is built once and reused while it is warm.
        work = [.. work.OrderBy(w => w.Rep).ThenBy(w => w.Job)];
        var outcomes = jobs.Select(job => new int?[(job.Scenario == Scenario.Null ? options.NullReps : options.ChangeReps) * options.Detectors.Count]).ToArray();
        var done = 0;
        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken }, item =>
        {
            var job = jobs[item.Job];
            var replicate = ReplicateFor(job.Tau, item.Rep);
            var alarms = replicate.Monitor(job.Scenario, job.Delta, item.Job);
            for (var d = 0; d < options.Detectors.Count; d++)
                outcomes[item.Job][item.Rep * options.Detectors.Count + d] = alarms[d];
            var finished = Interlocked.Increment(ref done);
            if (finished % 100 == 0)
                progress?.Report(finished);
            // A replicate is needed by every job of its τ; free it after the last one.
            if (item.Job == jobs.FindLastIndex(j => j.Tau == job.Tau && (j.Scenario == Scenario.Null ? options.NullReps : options.ChangeReps) > item.Rep))
                replicates.TryRemove((job.Tau, item.Rep), out _);
        });

        var results = new List<SimulationResult>();
        for (var d = 0; d < options.Detectors.Count; d++)
        {
            for (var j = 0; j < jobs.Count; j++)
            {
                var (scenario, delta, tau) = jobs[j];
                var reps = scenario == Scenario.Null ? options.NullReps : options.ChangeReps;
                var alarms = Enumerable.Range(0, reps).Select(r => outcomes[j][r * options.Detectors.Count + d]).ToList();
                results.Add(Summarise(options, options.Detectors[d], scenario, delta, tau, alarms));
            }
        }
        return results;
    }

    private static SimulationResult Summarise(SimulationOptions options, IDetector detector, Scenario scenario, double? delta, double tau, List<int?> alarms)
    {
        var result = new SimulationResult
        {
            Detector = detector.Name,
            Scenario = scenario.Name(),
            Delta = delta,
            Tau = tau,
            Reps = alarms.Count,
            Allocation = options.Allocation.ToString().ToLowerInvariant(),
        };
        if (scenario == Scenario.Null)
        {
            var runLengths = alarms.Select(a => (double)(a ?? options.NullCap)).ToList();
            return result with
            {
                Arl0 = runLengths.Average(),
                FalseAlarmYearShare = alarms.Count(a => a is <= 365) / (double)alarms.Count,
                FalseAlarm30Share = alarms.Count(a => a is <= 30) / (double)alarms.Count,
            };
        }

        var early = alarms.Count(a => a < options.ChangeDay);
        var valid = alarms.Where(a => a is null || a >= options.ChangeDay).ToList();
        var delays = valid.Select(a => (double)((a ?? options.ChangeDay + options.ChangeHorizon) - options.ChangeDay + 1)).Order().ToArray();
        result = result with { FalseAlarmBeforeChangeShare = early / (double)alarms.Count };
        if (delays.Length == 0)
            return result;
        if (scenario == Scenario.Outage)
            return result with { AlarmWithin3Share = delays.Count(x => x <= 3) / (double)delays.Length };
        return result with
        {
            MeanDelay = delays.Average(),
            MedianDelay = PairedBootstrap.Quantile(delays, 0.5),
            DetectedWithin7Share = delays.Count(x => x <= 7) / (double)delays.Length,
        };
    }

    /// <summary>One synthetic suite with its baseline, fitted and calibrated once.</summary>
    private sealed class Replicate
    {
        private readonly SimulationOptions _options;
        private readonly ReferenceSuite _suite;
        private readonly double _tau;
        private readonly int _rep;
        private readonly List<DayCounts> _baselineDays;
        private readonly Baseline _baseline;
        private readonly IAllocation _allocation;
        private readonly DetectorLimits[] _limits;
        private readonly (double Mean, double Sd, double K)[] _evidence;

        private Replicate(SimulationOptions options, double tau, int rep, ReferenceSuite suite, List<DayCounts> baselineDays,
            Baseline baseline, IAllocation allocation, DetectorLimits[] limits)
        {
            _options = options;
            _tau = tau;
            _rep = rep;
            _suite = suite;
            _baselineDays = baselineDays;
            _baseline = baseline;
            _allocation = allocation;
            _limits = limits;
            var evidence = new Evidence(baseline, options.Detector.TargetDrop);
            _evidence = Enumerable.Range(0, allocation.Period).Select(d => evidence.For(allocation.TrialsOn(d))).ToArray();
        }

        public static Replicate Create(SimulationOptions options, double tau, int rep)
        {
            var rng = Rng.Derive(options.Seed, 1, BitConverter.DoubleToInt64Bits(tau), rep);
            var suite = new ReferenceSuite(options.Tasks, rng);
            var uniform = new UniformAllocation(options.Tasks, options.TrialsPerTask);
            var baselineDays = new List<DayCounts>(options.BaselineDays);
            for (var day = 0; day < options.BaselineDays; day++)
                baselineDays.Add(Draw(suite, suite.Logits, uniform.TrialsOn(day), tau, 0, rng));
            var baseline = Baseline.Fit(baselineDays);
            Func<Baseline, IAllocation> policy = options.Allocation == AllocationMode.Adaptive
                ? fitted => new AdaptiveAllocation(fitted.Rates, options.Tasks * options.TrialsPerTask)
                : _ => uniform;
            var allocation = policy(baseline);
            var seed = rng.NextUInt64();
            var calibration = new DetectorCalibration(baseline, options.Detector,
                () => ThresholdCalibrator.Calibrate(baseline, [.. baselineDays.Select(d => d.Trials)], policy, options.Detector, seed, downOnly: true));
            var limits = options.Detectors.Select(d => d.Limits(calibration)).ToArray();
            return new Replicate(options, tau, rep, suite, baselineDays, baseline, allocation, limits);
        }

        /// <summary>Monitors until every detector has alarmed (downwards) or the run ends; the first alarm day of each (1-based).</summary>
        public int?[] Monitor(Scenario scenario, double? delta, int job)
        {
            var options = _options;
            var rng = Rng.Derive(options.Seed, 2, job, _rep);
            var detectors = options.Detectors;
            var firstAlarm = new int?[detectors.Count];
            var end = scenario == Scenario.Null ? options.NullCap : options.ChangeDay + options.ChangeHorizon - 1;
            var context = new DetectorContext(_baseline, _baselineDays, options.Detector);
            var runs = detectors.Select((d, i) => d.Start(context, _limits[i])).ToArray();
            var shifts = new Dictionary<double, double[]>();

            for (var t = 1; t <= end; t++)
            {
                var logits = TrueLogits(scenario, delta, t, shifts);
                var trials = _allocation.TrialsOn(t - 1);
                var forcedFailure = scenario == Scenario.Outage && t == options.ChangeDay ? 0.3 : 0;
                var day = Draw(_suite, logits, trials, _tau, forcedFailure, rng);
                var (mean, sd, k) = _evidence[(t - 1) % _evidence.Length];
                var z = sd <= 0 ? 0 : Math.Clamp((day.TotalPasses - mean) / sd, -options.Detector.EvidenceClip, options.Detector.EvidenceClip);
                var evidence = new DayEvidence(z, k);

                var all = true;
                for (var d = 0; d < detectors.Count; d++)
                {
                    // A detector that has alarmed is done: only its first alarm counts.
                    if (firstAlarm[d] is null && runs[d].Observe(day, evidence).Down > _limits[d].Down)
                        firstAlarm[d] = t;
                    all &= firstAlarm[d] is not null;
                }
                if (all)
                    break;
            }
            return firstAlarm;
        }

        private double[] TrueLogits(Scenario scenario, double? delta, int t, Dictionary<double, double[]> cache)
        {
            if (t < _options.ChangeDay)
                return _suite.Logits;
            switch (scenario)
            {
                case Scenario.Step:
                    return Shifted(delta!.Value, cache);
                case Scenario.Drift:
                    var reached = delta!.Value * Math.Min(1.0, (t - _options.ChangeDay + 1) / (double)_options.DriftDays);
                    return Shifted(reached, cache);
                case Scenario.Sparse:
                    if (!cache.TryGetValue(-1, out var sparse))
                    {
                        sparse = (double[])_suite.Logits.Clone();
                        for (var i = 0; i < Math.Min(5, _suite.AlwaysPass); i++)
                            sparse[i] = 0;
                        cache[-1] = sparse;
                    }
                    return sparse;
                default:
                    return _suite.Logits;
            }
        }

        private double[] Shifted(double drop, Dictionary<double, double[]> cache)
        {
            if (cache.TryGetValue(drop, out var logits))
                return logits;
            var shift = Logit.ShiftForMeanChange(_suite.Rates, -drop);
            return cache[drop] = _suite.Logits.Select(l => l + shift).ToArray();
        }
    }

    /// <summary>One day's outcomes: a day shock on every logit, then each trial passes with its task's p.</summary>
    private static DayCounts Draw(ReferenceSuite suite, double[] logits, int[] trials, double tau, double forcedFailure, Rng rng)
    {
        var shock = tau > 0 ? tau * rng.NextNormal() : 0;
        var passes = new int[suite.Count];
        for (var i = 0; i < suite.Count; i++)
        {
            if (trials[i] == 0)
                continue;
            var p = shock == 0 && ReferenceEquals(logits, suite.Logits) ? suite.Rates[i] : Logit.Inverse(logits[i] + shock);
            for (var trial = 0; trial < trials[i]; trial++)
            {
                if (forcedFailure > 0 && rng.NextDouble() < forcedFailure)
                    continue;
                if (rng.NextDouble() < p)
                    passes[i]++;
            }
        }
        return new DayCounts(default, trials, passes);
    }
}
