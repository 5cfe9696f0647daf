using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;
using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Simulation;

/// <summary>The behaviour scenarios of docs/signals.md: output tokens beside the pass rate.</summary>
public enum SignalScenario
{
    /// <summary>Nothing changes: the combined verdict's false alarms (pass rate and tokens, one budget).</summary>
    Null,

    /// <summary>From monitoring day 31 every trial writes 30% fewer output tokens; the pass rate is unchanged.</summary>
    Tokens,

    /// <summary>The same token change together with a 3-point step down of the suite-mean pass rate.</summary>
    Behaviour,
}

public static class SignalScenarioNames
{
    public static string Name(this SignalScenario scenario) => scenario.ToString().ToLowerInvariant();

    /// <summary>The scenario of this name, or null when it is not one of the signal scenarios ("null" is one only by <see cref="SignalSimulationOptions"/>).</summary>
    public static SignalScenario? TryParse(string name) => name.ToLowerInvariant() switch
    {
        "tokens" => SignalScenario.Tokens,
        "behaviour" or "behavior" => SignalScenario.Behaviour,
        _ => null,
    };
}

/// <summary>What the behaviour scenarios of `simulate` run: the reference model plus output tokens per trial.</summary>
public sealed record SignalSimulationOptions
{
    /// <summary>The reference model's settings (tasks, K, baseline, seed, reps, caps, detector options with the verdict's ARL0).</summary>
    public required SimulationOptions Reference { get; init; }

    /// <summary>The change scenarios; the null scenario always runs with them (it measures the combined ARL0).</summary>
    public IReadOnlyList<SignalScenario> Scenarios { get; init; } = [SignalScenario.Tokens, SignalScenario.Behaviour];

    /// <summary>Relative change of output tokens in the token scenarios (−0.30: 30% fewer).</summary>
    public double TokenChange { get; init; } = -0.30;

    /// <summary>Step down of the suite-mean pass rate in the behaviour scenario.</summary>
    public double BehaviourDrop { get; init; } = 0.03;

    /// <summary>Spread of the task levels of output tokens (log scale): hard tasks write more.</summary>
    public double TaskLevelSd { get; init; } = 0.8;

    /// <summary>Spread of one trial around its task's level (log scale).</summary>
    public double TrialSd { get; init; } = 0.5;

    /// <summary>Standard deviation of the day effect on output tokens (log scale), shared by a day's trials.</summary>
    public double DayEffectSd { get; init; } = 0.05;

    public SignalOptions Signals { get; init; } = new();
}

/// <summary>
/// The behaviour scenarios of docs/signals.md: each replicate is a reference-model suite whose trials
/// also write output tokens, log-normal per task (levels ~ N(log 2000, 0.8²), trial SD 0.5, a day
/// effect of SD 0.05). Two verdicts are compared at the same ARL0: the pass rate alone (its CUSUM
/// with the whole budget) and the combined verdict (the pass rate at half the alarm rate, output
/// tokens at the other half, an alarm of either is the verdict's), both calibrated from the
/// replicate's own 30-day baseline as `check` would. Rows: detector <c>cusum</c> (pass rate alone)
/// and <c>combined</c>; the null scenario gives each one's ARL0, the changes their delays.
/// </summary>
public static class SignalBenchmark
{
    public const string Combined = "combined";

    /// <summary>The row of output tokens alone, at its share of the combined budget: what the signal's own calibration keeps.</summary>
    public const string SignalAlone = "outputTokens";

    public static IReadOnlyList<SimulationResult> Run(SignalSimulationOptions options, CancellationToken cancellationToken = default)
    {
        var reference = options.Reference;
        var scenarios = new List<SignalScenario> { SignalScenario.Null };
        scenarios.AddRange(options.Scenarios.Where(s => s != SignalScenario.Null).Distinct());
        var results = new List<SimulationResult>();
        foreach (var tau in reference.Taus)
        {
            var reps = Math.Max(reference.NullReps, reference.ChangeReps);
            // [scenario][rep] = (pass rate alone, combined, the signal alone at its share) first alarm days
            var outcomes = scenarios.Select(s => new (int? Alone, int? Combined, int? Signal)[s == SignalScenario.Null ? reference.NullReps : reference.ChangeReps]).ToArray();
            Parallel.For(0, reps, new ParallelOptions { MaxDegreeOfParallelism = reference.Parallelism, CancellationToken = cancellationToken }, rep =>
            {
                var replicate = new Replicate(options, tau, rep);
                for (var s = 0; s < scenarios.Count; s++)
                {
                    if (rep < outcomes[s].Length)
                        outcomes[s][rep] = replicate.Monitor(scenarios[s], s);
                }
            });
            foreach (var (detector, pick) in new (string, Func<(int? Alone, int? Combined, int? Signal), int?>)[] { ("cusum", o => o.Alone), (Combined, o => o.Combined), (SignalAlone, o => o.Signal) })
            {
                for (var s = 0; s < scenarios.Count; s++)
                    results.Add(Summarise(reference, detector, scenarios[s], options, tau, [.. outcomes[s].Select(pick)]));
            }
        }
        return results;
    }

