using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;
using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Simulation;

/// <summary>The scenarios of docs/signals.md: output tokens and lint findings beside the pass rate.</summary>
public enum SignalScenario
{
    /// <summary>Nothing changes: the combined verdict's false alarms (pass rate and signals, one budget).</summary>
    Null,

    /// <summary>From monitoring day 31 every trial writes 30% fewer output tokens; the pass rate is unchanged.</summary>
    Tokens,

    /// <summary>The same token change together with a 3-point step down of the suite-mean pass rate.</summary>
    Behaviour,

    /// <summary>From monitoring day 31 every trial has 0.3 more lint findings beyond the reference's on average; the pass rate is unchanged.</summary>
    Lint,
}

public static class SignalScenarioNames
{
    public static string Name(this SignalScenario scenario) => scenario.ToString().ToLowerInvariant();

    /// <summary>The scenario of this name, or null when it is not one of the signal scenarios ("null" is one only by <see cref="SignalSimulationOptions"/>).</summary>
    public static SignalScenario? TryParse(string name) => name.ToLowerInvariant() switch
    {
        "tokens" => SignalScenario.Tokens,
        "behaviour" or "behavior" => SignalScenario.Behaviour,
        "lint" => SignalScenario.Lint,
        _ => null,
    };
}

/// <summary>What the signal scenarios of `simulate` run: the reference model plus output tokens and lint findings per trial.</summary>
public sealed record SignalSimulationOptions
{
    /// <summary>The reference model's settings (tasks, K, baseline, seed, reps, caps, detector options with the verdict's ARL0).</summary>
    public required SimulationOptions Reference { get; init; }

    /// <summary>The change scenarios; the null scenario always runs with them (it measures the combined ARL0).</summary>
    public IReadOnlyList<SignalScenario> Scenarios { get; init; } = [SignalScenario.Tokens, SignalScenario.Behaviour, SignalScenario.Lint];

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

    /// <summary>Mean lint findings beyond the reference per trial, over tasks (each task's own mean is exponential around it).</summary>
    public double LintLevel { get; init; } = 0.6;

    /// <summary>Lint findings added per trial, on average, in the lint scenario (Poisson).</summary>
    public double LintChange { get; init; } = 0.3;

    public SignalOptions Signals { get; init; } = new();
}

/// <summary>
/// The signal scenarios of docs/signals.md: each replicate is a reference-model suite whose trials
/// also write output tokens (log-normal per task: levels ~ N(log 2000, 0.8²), trial SD 0.5, a day
/// effect of SD 0.05 on the log scale) and have lint findings beyond the reference (Poisson per
/// trial, each task's mean exponential around 0.6, a day effect of SD 0.1 on the log of the mean).
/// Two verdicts are compared at the same ARL0: the pass rate alone (its CUSUM with the whole
/// budget) and the combined verdict (the pass rate at half the alarm rate, the two signals at a
/// quarter each, as `check` splits one budget; an alarm of any is the verdict's), all calibrated
/// from the replicate's own 30-day baseline as `check` would. Rows: detector <c>cusum</c> (pass
/// rate alone), <c>combined</c>, and each signal alone at its share; the null scenario gives each
/// one's ARL0 and first-30-day share, the changes their delays.
/// </summary>
public static class SignalBenchmark
{
    public const string Combined = "combined";

    /// <summary>The simulated signals, in the order of their rows.</summary>
    public static readonly IReadOnlyList<string> Signals = [OutputTokens, LintFindings];

    public const string OutputTokens = "outputTokens";
    public const string LintFindings = "lintBeyondReference";

