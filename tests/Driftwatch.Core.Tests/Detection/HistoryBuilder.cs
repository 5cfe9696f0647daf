using System.Collections.Immutable;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Tests.Detection;

/// <summary>Synthetic daily histories: one run a day, each task once, pass rates and versions chosen per day.</summary>
internal sealed class HistoryBuilder(int tasks, ulong seed = 1)
{
    private readonly Rng _rng = new(seed);
    private readonly List<HistoryRun> _runs = [];
    private readonly double[] _rates = new global::Driftwatch.Core.Simulation.ReferenceSuite(tasks, new Rng(seed + 100)).Rates;

    // Metrics draw from their own stream, so that a history with metrics has the same outcomes as one without.
    private readonly Rng _metricRng = new(seed + 200);
    private readonly double[] _tokenLogMeans = [.. Enumerable.Range(0, tasks).Select(i => Math.Log(2000) + 0.8 * new Rng(seed + 300 + (ulong)i).NextNormal())];

    public static readonly DateOnly Start = new(2026, 1, 1);

    public string TaskId(int i) => $"task-{i:00}";

    public double[] Rates => _rates;

    /// <summary>
    /// Adds <paramref name="days"/> days; <paramref name="rate"/> maps (task, base rate) to the day's rate; with
    /// <paramref name="tokens"/> each trial also carries <paramref name="metric"/>, log-normal around its task's level times that factor.
    /// </summary>
    public HistoryBuilder Days(int days, Func<int, double, double>? rate = null, string agentVersion = "1.0", string model = "model-a", string revision = "rev1", string config = "cfg",
        Core.Fingerprints.HarnessSummary? harness = null, string? sandbox = "bubblewrap", double? tokens = null, double tokenDayEffect = 0.05, string metric = "outputTokens")
    {
        for (var d = 0; d < days; d++)
        {
            var day = Start.AddDays(_runs.Count);
            var trials = new List<(string, TrialOutcome)>();
            for (var i = 0; i < _rates.Length; i++)
            {
                var p = rate?.Invoke(i, _rates[i]) ?? _rates[i];
                trials.Add((TaskId(i), _rng.NextDouble() < p ? TrialOutcome.Pass : TrialOutcome.Fail));
            }
            var fingerprint = new RunFingerprint { AgentVersion = agentVersion, Models = ImmutableArray.Create(model), SuiteRevision = revision, Harness = harness, Sandbox = sandbox };
            var metrics = new List<TrialMetricValues>();
            if (tokens is { } scale)
            {
                // Output tokens: log-normal per task (a hard task writes more), a day effect shared by the day's trials.
                var dayEffect = tokenDayEffect * _metricRng.NextNormal();
                for (var i = 0; i < _rates.Length; i++)
                {
                    var value = Math.Round(scale * Math.Exp(_tokenLogMeans[i] + dayEffect + 0.4 * _metricRng.NextNormal()));
                    metrics.Add(new TrialMetricValues(TaskId(i), 0, Core.Metrics.MetricDictionary.Of([new(metric, value)])));
                }
            }
            _runs.Add(new HistoryRun(_runs.Count + 1, day, revision, config, fingerprint, trials) { Metrics = metrics });
        }
        return this;
    }

    public History Build(IReadOnlyDictionary<string, string>? texts = null) => new("agent", "suite", [.. _runs]) { Texts = texts ?? new Dictionary<string, string>() };
}
