using System.Globalization;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;

namespace Driftwatch.Web.Exports;

/// <summary>
/// One row per trial (RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted,
/// quotes doubled), text that a spreadsheet would run as a formula kept as text. New columns only ever go at the end; several flags or served models in one
/// field are separated by "; ". Last come the catalog's metrics (<see cref="TrialMetrics.All"/>), one <c>metric_&lt;name&gt;</c> column each, empty where a trial has none.
/// </summary>
internal sealed class CsvExporter : IExporter
{
    private static readonly string[] Columns =
    [
        "run", "agent", "suite", "suite_revision", "run_started_at", "task", "trial", "category", "language", "outcome",
        "tests_passed", "tests_total", "duration_ms", "input_tokens", "output_tokens", "cost_usd", "agent_version", "model",
        "stop_reason", "error_kind", "attempts", "flip", "flags", "served_models",
        .. TrialMetrics.All.Select(m => "metric_" + m.Name),
    ];

    public string Name => "csv";

    public string MediaType => "text/csv";

    public void Write(ExportData data, TextWriter writer)
    {
        Row(writer, Columns);
        foreach (var view in data.Runs)
        {
            var run = view.Run;
            foreach (var row in view.Tasks)
            {
                foreach (var t in row.Trials)
                {
                    Row(writer,
                    [
                        I(run.Id), Text(run.Agent), Text(run.Suite), Text(run.SuiteRevision), run.StartedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                        Text(t.TaskId), I(t.TrialIndex), Text(row.Category), Text(t.Language), t.Outcome.Name(), I(t.TestsPassed), I(t.TestsTotal), I(t.DurationMs),
                        I(t.Usage.InputTokens), I(t.Usage.OutputTokens), t.Usage.CostUsd?.ToString(CultureInfo.InvariantCulture) ?? "",
                        Text(t.AgentVersion), Text(t.Model), Text(t.StopReason), Text(t.ErrorKind), I(t.Attempts),
                        row.Flip == Views.Flip.None ? "" : row.Flip.ToString().ToLowerInvariant(),
                        Text(string.Join("; ", t.Flags)), Text(string.Join("; ", t.ServedModels)),
                        .. TrialMetrics.All.Select(m => t.Metrics.Get(m.Name)?.ToString("R", CultureInfo.InvariantCulture) ?? ""),
                    ]);
                }
            }
        }
    }

    private static string I(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>
    /// A text field as a spreadsheet must read it: text an agent reported (a model name, a version)
    /// that starts with = + - @, a tab or a carriage return would be run as a formula when the file
    /// is opened, so it gets a leading apostrophe (OWASP's advice for CSV injection), then is quoted
    /// as needed. Numbers are written by their own path and never changed.
    /// </summary>
    public static string Text(string? value) =>
        Field(value is { Length: > 0 } && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value ?? "");

    private static void Row(TextWriter writer, IEnumerable<string> fields)
    {
        writer.Write(string.Join(",", fields));
        writer.Write("\r\n");
    }

    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
