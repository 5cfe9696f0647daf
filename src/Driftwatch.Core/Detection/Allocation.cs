namespace Driftwatch.Core.Detection;

/// <summary>How many trials each task gets on a given day.</summary>
public interface IAllocation
{
    /// <summary>Trials per task on monitoring day <paramref name="dayIndex"/> (0-based).</summary>
    int[] TrialsOn(int dayIndex);

    /// <summary>After this many days the pattern repeats.</summary>
    int Period { get; }
}

/// <summary>K trials of every task, every day: what the public trackers do.</summary>
internal sealed class UniformAllocation(int tasks, int trialsPerTask) : IAllocation
{
    private readonly int[] _trials = Enumerable.Repeat(trialsPerTask, tasks).ToArray();

    public int Period => 1;

    public int[] TrialsOn(int dayIndex) => _trials;
}

/// <summary>
/// Adaptive allocation of a daily budget of trials: a task tells most about a change of the
/// agent when its baseline pass rate is near 0.5 (the Fisher information of a logit shift per trial
/// is p(1 − p)), so most trials go to those tasks, in proportion to p(1 − p); a rotating share goes
/// to the tasks that (almost) always pass or always fail, one trial each in turn, as canaries
/// that still catch a change confined to them.
/// </summary>
internal sealed class AdaptiveAllocation : IAllocation
{
    /// <summary>Tasks with a baseline pass rate outside [Low, 1 − Low] are canaries.</summary>
    public const double Low = 0.1;

    private readonly int[][] _days;

    /// <summary>Share of the daily budget that goes to canaries by default.</summary>
    public const double DefaultCanaryShare = 0.2;

    public AdaptiveAllocation(IReadOnlyList<double> rates, int budget, double canaryShare = DefaultCanaryShare)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(canaryShare);
        var tasks = rates.Count;
        var informative = Enumerable.Range(0, tasks).Where(i => rates[i] >= Low && rates[i] <= 1 - Low).ToList();
        var canaries = Enumerable.Range(0, tasks).Where(i => rates[i] < Low || rates[i] > 1 - Low).ToList();
        if (informative.Count == 0)
        {
            // Nothing is informative: spread the budget evenly, rotating.
            canaries = Enumerable.Range(0, tasks).ToList();
            canaryShare = 1;
        }
        var canaryBudget = canaries.Count == 0 ? 0 : Math.Clamp((int)Math.Round(budget * canaryShare), 1, budget);
        if (informative.Count > 0 && canaryBudget == budget && canaries.Count > 0 && canaryShare < 1)
            canaryBudget = budget - 1;
        var informativeBudget = budget - canaryBudget;

        var core = new int[tasks];
        if (informativeBudget > 0)
        {
            var weights = informative.Select(i => rates[i] * (1 - rates[i])).ToArray();
            var shares = LargestRemainder(weights, informativeBudget);
            for (var j = 0; j < informative.Count; j++)
                core[informative[j]] = shares[j];
        }

        Period = canaryBudget == 0 ? 1 : (int)Math.Ceiling((double)canaries.Count / canaryBudget);
        _days = new int[Period][];
        for (var day = 0; day < Period; day++)
        {
            var trials = (int[])core.Clone();
            for (var c = 0; c < canaryBudget; c++)
                trials[canaries[(day * canaryBudget + c) % canaries.Count]]++;
            _days[day] = trials;
        }
        Informative = informative.Count;
        Canaries = canaries.Count;
        CanaryBudget = canaryBudget;
    }

    public int Period { get; }
    public int Informative { get; }
    public int Canaries { get; }
    public int CanaryBudget { get; }

    public int[] TrialsOn(int dayIndex) => _days[((dayIndex % Period) + Period) % Period];

    /// <summary>Splits <paramref name="total"/> in proportion to the weights, rounding by largest remainder.</summary>
    internal static int[] LargestRemainder(IReadOnlyList<double> weights, int total)
    {
        var sum = weights.Sum();
        var exact = weights.Select(w => sum <= 0 ? (double)total / weights.Count : w / sum * total).ToArray();
        var result = exact.Select(e => (int)Math.Floor(e)).ToArray();
        var left = total - result.Sum();
        foreach (var index in Enumerable.Range(0, weights.Count).OrderByDescending(i => exact[i] - result[i]).ThenBy(i => i).Take(left))
            result[index]++;
        return result;
    }
}

/// <summary>The allocations the monitored days really had, repeated in turn (for calibrating on real histories).</summary>
internal sealed class ObservedAllocation(IReadOnlyList<int[]> days) : IAllocation
{
    private readonly int[][] _patterns = days.Count == 0 ? [] : days.GroupBy(d => string.Join(',', d)).Select(g => g.First()).ToArray();

    public int Period => Math.Max(1, _patterns.Length);

    public int[] TrialsOn(int dayIndex) => _patterns[dayIndex % _patterns.Length];
}
