using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Exports;

/// <summary>
/// Which runs an export holds: the runs named by id, else the last <see cref="Last"/> runs of
/// each agent × suite (optionally only one agent or suite). Default: the latest run of each.
/// </summary>
public sealed record ExportSelection(IReadOnlyList<long> RunIds, string? Agent = null, string? Suite = null, int Last = 1)
{
    public static readonly ExportSelection LatestOfEach = new([]);

    public async Task<ExportData> ResolveAsync(DashboardReader reader, CancellationToken cancellationToken = default)
    {
        var views = new List<RunView>();
        // Each agent × suite's runs, listed once (a list is one row per run of its whole history).
        var listed = new Dictionary<(string, string), IReadOnlyList<RunHeader>>();
        if (RunIds.Count > 0)
        {
            foreach (var id in RunIds)
                views.Add(await reader.RunAsync(id, cancellationToken) ?? throw new InvalidInputException($"RUNS: run {id} not found (see `driftwatch runs`)"));
        }
        else
        {
            var runs = await reader.RunsAsync(new RunQuery(Agent, Suite), cancellationToken);
            if (runs.Count == 0 && (Agent is not null || Suite is not null))
                throw new InvalidInputException($"--agent/--suite: no runs of {Agent ?? "any agent"} on {Suite ?? "any suite"} in the database");
            foreach (var group in runs.GroupBy(r => (r.Agent, r.Suite)))
                listed[group.Key] = [.. group];
            var chosen = runs
                .GroupBy(r => (r.Agent, r.Suite))
                .OrderBy(g => g.Key.Agent, StringComparer.Ordinal).ThenBy(g => g.Key.Suite, StringComparer.Ordinal)
                .SelectMany(g => g.TakeLast(Last));
            foreach (var run in chosen)
                views.Add((await reader.RunAsync(run.Id, cancellationToken))!);
        }
        var verdicts = new List<Core.Detection.Verdict>();
        var flagged = new Dictionary<(string, string), FlagCounts>();
        foreach (var pair in views.Select(v => (v.Run.Agent, v.Run.Suite)).Distinct())
        {
            if (await reader.SeriesAsync(pair.Agent, pair.Suite, cancellationToken) is { } series)
                verdicts.Add(series.Verdict);
            var latest = views.Where(v => (v.Run.Agent, v.Run.Suite) == pair).Select(v => (v.Run.StartedAt, v.Run.Id)).Max();
            if (!listed.TryGetValue(pair, out var seriesRuns))
                listed[pair] = seriesRuns = await reader.RunsAsync(new RunQuery(pair.Agent, pair.Suite), cancellationToken);
            flagged[pair] = seriesRuns
                .Where(r => (r.StartedAt, r.Id).CompareTo(latest) <= 0)
                .Aggregate(FlagCounts.None, (sum, r) => sum + r.Flagged);
        }
        return new ExportData(views, verdicts) { FlaggedSoFar = flagged };
    }
}
