using Driftwatch.Core;
using Driftwatch.Core.Ingest;

namespace Driftwatch.Formats.Ingest;

/// <summary>Every format `driftwatch ingest` reads, by name (docs/ingest.md).</summary>
public static class IngestReaders
{
    public static IReadOnlyList<IResultReader> All { get; } =
    [
        new InspectReader(),
        new HarborReader(),
        new MarginReader(),
        new PromptfooReader(),
        TrialFileReader.JsonLines,
        TrialFileReader.Csv,
    ];

    public static IResultReader Find(string format) =>
        All.FirstOrDefault(r => string.Equals(r.Format, format, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidInputException($"unknown format '{format}' (expected {string.Join(", ", All.Select(r => r.Format))})");
}
