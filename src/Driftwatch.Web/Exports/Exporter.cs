using Driftwatch.Core;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Exports;

/// <summary>The runs to export, each with its comparison to the run before, and the verdict of every agent × suite among them.</summary>
public sealed record ExportData(IReadOnlyList<RunView> Runs, IReadOnlyList<Verdict> Verdicts)
{
    /// <summary>
    /// Per agent × suite, the flagged trials of every stored run up to its latest exported one
    /// (what the OpenMetrics counters count); empty when not known.
    /// </summary>
    public IReadOnlyDictionary<(string Agent, string Suite), FlagCounts> FlaggedSoFar { get; init; } = new Dictionary<(string, string), FlagCounts>();

    public Verdict? VerdictOf(string agent, string suite) =>
        Verdicts.FirstOrDefault(v => v.Agent == agent && v.Suite == suite);
}

/// <summary>Writes results in a format other tools read (README § Dashboard, report and exports).</summary>
public interface IExporter
{
    /// <summary>The name `export --format` takes.</summary>
    string Name { get; }

    string MediaType { get; }

    void Write(ExportData data, TextWriter writer);
}

public static class Exporters
{
    public static readonly IReadOnlyList<IExporter> All =
        [new JsonExporter(), new CsvExporter(), new JUnitExporter(), new MarkdownExporter(), new OpenMetricsExporter()];

    public static IExporter Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidInputException($"--format: unknown format '{name}' (expected {string.Join(", ", All.Select(e => e.Name))})");

    public static string Write(IExporter exporter, ExportData data)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        exporter.Write(data, writer);
        return writer.ToString();
    }
}