    public static IReadOnlyList<SimulationResult> Run(SignalSimulationOptions options, CancellationToken cancellationToken = default)
    {
        var reference = options.Reference;
        var scenarios = new List<SignalScenario> { SignalScenario.Null };
        scenarios.AddRange(options.Scenarios.Where(s => s != SignalScenario.Null).Distinct());
        var results = new List<SimulationResult>();
        foreach (var tau in reference.Taus)
        {
            var reps = Math.Max(reference.NullReps, reference.ChangeReps);
            // [scenario][rep] = first alarm days: [0] the pass rate alone, [1] combined, [2..] each signal alone at its share
            var outcomes = scenarios.Select(s => new int?[s == SignalScenario.Null ? reference.NullReps : reference.ChangeReps][]).ToArray();
            Parallel.For(0, reps, new ParallelOptions { MaxDegreeOfParallelism = reference.Parallelism, CancellationToken = cancellationToken }, rep =>
            {
                var replicate = new Replicate(options, tau, rep);
                for (var s = 0; s < scenarios.Count; s++)
                {
                    if (rep < outcomes[s].Length)
                        outcomes[s][rep] = replicate.Monitor(scenarios[s], s);
                }
            });
            string[] detectors = ["cusum", Combined, .. Signals];
            for (var v = 0; v < detectors.Length; v++)
            {
                for (var s = 0; s < scenarios.Count; s++)
                    results.Add(Summarise(reference, detectors[v], scenarios[s], options, tau, [.. outcomes[s].Select(o => o[v])]));
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

    /// <summary>One suite with its signals, its baseline, and the limits of both verdicts.</summary>
    private sealed class Replicate
    {
        private const double LintDayEffectSd = 0.1;

        private readonly SignalSimulationOptions _options;
        private readonly int _rep;
        private readonly double _tau;
        private readonly ReferenceSuite _suite;
        private readonly double[] _tokenLevels;
        private readonly double[] _lintLevels;
        private readonly Evidence _evidence;
        private readonly int[] _trials;
        private readonly double _aloneLimit, _combinedLimit;
        private readonly double[] _signalLimits;
        private readonly SignalBaseline[] _signals;
        private readonly SignalScale[] _scales;
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
            _lintLevels = [.. Enumerable.Range(0, reference.Tasks).Select(_ => -options.LintLevel * Math.Log(1 - rng.NextDouble()))];
            _trials = new UniformAllocation(reference.Tasks, reference.TrialsPerTask).TrialsOn(0);
            _tasks = [.. Enumerable.Range(0, reference.Tasks).SelectMany(i => Enumerable.Repeat(i, reference.TrialsPerTask))];

            var passDays = new List<DayCounts>();
            var signalDays = Signals.Select(_ => new List<double[]>()).ToArray();
            for (var d = 0; d < reference.BaselineDays; d++)
            {
                passDays.Add(DrawPasses(_suite.Logits, rng));
                for (var i = 0; i < Signals.Count; i++)
                    signalDays[i].Add(DrawSignal(i, changed: false, rng));
            }
            var baseline = Baseline.Fit(passDays);
            _evidence = new Evidence(baseline, reference.Detector.TargetDrop, reference.Detector.EvidenceClip);
            var allocations = passDays.Select(d => d.Trials).ToList();
            var uniform = new UniformAllocation(reference.Tasks, reference.TrialsPerTask);
            var budget = FalseAlarmBudget.Split(reference.Detector.Arl0, Signals.Count, options.Signals.PassRateShare);
            _aloneLimit = ThresholdCalibrator.Calibrate(baseline, allocations, uniform, reference.Detector, rng.NextUInt64(), downOnly: true).CusumDown;
            _combinedLimit = ThresholdCalibrator.Calibrate(baseline, allocations, uniform, reference.Detector with { Arl0 = budget.PassRate }, rng.NextUInt64(), downOnly: true).CusumDown;

            _scales = new SignalScale[Signals.Count];
            _signals = new SignalBaseline[Signals.Count];
            _signalLimits = new double[Signals.Count];
            for (var i = 0; i < Signals.Count; i++)
            {
                _scales[i] = SignalScale.For(Relative(i), signalDays[i].SelectMany(d => d))!.Value;
                var samples = signalDays[i].Select(raw => Sample(i, raw)).ToList();
                _signals[i] = SignalBaseline.Fit(samples, reference.Tasks);
                _signalLimits[i] = SignalCalibrator.Calibrate(_signals[i], samples, [_tasks], budget.PerSignal, options.Signals.ReferenceValue,
                    reference.Detector, rng.NextUInt64()).Value;
            }
        }

        private static bool Relative(int signal) => Signals[signal] == OutputTokens;

        private SignalSample Sample(int signal, double[] raw) => new(default, _tasks, [.. raw.Select(_scales[signal].Of)], raw);

        /// <summary>First alarm days (1-based; null when none by the end): the pass rate alone, the combined verdict, each signal alone.</summary>
        public int?[] Monitor(SignalScenario scenario, int job)
        {
            var reference = _options.Reference;
            var rng = Rng.Derive(reference.Seed, 12, job, _rep, BitConverter.DoubleToInt64Bits(_tau));
            var end = scenario == SignalScenario.Null ? reference.NullCap : reference.ChangeDay + reference.ChangeHorizon - 1;
            var shifted = scenario == SignalScenario.Behaviour
                ? _suite.Logits.Select(l => l + Logit.ShiftForMeanChange(_suite.Rates, -_options.BehaviourDrop)).ToArray()
                : _suite.Logits;
            var (_, _, k) = _evidence.For(_trials);
            double alone = 0, combined = 0;
            var down = new double[Signals.Count];
            var up = new double[Signals.Count];
            var alarms = new int?[2 + Signals.Count];
            var clip = reference.Detector.EvidenceClip;
            for (var t = 1; t <= end && alarms.Any(a => a is null); t++)
            {
                var changed = scenario != SignalScenario.Null && t >= reference.ChangeDay;
                var (z, _) = _evidence.Of(DrawPasses(changed ? shifted : _suite.Logits, rng));
                alone = Math.Max(0, alone - z - k);
                combined = Math.Max(0, combined - z - k);
                var any = combined > _combinedLimit;
                for (var i = 0; i < Signals.Count; i++)
                {
                    var moved = changed && (scenario == SignalScenario.Lint ? Signals[i] == LintFindings : Signals[i] == OutputTokens);
                    var signalZ = _signals[i].Evidence(Sample(i, DrawSignal(i, moved, rng)), clip);
                    down[i] = Math.Max(0, down[i] - signalZ - _options.Signals.ReferenceValue);
                    up[i] = Math.Max(0, up[i] + signalZ - _options.Signals.ReferenceValue);
                    if (alarms[2 + i] is null && Math.Max(down[i], up[i]) > _signalLimits[i])
                        alarms[2 + i] = t;
                    any |= alarms[2 + i] is not null;
                }
                if (alarms[0] is null && alone > _aloneLimit)
                    alarms[0] = t;
                if (alarms[1] is null && any)
                    alarms[1] = t;
            }
            return alarms;
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

        /// <summary>One day of a signal's raw values (one per trial), changed or not.</summary>
        private double[] DrawSignal(int signal, bool changed, Rng rng)
        {
            var values = new double[_tasks.Length];
            if (Signals[signal] == OutputTokens)
            {
                var factor = changed ? 1 + _options.TokenChange : 1;
                var u = _options.DayEffectSd * rng.NextNormal();
                for (var j = 0; j < _tasks.Length; j++)
                    values[j] = Math.Max(1, Math.Round(factor * Math.Exp(_tokenLevels[_tasks[j]] + u + _options.TrialSd * rng.NextNormal())));
            }
            else
            {
                var day = Math.Exp(LintDayEffectSd * rng.NextNormal());
                for (var j = 0; j < _tasks.Length; j++)
                    values[j] = rng.NextPoisson(_lintLevels[_tasks[j]] * day + (changed ? _options.LintChange : 0));
            }
            return values;
        }
    }
}
