using System.Text;
using Driftwatch.Core.Runs;
using Driftwatch.Web.Pages;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Report;

/// <summary>What `report` wrote.</summary>
public sealed record ReportResult(string Directory, int Pages, int Charts);

/// <summary>
/// The dashboard as files (`report --out DIR`): the same pages from the same renderers, linked
/// relatively, charts as SVG files under charts/ — for CI artifacts and static hosting.
/// </summary>
public static class StaticReport
{
    public static async Task<ReportResult> WriteAsync(DashboardReader reader, string directory, string generated, bool trialPages = true, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var links = new StaticLinks();
        var pages = 0;
        void Write(string file, string html)
        {
            File.WriteAllText(Path.Combine(directory, file), html, Encoding.UTF8);
            pages++;
        }

        var overview = await reader.OverviewAsync(cancellationToken);
        Write(links.Overview, await HtmlPages.OverviewAsync(overview, links, generated));
        foreach (var series in overview)
        {
            var runs = await reader.RunsAsync(new RunQuery(series.Agent, series.Suite), cancellationToken);
            var tasks = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var header in runs)
            {
                var run = await reader.RunAsync(header.Id, cancellationToken);
                if (run is null)
                    continue;
                Write(links.Run(run.Run.Id), await HtmlPages.RunAsync(run, links));
                foreach (var row in run.Tasks)
                {
                    tasks.Add(row.TaskId);
                    if (!trialPages)
                        continue;
                    foreach (var trial in row.Trials)
                    {
                        if (await reader.TrialAsync(run.Run.Id, trial.TaskId, trial.TrialIndex, cancellationToken) is { } view)
                            Write(links.Trial(run.Run.Id, trial.TaskId, trial.TrialIndex), await HtmlPages.TrialAsync(view, links));
                    }
                }
            }
            foreach (var task in tasks)
            {
                if (await reader.TaskAsync(series.Agent, series.Suite, task, cancellationToken) is { } view)
                    Write(links.Task(series.Agent, series.Suite, task), await HtmlPages.TaskAsync(view, links));
            }
        }

        foreach (var series in overview)
        {
            if (await reader.SeriesPageAsync(series.Agent, series.Suite, EvidenceFilter.All, cancellationToken) is not { } page)
                continue;
            foreach (var window in EvidenceFilter.Windows)
            {
                var view = DashboardReader.InWindow(page, window);
                Write(links.Series(series.Agent, series.Suite, view.Filter), await HtmlPages.SeriesAsync(view, links));
            }
        }
        foreach (var suite in overview.Select(s => s.Suite).Distinct(StringComparer.Ordinal))
        {
            if (await reader.SuitePageAsync(suite, EvidenceFilter.All, cancellationToken) is { } view)
                Write(links.Suite(suite), await HtmlPages.SuiteAsync(view, links));
        }

        var charts = Path.Combine(directory, StaticLinks.ChartFolder);
        Directory.CreateDirectory(charts);
        foreach (var (file, svg) in links.Charts)
            File.WriteAllText(Path.Combine(charts, file), svg, Encoding.UTF8);
        return new ReportResult(directory, pages, links.Charts.Count);
    }
}
