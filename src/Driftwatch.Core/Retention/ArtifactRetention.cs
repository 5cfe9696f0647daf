using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Retention;

/// <summary>The artifacts of one task in one run: what the retention policy keeps or removes, all trials of it together.</summary>
public sealed record TaskOfRun(long RunId, string TaskId);

/// <summary>
/// Which artifacts `db gc` removes under a <see cref="RetentionConfig"/> (docs/storage.md). Only
/// artifacts: trial rows, outcomes and metrics stay forever. Per agent × suite, a run's artifacts are
/// kept when any of these holds, else removed task by task:
/// <list type="bullet">
/// <item>the run started within <c>artifacts_days</c> of now, or is among the last <c>artifacts_runs</c> runs;</item>
/// <item>the run is still running;</item>
/// <item>the agent × suite's stored verdict is degraded (the alarm is on): nothing of it is removed while it lasts;</item>
/// <item>per task: the task flipped (<see cref="TaskFlips"/>) between this run and the one before or after it — both sides of a flip are kept.</item>
/// </list>
/// </summary>
public static class ArtifactRetention
{
    /// <summary>
    /// The tasks of runs whose artifacts <paramref name="policy"/> removes. <paramref name="trials"/>
    /// holds each run's finished trials; <paramref name="isDegraded"/> says whether an agent × suite's
    /// stored verdict is degraded.
    /// </summary>
    public static IReadOnlyList<TaskOfRun> Prunable(RetentionConfig policy, IReadOnlyList<RunHeader> runs, IReadOnlyDictionary<long, IReadOnlyList<Trial>> trials,
        Func<string, string, bool> isDegraded, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(isDegraded);
        var prunable = new List<TaskOfRun>();
        foreach (var series in runs.GroupBy(r => (r.Agent, r.Suite)))
        {
            if (isDegraded(series.Key.Agent, series.Key.Suite))
                continue;
            var ordered = series.OrderBy(r => r.StartedAt).ThenBy(r => r.Id).ToList();
            var rates = ordered.Select(r => RatesOf(trials.TryGetValue(r.Id, out var t) ? t : [])).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                var run = ordered[i];
                var recent = policy.ArtifactsDays is { } days && run.StartedAt >= now.AddDays(-days);
                var last = policy.ArtifactsRuns is { } count && i >= ordered.Count - count;
                if (recent || last || run.Status == RunStatus.Running)
                    continue;
                foreach (var (task, rate) in rates[i].OrderBy(r => r.Key, StringComparer.Ordinal))
                {
                    var flipped = (i > 0 && TaskFlips.Flipped(RateIn(rates[i - 1], task), rate))
                        || (i + 1 < ordered.Count && TaskFlips.Flipped(rate, RateIn(rates[i + 1], task)));
                    if (!flipped)
                        prunable.Add(new TaskOfRun(run.Id, task));
                }
            }
        }
        return prunable;
    }

    private static Dictionary<string, double?> RatesOf(IReadOnlyList<Trial> trials) =>
        trials.GroupBy(t => t.TaskId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => TaskFlips.PassRate(g), StringComparer.Ordinal);

    private static double? RateIn(Dictionary<string, double?> rates, string task) => rates.TryGetValue(task, out var rate) ? rate : null;
}
