using System.Collections.Immutable;
using System.IO.Compression;
using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Ingest;

/// <summary>
/// inspect_ai eval logs (docs/ingest-formats/inspect.md): a <c>.json</c> log (one EvalLog document,
/// samples included) or a <c>.eval</c> log (a zip archive: <c>header.json</c>, or
/// <c>_journal/start.json</c> while the eval is still being written, and one
/// <c>samples/&lt;id&gt;_epoch_&lt;n&gt;.json</c> per sample). One log is one run, keyed by its
/// eval id; each sample × epoch is one trial, its outcome read from its first score.
/// </summary>
public sealed class InspectReader : IResultReader
{
    public string Format => "inspect";

    public IReadOnlyList<IngestedRun> Read(string path, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Directory.Exists(path))
            throw new InvalidInputException($"{path}: a folder; give the log files themselves (logs/*.eval or logs/*.json)");
        return path.EndsWith(".eval", StringComparison.OrdinalIgnoreCase) ? [ReadArchive(path, options)] : [ReadJson(path, options)];
    }

    private static IngestedRun ReadJson(string path, IngestOptions options)
    {
        using var document = IngestJson.ParseFile(path);
        var root = document.RootElement;
        var header = Header.Read(root, path, fromJournal: false);
        var samples = new List<SampleRecord>();
        if (IngestJson.Optional(root, "samples", JsonValueKind.Array, path, "") is { } array)
        {
            var index = 0;
            foreach (var sample in array.EnumerateArray())
                samples.Add(new SampleRecord(sample, $"samples[{index++}]"));
        }
        return ToRun(path, header, samples, options);
    }

    private static IngestedRun ReadArchive(string path, IngestOptions options)
    {
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputException($"{path}: not a zip archive, which an inspect .eval log is ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot be read ({e.Message})", e);
        }

        var documents = new List<JsonDocument>();
        try
        {
            using (archive)
            {
                JsonDocument Parse(ZipArchiveEntry entry)
                {
                    var document = IngestJson.Parse($"{path}: {entry.FullName}", EntryText(path, entry));
                    documents.Add(document);
                    return document;
                }

                var headerEntry = archive.GetEntry("header.json");
                var journalEntry = archive.GetEntry("_journal/start.json");
                if (headerEntry is null && journalEntry is null)
                    throw IngestJson.Bad(path, "", "header.json", "missing, and no _journal/start.json either (not an inspect .eval log?)");
                var header = headerEntry is not null
                    ? Header.Read(Parse(headerEntry).RootElement, $"{path}: header.json", fromJournal: false)
                    : Header.Read(Parse(journalEntry!).RootElement, $"{path}: _journal/start.json", fromJournal: true);

                // One entry per sample × epoch; an .eval2 log nests them in folders, which this reader does not read.
                var samples = archive.Entries
                    .Where(e => e.FullName.StartsWith("samples/", StringComparison.Ordinal)
                        && e.FullName.EndsWith(".json", StringComparison.Ordinal)
                        && e.FullName.IndexOf('/', "samples/".Length) < 0)
                    .Select(e => new SampleRecord(Parse(e).RootElement, e.FullName))
                    .ToList();
                return ToRun(path, header, samples, options);
            }
        }
        finally
        {
            foreach (var document in documents)
                document.Dispose();
        }
    }

    private static string EntryText(string path, ZipArchiveEntry entry)
    {
        try
        {
            using var reader = new StreamReader(entry.Open());
            return reader.ReadToEnd();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputException($"{path}: {entry.FullName}: cannot be unpacked ({e.Message})", e);
        }
    }

    private static IngestedRun ToRun(string path, Header header, List<SampleRecord> records, IngestOptions options)
    {
        if (records.Count == 0)
            throw IngestJson.Bad(path, "", "samples", "none in the log (was it written without samples, or stopped before the first one?)");
        var name = Path.GetFileName(path);
        var samples = records.Select(r => Sample.Read(r, path, name, header)).ToList();
        var seen = new HashSet<TrialKey>();
        foreach (var sample in samples)
        {
            if (!seen.Add(sample.Trial.Key))
                throw IngestJson.Bad(path, sample.Where, "id", $"sample {sample.Trial.TaskId} epoch {sample.Trial.TrialIndex} appears twice");
        }

        // inspect's own order (epoch, then id with numbers zero-padded), whatever order the archive holds them in.
        var ordered = samples.OrderBy(s => s.Trial.TrialIndex).ThenBy(s => s.SortKey, StringComparer.Ordinal).ToList();
        var trials = ordered.Select((s, sequence) => new IngestedTrial(s.Trial with { Sequence = sequence })).ToList();
        var models = ordered.SelectMany(s => s.Trial.ServedModels).Append(header.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

        return new IngestedRun
        {
            Format = "inspect",
            Key = header.Key,
            Path = path,
            Agent = options.Agent ?? header.Model,
            Suite = options.Suite ?? header.Task,
            StartedAt = header.StartedAt,
            FinishedAt = header.FinishedAt,
            Status = header.Status,
            Models = [.. models],
            Details = header.Details,
            SuiteRevision = header.TaskVersion is { } version ? $"inspect:{header.Task}@{version}" : null,
            Trials = trials,
            DurationMs = header.FinishedAt is { } finished ? (long)(finished - header.StartedAt).TotalMilliseconds : null,
        };
    }

    /// <summary>One sample's JSON and where it is: "samples[3]" in a .json log, its entry name in an .eval log.</summary>
    private sealed record SampleRecord(JsonElement Json, string Where);

    /// <summary>What the log says about the eval as a whole (EvalLog without its samples).</summary>
    private sealed record Header(
        string Key, string Task, string Model, string? TaskVersion, RunStatus Status,
        DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, ImmutableSortedDictionary<string, string?> Details)
    {
        public static Header Read(JsonElement root, string file, bool fromJournal)
        {
            var eval = IngestJson.Require(root, "eval", JsonValueKind.Object, file, "");
            // The journal's start record is written before the eval runs and has no status yet.
            var status = fromJournal ? "started" : IngestJson.RequireString(root, "status", file, "");
            var runStatus = status switch
            {
                "success" => RunStatus.Complete,
                "started" or "error" or "cancelled" => RunStatus.Incomplete,
                _ => throw IngestJson.Bad(file, "", "status", $"unknown status '{status}' (success, started, error or cancelled)"),
            };
            var task = IngestJson.RequireString(eval, "task", file, "eval");
            var model = IngestJson.RequireString(eval, "model", file, "eval");
            var created = IngestJson.ParseTime(IngestJson.RequireString(eval, "created", file, "eval"), file, "eval", "created");

            // inspect fills a missing eval_id (logs before it had one) from run_id, task_id and created.
            var key = IngestJson.OptionalString(eval, "eval_id", file, "eval")
                ?? (IngestJson.OptionalString(eval, "run_id", file, "eval") is { } runId && IngestJson.OptionalString(eval, "task_id", file, "eval") is { } taskId
                    ? $"{runId}/{taskId}"
                    : throw IngestJson.Bad(file, "eval", "eval_id", "missing, and no run_id and task_id to stand for it"));

            var stats = IngestJson.Optional(root, "stats", JsonValueKind.Object, file, "");
            var startedAt = (stats is { } s ? IngestJson.OptionalTime(s, "started_at", file, "stats") : null) ?? created;
            var finishedAt = stats is { } f ? IngestJson.OptionalTime(f, "completed_at", file, "stats") : null;
            if (finishedAt < startedAt)
                throw IngestJson.Bad(file, "stats", "completed_at", $"{finishedAt:O} is before the eval started ({startedAt:O})");

            var version = ReadTaskVersion(eval, file);
            var details = ImmutableSortedDictionary.CreateBuilder<string, string?>(StringComparer.Ordinal);
            if (version is not null)
                details["task_version"] = version;
            if (IngestJson.Optional(eval, "dataset", JsonValueKind.Object, file, "eval") is { } dataset
                && IngestJson.OptionalString(dataset, "name", file, "eval.dataset") is { } datasetName)
                details["dataset"] = datasetName;
            if (Solver(root, eval, file) is { } solver)
                details["solver"] = solver;
            if (IngestJson.Optional(eval, "packages", JsonValueKind.Object, file, "eval") is { } packages
                && IngestJson.OptionalString(packages, "inspect_ai", file, "eval.packages") is { } inspectVersion)
                details["inspect_ai"] = inspectVersion;
            if (IngestJson.Optional(eval, "revision", JsonValueKind.Object, file, "eval") is { } revision
                && IngestJson.OptionalString(revision, "commit", file, "eval.revision") is { } commit)
                details["revision"] = commit;

            return new Header(key, task, model, version, runStatus, startedAt, finishedAt, details.ToImmutable());
        }

        /// <summary>eval.task_version, a number or a string; 0 (the default) says nothing.</summary>
        private static string? ReadTaskVersion(JsonElement eval, string file)
        {
            if (!eval.TryGetProperty("task_version", out var value) || value.ValueKind == JsonValueKind.Null)
                return null;
            var text = value.ValueKind switch
            {
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.String => value.GetString()!,
                _ => throw IngestJson.Bad(file, "eval", "task_version", "expected a number or a string"),
            };
            return text is "" or "0" ? null : text;
        }

        /// <summary>eval.solver when the eval names one, else the plan's steps in order.</summary>
        private static string? Solver(JsonElement root, JsonElement eval, string file)
        {
            if (IngestJson.OptionalString(eval, "solver", file, "eval") is { } solver)
                return solver;
            if (IngestJson.Optional(root, "plan", JsonValueKind.Object, file, "") is not { } plan
                || IngestJson.Optional(plan, "steps", JsonValueKind.Array, file, "plan") is not { } steps)
                return null;
            var names = steps.EnumerateArray().Select((step, i) => IngestJson.RequireString(step, "solver", file, $"plan.steps[{i}]")).ToList();
            return names.Count == 0 ? null : string.Join(" > ", names);
        }
    }

    /// <summary>One sample × epoch read into a trial.</summary>
    private sealed record Sample(Trial Trial, string Where, string SortKey)
    {
        public static Sample Read(SampleRecord record, string file, string fileName, Header header)
        {
            var json = record.Json;
            var where = record.Where;
            var (id, sortKey) = Id(json, file, where);
            var epoch = IngestJson.RequireCount(json, "epoch", file, where);
            if (epoch < 1)
                throw IngestJson.Bad(file, where, "epoch", $"expected 1 or more, found {epoch}");
            var at = $"{where}: sample {id} epoch {epoch}";

            var (outcome, errorKind, errorMessage) = Outcome(json, file, at);
            var usage = Usage(json, file, at, out var servedModels);
            var output = IngestJson.Optional(json, "output", JsonValueKind.Object, file, at);
            var durationMs = IngestJson.OptionalSeconds(json, "total_time", file, at);
            var startedAt = IngestJson.OptionalTime(json, "started_at", file, at) ?? header.StartedAt;
            var finishedAt = IngestJson.OptionalTime(json, "completed_at", file, at) ?? startedAt.AddMilliseconds(durationMs ?? 0);

            var trial = new Trial
            {
                RunId = 0,
                TaskId = id,
                TrialIndex = epoch,
                Sequence = 0,
                Category = TaskCategory.Other,
                Language = "",
                Outcome = outcome,
                TestsPassed = outcome == TrialOutcome.Pass ? 1 : 0,
                TestsTotal = 1,
                StartedAt = startedAt,
                FinishedAt = finishedAt,
                DurationMs = durationMs ?? 0,
                AgentDurationMs = IngestJson.OptionalSeconds(json, "working_time", file, at) ?? 0,
                Usage = usage,
                Model = (output is { } o ? IngestJson.OptionalString(o, "model", file, $"{at}: output") : null) ?? header.Model,
                ServedModels = servedModels,
                StopReason = StopReason(json, output, file, at),
                ErrorKind = errorKind,
                ErrorMessage = errorMessage,
                Source = $"{fileName}#{id} epoch {epoch}",
            };
            return new Sample(trial, where, sortKey);
        }

        /// <summary>The sample id as text, and inspect's sort key for it (numbers zero-padded to 20 places).</summary>
        private static (string Id, string SortKey) Id(JsonElement json, string file, string where)
        {
            if (json.ValueKind != JsonValueKind.Object)
                throw IngestJson.Bad(file, where, null, "expected a sample (an object)");
            if (!json.TryGetProperty("id", out var id) || id.ValueKind == JsonValueKind.Null)
                throw IngestJson.Bad(file, where, "id", "missing");
            return id.ValueKind switch
            {
                JsonValueKind.String when id.GetString() is { Length: > 0 } text => (text, text),
                JsonValueKind.Number => (id.GetRawText(), id.GetRawText().PadLeft(20, '0')),
                _ => throw IngestJson.Bad(file, where, "id", "expected a string or a number"),
            };
        }

        /// <summary>An error halts the sample (Error whatever it scored); else the first score decides.</summary>
        private static (TrialOutcome Outcome, string? ErrorKind, string? ErrorMessage) Outcome(JsonElement json, string file, string at)
        {
            if (json.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                var message = error.ValueKind switch
                {
                    JsonValueKind.Object => IngestJson.OptionalString(error, "message", file, $"{at}: error"),
                    JsonValueKind.String => error.GetString(),
                    _ => throw IngestJson.Bad(file, at, "error", "expected an object with a message, or a string"),
                };
                return (TrialOutcome.Error, "harness-error", message ?? "the sample failed (no message)");
            }

            // Logs of version 1 hold one "score"; later ones a "scores" object, first scorer first.
            JsonElement score;
            string field;
            if (IngestJson.Optional(json, "scores", JsonValueKind.Object, file, at) is { } scores && scores.EnumerateObject().Any())
            {
                var first = scores.EnumerateObject().First();
                (score, field) = (first.Value, $"scores.{first.Name}");
            }
            else if (IngestJson.Optional(json, "score", JsonValueKind.Object, file, at) is { } legacy)
                (score, field) = (legacy, "score");
            else
                return (TrialOutcome.Error, "unscored", "the sample has no score and no error");

            if (score.ValueKind != JsonValueKind.Object)
                throw IngestJson.Bad(file, at, field, "expected a score (an object with a value)");
            field += ".value";
            if (!score.TryGetProperty("value", out var value) || value.ValueKind == JsonValueKind.Null)
                throw IngestJson.Bad(file, at, field, "missing");
            return (ScoreOutcome(value, file, at, field), null, null);
        }

        /// <summary>inspect's CORRECT "C", INCORRECT "I", PARTIAL "P", NOANSWER "N", a boolean, or a number in 0…1.</summary>
        private static TrialOutcome ScoreOutcome(JsonElement value, string file, string at, string field)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.True:
                    return TrialOutcome.Pass;
                case JsonValueKind.False:
                    return TrialOutcome.Fail;
                case JsonValueKind.String:
                    return value.GetString() switch
                    {
                        "C" => TrialOutcome.Pass,
                        "I" or "N" or "P" => TrialOutcome.Fail,
                        var other => throw IngestJson.Bad(file, at, field, $"unknown score value '{other}' (C, I, P or N, true or false, or a number from 0 to 1)"),
                    };
                case JsonValueKind.Number:
                    if (!value.TryGetDouble(out var number))
                        throw IngestJson.Bad(file, at, field, $"not a number that can be read: {value.GetRawText()}");
                    if (number == 1)
                        return TrialOutcome.Pass;
                    if (number >= 0 && number < 1)
                        return TrialOutcome.Fail;
                    throw IngestJson.Bad(file, at, field, $"a number score outside 0…1 ({value.GetRawText()}) says neither pass nor fail");
                default:
                    throw IngestJson.Bad(file, at, field, "a score of several values (an object or a list) says neither pass nor fail; put the scorer that decides first");
            }
        }

        /// <summary>model_usage summed over its models (output.usage when there is none).</summary>
        private static AgentUsage Usage(JsonElement json, string file, string at, out ImmutableArray<string> servedModels)
        {
            servedModels = [];
            var parts = new List<(JsonElement Usage, string Where)>();
            if (IngestJson.Optional(json, "model_usage", JsonValueKind.Object, file, at) is { } byModel)
            {
                foreach (var model in byModel.EnumerateObject())
                {
                    if (model.Value.ValueKind != JsonValueKind.Object)
                        throw IngestJson.Bad(file, at, $"model_usage.{model.Name}", "expected an object");
                    parts.Add((model.Value, $"{at}: model_usage.{model.Name}"));
                }
                servedModels = [.. byModel.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
            }
            if (parts.Count == 0 && IngestJson.Optional(json, "output", JsonValueKind.Object, file, at) is { } output
                && IngestJson.Optional(output, "usage", JsonValueKind.Object, file, $"{at}: output") is { } usage)
                parts.Add((usage, $"{at}: output.usage"));
            if (parts.Count == 0)
                return AgentUsage.None;

            long? Sum(string field) => parts.Select(p => IngestJson.OptionalLong(p.Usage, field, file, p.Where))
                .Aggregate((long?)null, (total, n) => n is null ? total : (total ?? 0) + n);
            var costs = parts.Select(p => IngestJson.OptionalCost(p.Usage, "total_cost", file, p.Where)).Where(c => c is not null).ToList();
            return new AgentUsage
            {
                InputTokens = Sum("input_tokens"),
                OutputTokens = Sum("output_tokens"),
                CacheReadTokens = Sum("input_tokens_cache_read"),
                CacheWriteTokens = Sum("input_tokens_cache_write"),
                CostUsd = costs.Count == 0 ? null : costs.Sum(),
            };
        }

        /// <summary>The limit that halted the sample ("time-limit", "token-limit"…), else why the model's last output stopped.</summary>
        private static string? StopReason(JsonElement json, JsonElement? output, string file, string at)
        {
            if (IngestJson.Optional(json, "limit", JsonValueKind.Object, file, at) is { } limit
                && IngestJson.OptionalString(limit, "type", file, $"{at}: limit") is { } type)
                return $"{type}-limit";
            if (output is { } o && IngestJson.Optional(o, "choices", JsonValueKind.Array, file, $"{at}: output") is { } choices
                && choices.GetArrayLength() > 0)
                return IngestJson.OptionalString(choices[0], "stop_reason", file, $"{at}: output.choices[0]");
            return null;
        }
    }
}
