using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;

namespace Driftwatch.Core.Detection;

/// <summary>One task in two runs: its passes and trials in each (errors excluded).</summary>
public sealed record PairedTask(string Task, int PassesA, int TrialsA, int PassesB, int TrialsB)
{
    public double RateA => (double)PassesA / TrialsA;
    public double RateB => (double)PassesB / TrialsB;
    public double Change => RateB - RateA;
}

/// <summary>The paired comparison of two runs on the same tasks (docs/detection.md).</summary>
public sealed record PairedComparison
{
    public required IReadOnlyList<PairedTask> Tasks { get; init; }

    /// <summary>Mean over tasks of (rate in B − rate in A).</summary>
    public required double Difference { get; init; }
    public required Interval Interval { get; init; }

    /// <summary>"mcnemar-exact" (one trial per task in both runs) or "clustered-t+bootstrap".</summary>
    public required string Method { get; init; }

    /// <summary>Two-sided p-value of "no difference".</summary>
    public required double PValue { get; init; }

    /// <summary>K = 1: tasks that passed in A and failed in B, and the reverse.</summary>
    public int PassToFail { get; init; }
    public int FailToPass { get; init; }

    /// <summary>Tasks present in only one of the runs (left out).</summary>
    public int Unpaired { get; init; }

    public static PairedComparison Of(IReadOnlyList<Trial> runA, IReadOnlyList<Trial> runB, ulong seed = 1)
    {
        static Dictionary<string, (int Passes, int Trials)> Counts(IReadOnlyList<Trial> trials) => trials
            .Where(t => t.Outcome != TrialOutcome.Error)
            .GroupBy(t => t.TaskId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (g.Count(t => t.Outcome == TrialOutcome.Pass), g.Count()), StringComparer.Ordinal);
        var countsA = Counts(runA);
        var countsB = Counts(runB);
        var paired = countsA.Keys.Intersect(countsB.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(id => new PairedTask(id, countsA[id].Passes, countsA[id].Trials, countsB[id].Passes, countsB[id].Trials))
            .ToList();
        var unpaired = countsA.Keys.Union(countsB.Keys, StringComparer.Ordinal).Count() - paired.Count;
        if (paired.Count == 0)
            throw new InvalidInputException("compare: the two runs have no task in common");

        var differences = paired.Select(p => p.Change).ToList();
        var mean = differences.Average();
        if (paired.All(p => p.TrialsA == 1 && p.TrialsB == 1))
        {
            // One attempt per task in each run: exact McNemar on the discordant pairs, with the
            // Newcombe (1998, method 10) score interval for a paired difference of proportions.
            var b = paired.Count(p => p.PassesA == 1 && p.PassesB == 0);
            var c = paired.Count(p => p.PassesA == 0 && p.PassesB == 1);
            return new PairedComparison
            {
                Tasks = paired,
                Difference = mean,
                Interval = NewcombePaired(paired.Count(p => p.PassesA == 1 && p.PassesB == 1), b, c, paired.Count(p => p.PassesA == 0 && p.PassesB == 0)),
                Method = "mcnemar-exact",
                PValue = McNemar.ExactPValue(b, c),
                PassToFail = b,
                FailToPass = c,
                Unpaired = unpaired,
            };
        }

        // Several attempts: each task is one cluster; t interval on the per-task differences, and
        // the paired bootstrap over tasks as a check that does not lean on normality.
        var clustered = Clustered.MeanDifference(differences);
        var bootstrap = PairedBootstrap.MeanDifference(differences, 4000, seed);
        var t = double.IsNaN(clustered.StandardError) || clustered.StandardError == 0 ? double.NaN : clustered.Value / clustered.StandardError;
        var p = double.IsNaN(t) ? 1 : 2 * (1 - MathNet.Numerics.Distributions.StudentT.CDF(0, 1, differences.Count - 1, Math.Abs(t)));
        return new PairedComparison
        {
            Tasks = paired,
            Difference = mean,
            Interval = new Interval(Math.Min(clustered.Interval.Low, bootstrap.Low), Math.Max(clustered.Interval.High, bootstrap.High)),
            Method = "clustered-t+bootstrap",
            PValue = Math.Min(1, p),
            Unpaired = unpaired,
        };
    }

    /// <summary>
    /// Newcombe's hybrid score interval for the difference of paired proportions (p₂ − p₁), from the
    /// counts of both-pass (a), pass→fail (b), fail→pass (c) and both-fail (d) (Newcombe 1998, method 10).
    /// </summary>
    public static Interval NewcombePaired(int a, int b, int c, int d)
    {
        var n = a + b + c + d;
        if (n == 0)
            return new Interval(-1, 1);
        var p1 = (double)(a + b) / n;
        var p2 = (double)(a + c) / n;
        var w1 = Wilson.Interval(a + b, n);
        var w2 = Wilson.Interval(a + c, n);
        var delta = p2 - p1;
        // φ: correlation between the two margins, zeroed when negative-definite parts vanish.
        var denominator = (double)(a + b) * (c + d) * (a + c) * (b + d);
        var phi = denominator == 0 ? 0 : ((double)a * d - (double)b * c) / Math.Sqrt(denominator);
        var lowPart = Math.Pow(p2 - w2.Low, 2) - 2 * phi * (p2 - w2.Low) * (w1.High - p1) + Math.Pow(w1.High - p1, 2);
        var highPart = Math.Pow(w2.High - p2, 2) - 2 * phi * (w2.High - p2) * (p1 - w1.Low) + Math.Pow(p1 - w1.Low, 2);
        return new Interval(Math.Max(-1, delta - Math.Sqrt(Math.Max(0, lowPart))), Math.Min(1, delta + Math.Sqrt(Math.Max(0, highPart))));
    }
}
