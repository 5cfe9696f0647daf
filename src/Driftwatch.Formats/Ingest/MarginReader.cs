using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;

namespace Driftwatch.Formats.Ingest;

/// <summary>
/// Margin, the public Claude Code tracker's runner → one run per run folder
/// (docs/ingest-formats/margin.md). Each run folder holds a <c>results.json</c> with the run's
/// counts only, no per-task rows, so each run is ingested with <see cref="IngestedRun.Totals"/>;
/// the folder's name carries the run's start (<c>YYYYMMDD-HHMMSS</c>, UTC).
/// </summary>
public sealed partial class MarginReader : IResultReader
{
    private const string ResultsFile = "results.json";

    /// <summary>The <c>state</c> values of a run that ran to its end (compared ignoring case); any other state is an incomplete run.</summary>
    public static readonly ImmutableArray<string> FinishedStates = ["completed", "complete", "finished"];

    public string Format => "margin";

    [GeneratedRegex(@"(?<!\d)(?<date>\d{8})-(?<time>\d{6})(?!\d)")]
    private static partial Regex FolderTimestamp();

    public IReadOnlyList<IngestedRun> Read(string path, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return ReadPath(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot be read ({e.Message})", e);
        }
    }

    private static IReadOnlyList<IngestedRun> ReadPath(string path, IngestOptions options)
    {
        if (File.Exists(path))
        {
            return Path.GetFileName(path) == ResultsFile
                ? [ReadRun(Path.GetFullPath(path), options)]
                : throw new InvalidInputException($"{path}: margin reads a run's {ResultsFile}, its run folder, or a folder of run folders");
        }
        if (!Directory.Exists(path))
            throw new InvalidInputException($"{path}: no such file or folder");
        var own = Path.Combine(path, ResultsFile);
        if (File.Exists(own))
            return [ReadRun(Path.GetFullPath(own), options)];

        var runs = Directory.EnumerateDirectories(path)
            .Where(d => File.Exists(Path.Combine(d, ResultsFile)))
            .Order(StringComparer.Ordinal)
            .ToList();
        return runs.Count == 0
            ? throw new InvalidInputException($"{path}: no {ResultsFile} in it nor in any folder in it (margin reads run folders such as run-20260114-053012/{ResultsFile})")
            : [.. runs.Select(run => ReadRun(Path.GetFullPath(Path.Combine(run, ResultsFile)), options))];
    }

    private static IngestedRun ReadRun(string file, IngestOptions options)
    {
        var folder = Path.GetDirectoryName(file)!;
        var folderName = Path.GetFileName(folder);
        var startedAt = StartOf(folder, folderName);

        using var document = IngestJson.ParseFile(file);
        var root = document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement
            : throw IngestJson.Bad(file, "", null, "expected a JSON object");

        var state = IngestJson.RequireString(root, "state", file, "");
        var total = IngestJson.RequireCount(root, "total_instances", file, "");
        var status = IngestJson.Require(root, "status", JsonValueKind.Object, file, "");
        var succeeded = Count(status, "succeeded", file);
        var testFailed = Count(status, "test_failed", file);
        var infraFailed = Count(status, "infra_failed", file);
        var canceled = Count(status, "canceled", file);
        var accounted = (long)succeeded + testFailed + infraFailed + canceled;
        if (accounted > total)
        {
            throw IngestJson.Bad(file, "", "status", $"succeeded {succeeded} + test_failed {testFailed} + infra_failed {infraFailed} + canceled {canceled} = {accounted}, more than total_instances {total}");
        }

        var durationMs = RuntimeMs(root, file);
        var model = IngestJson.OptionalString(root, "model", file, "");
        var namedAgent = IngestJson.OptionalString(root, "agent", file, "") is { } agentName
            ? model is null ? agentName : $"{agentName}:{model}"
            : null;
        var agent = options.Agent ?? namedAgent
            ?? throw new InvalidInputException($"{file}: names no agent (no 'agent' field); pass --agent to say whose run it is");
        var suite = options.Suite ?? IngestJson.OptionalString(root, "benchmark", file, "")
            ?? throw new InvalidInputException($"{file}: names no benchmark (no 'benchmark' field); pass --suite to say which suite it ran");

        return new IngestedRun
        {
            Format = "margin",
            Key = folderName,
            Path = file,
            Agent = agent,
            Suite = suite,
            StartedAt = startedAt,
            FinishedAt = durationMs is { } ms ? startedAt.AddMilliseconds(ms) : null,
            Status = FinishedStates.Contains(state, StringComparer.OrdinalIgnoreCase) ? RunStatus.Complete : RunStatus.Incomplete,
            Models = model is null ? [] : [model],
            Details = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                [KeyValuePair.Create("margin.total_instances", (string?)total.ToString(CultureInfo.InvariantCulture))]),
            Totals = new RunTotals(Pass: succeeded, Fail: testFailed, Timeout: 0, Error: infraFailed),
            TotalUsage = Usage(root, file),
            DurationMs = durationMs,
        };
    }

    /// <summary>The run's start: the folder name's YYYYMMDD-HHMMSS, read as UTC.</summary>
    private static DateTimeOffset StartOf(string folder, string folderName)
    {
        var match = FolderTimestamp().Match(folderName);
        if (!match.Success)
            throw new InvalidInputException($"{folder}: the run folder's name has no run date and time (YYYYMMDD-HHMMSS, as in run-20260114-053012)");
        var text = match.Groups["date"].Value + match.Groups["time"].Value;
        return DateTimeOffset.TryParseExact(text, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new InvalidInputException($"{folder}: '{match.Value}' in the run folder's name is not a date and time (YYYYMMDD-HHMMSS)");
    }

    /// <summary>status.NAME.count; a status Margin leaves out counts 0.</summary>
    private static int Count(JsonElement status, string name, string file) =>
        IngestJson.Optional(status, name, JsonValueKind.Object, file, "status") is { } entry
            ? IngestJson.RequireCount(entry, "count", file, $"status.{name}")
            : 0;

    /// <summary><c>runtime</c>: seconds, as a number or as an object's <c>seconds</c>.</summary>
    private static long? RuntimeMs(JsonElement root, string file)
    {
        if (!root.TryGetProperty("runtime", out var runtime) || runtime.ValueKind == JsonValueKind.Null)
            return null;
        return runtime.ValueKind == JsonValueKind.Object
            ? IngestJson.OptionalSeconds(runtime, "seconds", file, "runtime") ?? throw IngestJson.Bad(file, "runtime", "seconds", "missing")
            : IngestJson.OptionalSeconds(root, "runtime", file, "");
    }

    /// <summary><c>usage</c>: the Anthropic names of the counts, and the cost as cost_usd or total_cost_usd; other keys are ignored.</summary>
    private static AgentUsage? Usage(JsonElement root, string file)
    {
        if (IngestJson.Optional(root, "usage", JsonValueKind.Object, file, "") is not { } usage)
            return null;
        const string record = "usage";
        return new AgentUsage
        {
            InputTokens = IngestJson.OptionalLong(usage, "input_tokens", file, record),
            OutputTokens = IngestJson.OptionalLong(usage, "output_tokens", file, record),
            CacheReadTokens = IngestJson.OptionalLong(usage, "cache_read_input_tokens", file, record),
            CacheWriteTokens = IngestJson.OptionalLong(usage, "cache_creation_input_tokens", file, record),
            CostUsd = IngestJson.OptionalCost(usage, "cost_usd", file, record) ?? IngestJson.OptionalCost(usage, "total_cost_usd", file, record),
        };
    }
}
