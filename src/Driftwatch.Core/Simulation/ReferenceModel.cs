using Driftwatch.Core.Detection;
using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Simulation;

/// <summary>The changes of the reference model of docs/detection.md.</summary>
public enum Scenario
{
    /// <summary>Nothing changes: measures false alarms.</summary>
    Null,

    /// <summary>From monitoring day 31 every task's logit shifts so the suite mean drops by exactly d.</summary>
    Step,

    /// <summary>A linear drop of the suite mean reaching d after 60 days, from monitoring day 31.</summary>
    Drift,

    /// <summary>From monitoring day 31, five always-pass tasks fall to p = 0.5.</summary>
    Sparse,

    /// <summary>On monitoring day 31 alone, 30% of trials fail (an infrastructure outage scored as failures).</summary>
    Outage,
}

public static class ScenarioNames
{
    public static string Name(this Scenario scenario) => scenario.ToString().ToLowerInvariant();

    public static Scenario Parse(string name) => name.ToLowerInvariant() switch
    {
        "null" => Scenario.Null,
        "step" => Scenario.Step,
        "drift" => Scenario.Drift,
        "sparse" => Scenario.Sparse,
        "outage" => Scenario.Outage,
        _ => throw new InvalidInputException($"--scenario: unknown scenario '{name}' (expected null, step, drift, sparse, outage or all)"),
    };
}

/// <summary>
/// A suite of the reference model of docs/detection.md: 30% of tasks with p = 0.99, 20% with p = 0.01 and 50%
/// with p ~ Beta(6, 4) (for N = 50: 15, 10 and 25 tasks; suite mean ≈ 0.60).
/// </summary>
internal sealed class ReferenceSuite
{
    public ReferenceSuite(int tasks, Rng rng)
    {
        var alwaysPass = (int)Math.Round(tasks * 0.3);
        var neverPass = (int)Math.Round(tasks * 0.2);
        Rates = new double[tasks];
        for (var i = 0; i < tasks; i++)
        {
            Rates[i] = i < alwaysPass ? 0.99
                : i < alwaysPass + neverPass ? 0.01
                : rng.NextBeta(6, 4);
        }
        AlwaysPass = alwaysPass;
        Logits = Rates.Select(Logit.Of).ToArray();
    }

    public double[] Rates { get; }
    public double[] Logits { get; }

    /// <summary>Tasks 0..AlwaysPass−1 have p = 0.99 (the ones the sparse scenario breaks).</summary>
    public int AlwaysPass { get; }

    public int Count => Rates.Length;
}
