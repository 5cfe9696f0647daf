using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Ingest;

/// <summary>
/// One run of another harness, read from its result files (docs/ingest.md): its identity in that
/// harness (<see cref="Key"/>), the agent × suite it belongs to, and either its trials or, when the
/// harness keeps only per-run aggregates, its <see cref="Totals"/>. Stored as a run like any other,
/// with its source kept, so that every command reads it as it reads a native run.
/// </summary>
public sealed record IngestedRun
{
    /// <summary>The format it was read as: inspect, harbor, margin, promptfoo, jsonl, csv.</summary>
    public required string Format { get; init; }

    /// <summary>
    /// The run's identity within its format, stable across re-reads and moves of the file (an
    /// inspect eval id, a Harbor job name, a Margin run folder name, a promptfoo eval id, the
    /// generic file's run key): ingesting the same run twice adds nothing.
    /// </summary>
    public required string Key { get; init; }

    /// <summary>The file or folder it was read from, as given.</summary>
    public required string Path { get; init; }

    public required string Agent { get; init; }
    public required string Suite { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Complete unless the harness says the run stopped short (cancelled, errored, still running).</summary>
    public RunStatus Status { get; init; } = RunStatus.Complete;

    public string? AgentVersion { get; init; }
    public ImmutableArray<string> Models { get; init; } = [];

    /// <summary>
    /// What the harness says about its own configuration (task version, dataset, runner version…),
    /// kept in the run's fingerprint: a change of one of these is shown as what changed around a verdict.
    /// </summary>
    public ImmutableSortedDictionary<string, string?> Details { get; init; } = ImmutableSortedDictionary<string, string?>.Empty;

    /// <summary>
    /// The suite's revision when the harness names one (a dataset hash, a task version); a new
    /// revision starts a new baseline, as it does for native runs. Null: one revision per format.
    /// </summary>
    public string? SuiteRevision { get; init; }

    /// <summary>Per-trial results, each with its source record (<see cref="Trial.Source"/>); RunId is ignored.</summary>
    public IReadOnlyList<IngestedTrial> Trials { get; init; } = [];

    /// <summary>
    /// For a harness that keeps only per-run aggregates (no per-task rows): the counts. Such a run
    /// is judged with detectors of daily totals only, and its verdict says so.
    /// </summary>
    public RunTotals? Totals { get; init; }

    /// <summary>Usage summed over the run, for a run with <see cref="Totals"/> only.</summary>
    public AgentUsage? TotalUsage { get; init; }

    /// <summary>Wall time of the whole run in milliseconds, when the harness says.</summary>
    public long? DurationMs { get; init; }

    public bool TotalsOnly => Totals is not null;

    /// <summary>
    /// The formats that share one space of keys: the generic file's two spellings (jsonl, csv) are
    /// one, so the same trials given once as each are one run; every other format is its own.
    /// </summary>
    public string Family => Format is "jsonl" or "csv" ? "trials" : Format;

    /// <summary>The revision stored with the run.</summary>
    public string Revision => SuiteRevision ?? $"ingested:{Format}";

    /// <summary>
    /// A hash of everything stored of the run except where and how it was read (the path, the
    /// spelling of its format, each trial's source record): the same run read again — from a copy,
    /// a moved or renamed file, the CSV of the same trials — has the same hash; a run re-exported
    /// with different content does not, and is refused rather than silently replaced or duplicated.
    /// </summary>
    public string ContentHash()
    {
        var canonical = this with
        {
            Path = "",
            Format = Family,
            Trials = [.. Trials.Select(t => t with { Trial = t.Trial with { Source = null } })],
        };
        var json = JsonSerializer.Serialize(canonical, HashJson);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }

    private static readonly JsonSerializerOptions HashJson = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
    };
}

/// <summary>One ingested trial: the trial as stored (its RunId is set when it is stored) and its artifacts.</summary>
public sealed record IngestedTrial(Trial Trial, IReadOnlyList<TrialArtifact> Artifacts)
{
    public IngestedTrial(Trial trial) : this(trial, [])
    {
    }
}

/// <summary>A run's outcome counts when the harness keeps no per-task rows. Canceled trials are not counted at all.</summary>
public sealed record RunTotals(int Pass, int Fail, int Timeout, int Error)
{
    public int Total => Pass + Fail + Timeout + Error;
}

/// <summary>
/// What ingesting one run did: added (<see cref="Added"/>), or found already there. A run that
/// replaced one stored while its harness had not finished it names the run it replaced.
/// </summary>
public sealed record IngestResult(IngestedRun Run, long RunId, bool Added)
{
    public long? Replaced { get; init; }
}

/// <summary>Where ingested runs are stored: each once, keyed by format and <see cref="IngestedRun.Key"/>.</summary>
public interface IIngestStore
{
    /// <summary>
    /// Stores every run that is not stored yet, all in one transaction, and says which were
    /// already there. A run stored before with different content is bad input
    /// (<see cref="InvalidInputException"/> naming its file and key): nothing at all is written —
    /// unless the stored one was incomplete (its harness had not finished it when it was read):
    /// then the new read takes its place.
    /// </summary>
    Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<IngestedRun> runs, CancellationToken cancellationToken = default);
}