    private static SimulationResult Summarise(SimulationOptions reference, string detector, SignalScenario scenario, SignalSimulationOptions options, double tau, List<int?> alarms)
    {
        var result = new SimulationResult
        {
            Detector = detector,
            Scenario = scenario.Name(),
            Delta = scenario == SignalScenario.Behaviour ? options.BehaviourDrop : null,
            Tau = tau,
            Reps = alarms.Count,
            Allocation = "uniform",
        };
        if (scenario == SignalScenario.Null)
        {
            return result with
            {
                Arl0 = alarms.Average(a => (double)(a ?? reference.NullCap)),
                FalseAlarm30Share = alarms.Count(a => a is <= 30) / (double)alarms.Count,
                FalseAlarmYearShare = alarms.Count(a => a is <= 365) / (double)alarms.Count,
            };
        }
        var early = alarms.Count(a => a < reference.ChangeDay);
        var delays = alarms.Where(a => a is null || a >= reference.ChangeDay)
            .Select(a => (double)((a ?? reference.ChangeDay + reference.ChangeHorizon) - reference.ChangeDay + 1)).Order().ToArray();
        result = result with { FalseAlarmBeforeChangeShare = early / (double)alarms.Count };
        return delays.Length == 0 ? result : result with
        {
            MeanDelay = delays.Average(),
            MedianDelay = PairedBootstrap.Quantile(delays, 0.5),
            DetectedWithin7Share = delays.Count(x => x <= 7) / (double)delays.Length,
        };
    }

    /// <summary>One suite with tokens, its baseline, and the limits of both verdicts.</summary>
    private sealed class Replicate
    {
        private readonly SignalSimulationOptions _options;
        private readonly int _rep;
        private readonly double _tau;
        private readonly ReferenceSuite _suite;
        private readonly double[] _tokenLevels;
        private readonly Evidence _evidence;
        private readonly int[] _trials;
        private readonly double _aloneLimit, _combinedLimit, _signalLimit;
        private readonly SignalBaseline _tokens;
        private readonly SignalScale _scale;
        private readonly int[] _tasks;

        public Replicate(SignalSimulationOptions options, double tau, int rep)
        {
            var reference = options.Reference;
            _options = options;
            _rep = rep;
            _tau = tau;
            var rng = Rng.Derive(reference.Seed, 11, BitConverter.DoubleToInt64Bits(tau), rep);
            _suite = new ReferenceSuite(reference.Tasks, rng);
            _tokenLevels = [.. Enumerable.Range(0, reference.Tasks).Select(_ => Math.Log(2000) + options.TaskLevelSd * rng.NextNormal())];
            _trials = new UniformAllocation(reference.Tasks, reference.TrialsPerTask).TrialsOn(0);
            _tasks = [.. Enumerable.Range(0, reference.Tasks).SelectMany(i => Enumerable.Repeat(i, reference.TrialsPerTask))];

            var passDays = new List<DayCounts>();
            var tokenDays = new List<(int[] Tasks, double[] Raw)>();
            for (var d = 0; d < reference.BaselineDays; d++)
            {
                passDays.Add(DrawPasses(_suite.Logits, rng));
                tokenDays.Add((_tasks, DrawTokens(1, rng)));
            }
            var baseline = Baseline.Fit(passDays);
            _evidence = new Evidence(baseline, reference.Detector.TargetDrop, reference.Detector.EvidenceClip);
            var allocations = passDays.Select(d => d.Trials).ToList();
            var uniform = new UniformAllocation(reference.Tasks, reference.TrialsPerTask);
            var budget = FalseAlarmBudget.Split(reference.Detector.Arl0, 1, options.Signals.PassRateShare);
            _aloneLimit = ThresholdCalibrator.Calibrate(baseline, allocations, uniform, reference.Detector, rng.NextUInt64(), downOnly: true).CusumDown;
            _combinedLimit = ThresholdCalibrator.Calibrate(baseline, allocations, uniform, reference.Detector with { Arl0 = budget.PassRate }, rng.NextUInt64(), downOnly: true).CusumDown;

            _scale = SignalScale.For(true, tokenDays.SelectMany(d => d.Raw))!.Value;
            var samples = tokenDays.Select(d => Sample(d.Raw)).ToList();
            _tokens = SignalBaseline.Fit(samples, reference.Tasks);
            _signalLimit = SignalCalibrator.Calibrate(_tokens, samples, [_tasks], budget.PerSignal, options.Signals.ReferenceValue,
                reference.Detector, rng.NextUInt64()).Value;
        }

