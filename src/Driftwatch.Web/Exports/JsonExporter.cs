using Driftwatch.Formats.Json;
using Driftwatch.Web.Api;

namespace Driftwatch.Web.Exports;

/// <summary>`{"runs": [...], "verdicts": [...]}` with the API's shapes (those of `show --json` and `check --json`).</summary>
internal sealed class JsonExporter : IExporter
{
    public string Name => "json";

    public string MediaType => "application/json";

    public void Write(ExportData data, TextWriter writer) =>
        writer.Write(ResultJson.Serialize(new ExportJson([.. data.Runs.Select(ApiJson.Run)], [.. data.Verdicts.Select(ResultJson.Verdict)])) + "\n");
}