/// <summary>Reads one format's files into runs. Bad input throws <see cref="InvalidInputException"/> naming file, line or record, and field.</summary>
public interface IResultReader
{
    /// <summary>The format's name on the command line.</summary>
    string Format { get; }

    /// <summary>Reads the runs of one path (a file or, for folder formats, a folder). Agent and suite fall back to the options when the source does not name them.</summary>
    IReadOnlyList<IngestedRun> Read(string path, IngestOptions options);
}

/// <summary>What the command line says about ingested runs: names that override or complete what the files say.</summary>
public sealed record IngestOptions(string? Agent = null, string? Suite = null);

/// <summary>How an ingested run is stored as a run: its plan, its fingerprint and its trials as recorded.</summary>
public static class IngestedRuns
{
    /// <summary>
    /// What to do with <paramref name="run"/> when a run of the same format family and key is stored
    /// (<paramref name="storedId"/>): true when it is the same content (nothing to add); false when the
    /// stored one was read while its harness was still at it (incomplete) and the finished read
    /// replaces it. A finished run, once judged, is never replaced: bad input, nothing written.
    /// </summary>
    public static bool IsAlreadyStored(IngestedRun run, string hash, long storedId, string storedHash, string storedPath, string storedStatus)
    {
        if (storedHash == hash)
            return true;
        if (storedStatus != Runs.RunStatus.Incomplete.Name())
        {
            throw new InvalidInputException(
                $"{run.Path}: {run.Format} run '{run.Key}' was ingested before (run {storedId.ToString(System.Globalization.CultureInfo.InvariantCulture)}, from {storedPath}) " +
                "with other content; a finished run is never replaced: nothing was written");
        }
        return false;
    }

    /// <summary>
    /// The agent configuration every ingested run of a format has: fixed, so that a new model or
    /// agent version in the other harness's results is what detection sees, not a declared change.
    /// </summary>
    public static string AgentConfig(string format) => $$"""{"ingested":"{{format}}"}""";

    public static RunPlan Plan(IngestedRun run) => new()
    {
        AgentName = run.Agent,
        AgentKind = "ingested",
        AgentConfigJson = AgentConfig(run.Format),
        Synthetic = false,
        SuiteName = run.Suite,
        SuitePath = run.Path,
        SuiteRevision = run.Revision,
        TrialsPerTask = run.Trials.Count == 0 ? 1 : run.Trials.GroupBy(t => t.Trial.TaskId, StringComparer.Ordinal).Max(g => g.Count()),
        Seed = 0,
        SandboxMode = $"external:{run.Format}",
        Allocation = "ingested",
        Trials = [.. run.Trials.Select((t, i) => new PlannedTrial(t.Trial.TaskId, t.Trial.TrialIndex, i, t.Trial.Category, t.Trial.Language))],
    };

    public static RunFingerprint Fingerprint(IngestedRun run) => new()
    {
        AgentVersion = run.AgentVersion ?? run.Trials.Select(t => t.Trial.AgentVersion).FirstOrDefault(v => v is not null),
        Models = run.Models.IsDefaultOrEmpty
            ? [.. run.Trials.Select(t => t.Trial.Model).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]
            : run.Models,
        SuiteRevision = run.Revision,
        Sandbox = $"external:{run.Format}",
        Agent = run.Details,
    };

    /// <summary>The run's trials as stored: their run id, their order, and the catalog's metrics measured of them.</summary>
    public static IEnumerable<(Trial Trial, IReadOnlyList<TrialArtifact> Artifacts)> Trials(IngestedRun run, long runId) =>
        run.Trials.Select((t, i) =>
        {
            var trial = t.Trial with { RunId = runId, Sequence = i };
            return (trial with { Metrics = Metrics.TrialMetrics.Measure(trial) }, t.Artifacts);
        });

    /// <summary>
    /// What is wrong with a run as read, before anything is stored: a trial listed twice, counts
    /// that cannot be, a run with neither trials nor counts. Null when it is sound.
    /// </summary>
    public static string? Problem(IngestedRun run)
    {
        if (run.Totals is { } totals)
        {
            if (run.Trials.Count > 0)
                return "has both per-run totals and trials";
            if (totals.Pass < 0 || totals.Fail < 0 || totals.Timeout < 0 || totals.Error < 0)
                return "a count is negative";
        }
        else if (run.Trials.Count == 0)
        {
            return "has no trials";
        }
        var twice = run.Trials.GroupBy(t => t.Trial.Key).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            return $"trial {twice.Key} is listed {twice.Count()} times";
        if (string.IsNullOrWhiteSpace(run.Agent))
            return "names no agent (pass --agent)";
        if (string.IsNullOrWhiteSpace(run.Suite))
            return "names no suite (pass --suite)";
        return null;
    }
}