        private SignalSample Sample(double[] raw) => new(default, _tasks, [.. raw.Select(_scale.Of)], raw);

        /// <summary>First alarm day (1-based) of the pass rate alone, of the combined verdict and of the signal alone; null when none by the end.</summary>
        public (int? Alone, int? Combined, int? Signal) Monitor(SignalScenario scenario, int job)
        {
            var reference = _options.Reference;
            var rng = Rng.Derive(reference.Seed, 12, job, _rep, BitConverter.DoubleToInt64Bits(_tau));
            var end = scenario == SignalScenario.Null ? reference.NullCap : reference.ChangeDay + reference.ChangeHorizon - 1;
            var shifted = scenario == SignalScenario.Behaviour
                ? _suite.Logits.Select(l => l + Logit.ShiftForMeanChange(_suite.Rates, -_options.BehaviourDrop)).ToArray()
                : _suite.Logits;
            var (_, _, k) = _evidence.For(_trials);
            double alone = 0, combined = 0, down = 0, up = 0;
            int? aloneAlarm = null, combinedAlarm = null, signalAlarm = null;
            for (var t = 1; t <= end && (aloneAlarm is null || combinedAlarm is null || signalAlarm is null); t++)
            {
                var changed = scenario != SignalScenario.Null && t >= reference.ChangeDay;
                var (z, _) = _evidence.Of(DrawPasses(changed ? shifted : _suite.Logits, rng));
                alone = Math.Max(0, alone - z - k);
                combined = Math.Max(0, combined - z - k);
                var tokenZ = _tokens.Evidence(Sample(DrawTokens(changed ? 1 + _options.TokenChange : 1, rng)), reference.Detector.EvidenceClip);
                down = Math.Max(0, down - tokenZ - _options.Signals.ReferenceValue);
                up = Math.Max(0, up + tokenZ - _options.Signals.ReferenceValue);
                if (aloneAlarm is null && alone > _aloneLimit)
                    aloneAlarm = t;
                if (signalAlarm is null && Math.Max(down, up) > _signalLimit)
                    signalAlarm = t;
                if (combinedAlarm is null && (combined > _combinedLimit || signalAlarm is not null))
                    combinedAlarm = t;
            }
            return (aloneAlarm, combinedAlarm, signalAlarm);
        }

        private DayCounts DrawPasses(double[] logits, Rng rng)
        {
            var shock = _tau > 0 ? _tau * rng.NextNormal() : 0;
            var passes = new int[_suite.Count];
            for (var i = 0; i < _suite.Count; i++)
            {
                var p = Logit.Inverse(logits[i] + shock);
                for (var trial = 0; trial < _trials[i]; trial++)
                {
                    if (rng.NextDouble() < p)
                        passes[i]++;
                }
            }
            return new DayCounts(default, _trials, passes);
        }

        private double[] DrawTokens(double factor, Rng rng)
        {
            var u = _options.DayEffectSd * rng.NextNormal();
            var values = new double[_tasks.Length];
            for (var j = 0; j < _tasks.Length; j++)
                values[j] = Math.Max(1, Math.Round(factor * Math.Exp(_tokenLevels[_tasks[j]] + u + _options.TrialSd * rng.NextNormal())));
            return values;
        }
    }
}
