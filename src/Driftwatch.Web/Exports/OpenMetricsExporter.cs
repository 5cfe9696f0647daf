using System.Globalization;
using System.Text;
using Driftwatch.Core.Runs;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Exports;

/// <summary>
/// OpenMetrics text (what Prometheus scrapes from `/metrics`): for each agent × suite, the latest
/// exported run's pass rate with its interval, its trials by outcome and cost, and the verdict as
/// a state set; its flagged trials (suspect, served by a fallback model, refused) as a gauge, and
/// as counters over every stored run so far. Ends with `# EOF` as the format requires.
/// </summary>
internal sealed class OpenMetricsExporter : IExporter
{
    public const string ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private static readonly string[] Verdicts = ["ok", "warning", "degraded", "improved", "insufficient"];

    private static readonly FlagKind[] FlagLabels = [FlagKind.Suspect, FlagKind.Fallback, FlagKind.Refusal];

    public string Name => "openmetrics";

    public string MediaType => ContentType;

    public void Write(ExportData data, TextWriter writer)
    {
        var latest = data.Runs
            .GroupBy(r => (r.Run.Agent, r.Run.Suite))
            .OrderBy(g => g.Key.Agent, StringComparer.Ordinal).ThenBy(g => g.Key.Suite, StringComparer.Ordinal)
            .Select(g => g.OrderBy(r => r.Run.StartedAt).ThenBy(r => r.Run.Id).Last())
            .ToList();

        Family(writer, "driftwatch_pass_rate", "gauge", "Pass rate of the latest run (infrastructure errors excluded)", latest,
            v => v.Run.Summary.PassRate is { } rate ? [("", rate)] : []);
        Family(writer, "driftwatch_pass_rate_low", "gauge", "Lower end of the Wilson 95% interval of the latest run's pass rate", latest,
            v => v.Run.Summary.Interval is { } ci ? [("", ci.Low)] : []);
        Family(writer, "driftwatch_pass_rate_high", "gauge", "Upper end of the Wilson 95% interval of the latest run's pass rate", latest,
            v => v.Run.Summary.Interval is { } ci ? [("", ci.High)] : []);
        Family(writer, "driftwatch_run_trials", "gauge", "Trials of the latest run by outcome", latest,
            v => [(Label("outcome", "pass"), v.Run.Summary.Pass), (Label("outcome", "fail"), v.Run.Summary.Fail),
                  (Label("outcome", "timeout"), v.Run.Summary.Timeout), (Label("outcome", "error"), v.Run.Summary.Error)]);
        Family(writer, "driftwatch_run_cost_usd", "gauge", "Cost of the latest run in US dollars, as the agent reported it", latest,
            v => v.CostUsd is { } cost ? [("", (double)cost)] : []);
        Family(writer, "driftwatch_run_tokens", "gauge", "Tokens of the latest run", latest,
            v => [.. new[] { ("input", v.InputTokens), ("output", v.OutputTokens) }.Where(t => t.Item2 is not null).Select(t => (Label("direction", t.Item1), (double)t.Item2!.Value))]);
        Family(writer, "driftwatch_run_duration_seconds", "gauge", "Summed trial durations of the latest run", latest,
            v => [("", v.DurationMs / 1000.0)]);
        Family(writer, "driftwatch_run_start_time_seconds", "gauge", "When the latest run started (Unix time)", latest,
            v => [("", v.Run.StartedAt.ToUnixTimeMilliseconds() / 1000.0)]);
        Family(writer, "driftwatch_run_flagged_trials", "gauge", "Trials of the latest run flagged suspect (the change touched the test machinery), served by a fallback model, or refused", latest,
            v => [.. FlagLabels.Select(f => (Label("flag", f.Name()), (double)v.Flagged[f]))]);
        Family(writer, "driftwatch_flagged_trials", "counter", "Trials flagged suspect, served by a fallback model, or refused, over every stored run so far", latest,
            v => data.FlaggedSoFar.TryGetValue((v.Run.Agent, v.Run.Suite), out var sofar)
                ? [.. FlagLabels.Select(f => (Label("flag", f.Name()), (double)sofar[f]))]
                : [],
            sampleSuffix: "_total");
        Family(writer, "driftwatch_baseline_pass_rate", "gauge", "Baseline pass rate the detector compares with", latest,
            v => data.VerdictOf(v.Run.Agent, v.Run.Suite)?.BaselinePassRate is { } b ? [("", b)] : []);
        Family(writer, "driftwatch_verdict", "stateset", "Verdict of the detector on the stored history", latest,
            v => data.VerdictOf(v.Run.Agent, v.Run.Suite) is { } verdict
                ? [.. Verdicts.Select(name => (Label("driftwatch_verdict", name), verdict.Status.ToString().Equals(name, StringComparison.OrdinalIgnoreCase) ? 1.0 : 0.0))]
                : []);
        writer.Write("# EOF\n");
    }

    /// <summary>A family; a counter's samples carry the "_total" suffix its family name leaves off (OpenMetrics 1.0).</summary>
    private static void Family(TextWriter writer, string name, string type, string help, IReadOnlyList<RunView> runs, Func<RunView, IEnumerable<(string Labels, double Value)>> samples, string sampleSuffix = "")
    {
        writer.Write($"# TYPE {name} {type}\n");
        writer.Write($"# HELP {name} {help}\n");
        foreach (var view in runs)
        {
            foreach (var (labels, value) in samples(view))
            {
                var all = Label("agent", view.Run.Agent) + "," + Label("suite", view.Run.Suite) + (labels.Length > 0 ? "," + labels : "");
                writer.Write($"{name}{sampleSuffix}{{{all}}} {Number(value)}\n");
            }
        }
    }

    private static string Label(string name, string value)
    {
        var escaped = new StringBuilder();
        foreach (var c in value)
        {
            escaped.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }
        return $"{name}=\"{escaped}\"";
    }

    private static string Number(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);
}
