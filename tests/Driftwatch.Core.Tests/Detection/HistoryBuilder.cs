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
    private readonly double[] _rates = new Simulation.ReferenceSuite(tasks, new Rng(seed + 100)).Rates;

    public static readonly DateOnly Start = new(2026, 1, 1);

    public string TaskId(int i) => $"task-{i:00}";

    public double[] Rates => _rates;

    /// <summary>Adds <paramref name="days"/> days; <paramref name="rate"/> maps (task, base rate) to the day's rate.</summary>
    public HistoryBuilder Days(int days, Func<int, double, double>? rate = null, string agentVersion = "1.0", string model = "model-a", string revision = "rev1", string config = "cfg",
        Core.Fingerprints.HarnessSummary? harness = null, string? sandbox = "bubblewrap")
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
            _runs.Add(new HistoryRun(_runs.Count + 1, day, revision, config, fingerprint, trials));
        }
        return this;
    }

    public History Build(IReadOnlyDictionary<string, string>? texts = null) => new("agent", "suite", [.. _runs]) { Texts = texts ?? new Dictionary<string, string>() };
}
