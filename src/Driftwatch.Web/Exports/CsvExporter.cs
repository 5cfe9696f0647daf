using System.Globalization;
using Driftwatch.Core.Runs;

namespace Driftwatch.Web.Exports;

/// <summary>
/// One row per trial (RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted,
/// quotes doubled). New columns only ever go at the end; several flags or served models in one
/// field are separated by "; ".
/// </summary>
public sealed class CsvExporter : IExporter
{
    private static readonly string[] Columns =
    [
        "run", "agent", "suite", "suite_revision", "run_started_at", "task", "trial", "category", "language", "outcome",
        "tests_passed", "tests_total", "duration_ms", "input_tokens", "output_tokens", "cost_usd", "agent_version", "model",
        "stop_reason", "error_kind", "attempts", "flip", "flags", "served_models",
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
                        I(run.Id), run.Agent, run.Suite, run.SuiteRevision, run.StartedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                        t.TaskId, I(t.TrialIndex), row.Category, t.Language, t.Outcome.Name(), I(t.TestsPassed), I(t.TestsTotal), I(t.DurationMs),
                        I(t.Usage.InputTokens), I(t.Usage.OutputTokens), t.Usage.CostUsd?.ToString(CultureInfo.InvariantCulture) ?? "",
                        t.AgentVersion ?? "", t.Model ?? "", t.StopReason ?? "", t.ErrorKind ?? "", I(t.Attempts),
                        row.Flip == Views.Flip.None ? "" : row.Flip.ToString().ToLowerInvariant(),
                        string.Join("; ", t.Flags), string.Join("; ", t.ServedModels),
                    ]);
                }
            }
        }
    }

    private static string I(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static void Row(TextWriter writer, IEnumerable<string> fields)
    {
        writer.Write(string.Join(",", fields.Select(Field)));
        writer.Write("\r\n");
    }

    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
