using System.Collections.Immutable;
using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Ingest;

/// <summary>
/// The JSON file of <c>promptfoo eval -o results.json</c> (docs/ingest-formats/promptfoo.md): its
/// current shape (results.version 3, one row per test × prompt × provider in results.results). One
/// run per provider, keyed by the eval id and the provider; each row is one trial, a test's repeats
/// numbered in file order. The older shape with a results.table is refused.
/// </summary>
public sealed class PromptfooReader : IResultReader
{
    public string Format => "promptfoo";

    public IReadOnlyList<IngestedRun> Read(string path, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Directory.Exists(path))
            throw new InvalidInputException($"{path}: a folder; give the file written by 'promptfoo eval -o results.json'");
        using var document = IngestJson.ParseFile(path);
        var root = document.RootElement;
        var summary = IngestJson.Require(root, "results", JsonValueKind.Object, path, "");
        var version = IngestJson.Require(summary, "version", JsonValueKind.Number, path, "results");
        if (summary.TryGetProperty("table", out _) || version.GetRawText() != "3")
            throw IngestJson.Bad(path, "results", "version", $"{version.GetRawText()}: an older promptfoo output (with a results table) that this reader does not read; export it again with a current promptfoo (version 3)");
        var timestampText = IngestJson.RequireString(summary, "timestamp", path, "results");
        var timestamp = IngestJson.ParseTime(timestampText, path, "results", "timestamp");
        var rows = IngestJson.Require(summary, "results", JsonValueKind.Array, path, "results");
        if (rows.GetArrayLength() == 0)
            throw IngestJson.Bad(path, "results", "results", "empty: the eval holds no results");

        // An eval written without promptfoo's database has no id; its timestamp stands for it.
        var evalKey = IngestJson.OptionalString(root, "evalId", path, "") ?? timestampText;
        var config = IngestJson.Optional(root, "config", JsonValueKind.Object, path, "");
        var description = config is { } c ? IngestJson.OptionalString(c, "description", path, "config") : null;
        var promptfooVersion = IngestJson.Optional(root, "metadata", JsonValueKind.Object, path, "") is { } metadata
            ? IngestJson.OptionalString(metadata, "promptfooVersion", path, "metadata")
            : null;
        var stats = IngestJson.Optional(summary, "stats", JsonValueKind.Object, path, "results");
        var durationMs = stats is { } s ? IngestJson.OptionalMilliseconds(s, "durationMs", path, "results.stats") : null;

        var fileName = Path.GetFileName(path);
        var read = rows.EnumerateArray().Select((row, i) => Row.Read(row, i, path, fileName, timestamp)).ToList();
        var providers = read.Select(r => r.Provider).DistinctBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (options.Agent is not null && providers.Count > 1)
            throw new InvalidInputException($"{path}: --agent names one agent, but the file holds {providers.Count} providers ({string.Join(", ", providers.Select(p => p.Key))}); ingest it without --agent, and each provider is its own agent");
        var severalPrompts = read.Select(r => r.Prompt).Distinct(StringComparer.Ordinal).Skip(1).Any();

        return [.. providers.Select(provider =>
        {
            var repeats = new Dictionary<string, int>(StringComparer.Ordinal);
            var trials = read.Where(r => r.Provider.Key == provider.Key).Select((r, sequence) =>
            {
                var taskId = severalPrompts ? $"{r.Task}/{r.Prompt}" : r.Task;
                var index = repeats[taskId] = repeats.GetValueOrDefault(taskId) + 1;
                return new IngestedTrial(r.Trial with { TaskId = taskId, TrialIndex = index, Sequence = sequence });
            }).ToList();

            var details = ImmutableSortedDictionary.CreateBuilder<string, string?>(StringComparer.Ordinal);
            if (provider.Id is not null)
                details["provider"] = provider.Id;
            if (promptfooVersion is not null)
                details["promptfoo"] = promptfooVersion;
            return new IngestedRun
            {
                Format = "promptfoo",
                Key = $"{evalKey}/{provider.Key}",
                Path = path,
                Agent = options.Agent ?? provider.Key,
                Suite = options.Suite ?? description ?? "promptfoo",
                StartedAt = timestamp,
                FinishedAt = durationMs is { } ms ? timestamp.AddMilliseconds(ms) : null,
                Models = provider.Id is { } id ? [id] : [],
                Details = details.ToImmutable(),
                Trials = trials,
                DurationMs = durationMs,
            };
        })];
    }

    /// <summary>
    /// A provider as promptfoo keys it: by its label, else its id (two labels of one model are two
    /// providers).
    /// </summary>
    private sealed record Provider(string Key, string? Id);

    /// <summary>One row of results.results: its trial (task id and index set later), task, prompt and provider.</summary>
    private sealed record Row(Trial Trial, string Task, string Prompt, Provider Provider)
    {
        public static Row Read(JsonElement row, int index, string file, string fileName, DateTimeOffset timestamp)
        {
            var at = $"results.results[{index}]";
            if (row.ValueKind != JsonValueKind.Object)
                throw IngestJson.Bad(file, at, null, "expected a result (an object)");

            var providerJson = IngestJson.Require(row, "provider", JsonValueKind.Object, file, at);
            var providerId = IngestJson.OptionalString(providerJson, "id", file, $"{at}: provider");
            var providerKey = IngestJson.OptionalString(providerJson, "label", file, $"{at}: provider") ?? providerId
                ?? throw IngestJson.Bad(file, at, "provider.id", "missing, and no label either");

            var testIdx = IngestJson.RequireCount(row, "testIdx", file, at);
            var promptIdx = IngestJson.RequireCount(row, "promptIdx", file, at);
            var testCase = IngestJson.Optional(row, "testCase", JsonValueKind.Object, file, at);
            var task = (testCase is { } t ? IngestJson.OptionalString(t, "description", file, $"{at}: testCase") : null)
                ?? IngestJson.OptionalString(row, "description", file, at)
                ?? $"test-{testIdx}";
            var promptJson = IngestJson.Optional(row, "prompt", JsonValueKind.Object, file, at);
            var prompt = (promptJson is { } p
                ? IngestJson.OptionalString(p, "label", file, $"{at}: prompt") ?? IngestJson.OptionalString(p, "id", file, $"{at}: prompt")
                : null) ?? $"prompt-{promptIdx}";

            var (outcome, passed, total, errorMessage) = Outcome(row, file, at);
            var response = IngestJson.Optional(row, "response", JsonValueKind.Object, file, at);
            var latencyMs = IngestJson.OptionalMilliseconds(row, "latencyMs", file, at);
            var trial = new Trial
            {
                RunId = 0,
                TaskId = task,
                TrialIndex = 1,
                Sequence = 0,
                Category = TaskCategory.Other,
                Language = "",
                Outcome = outcome,
                TestsPassed = passed,
                TestsTotal = total,
                StartedAt = timestamp,
                FinishedAt = timestamp.AddMilliseconds(latencyMs ?? 0),
                DurationMs = latencyMs ?? 0,
                AgentDurationMs = latencyMs ?? 0,
                Usage = Usage(row, response, file, at),
                Model = providerId,
                ErrorKind = outcome == TrialOutcome.Error ? "provider-error" : null,
                ErrorMessage = errorMessage,
                Source = $"{fileName}#{at}",
            };
            return new Row(trial, task, prompt, new Provider(providerKey, providerId));
        }

        /// <summary>
        /// failureReason 2 (ERROR) is an Error; 1 (ASSERT) or 0 a Pass or Fail as success says.
        /// promptfoo writes an assertion's reason into error too, so error alone decides nothing;
        /// only without a failureReason (older files) does an error without grading mean an Error.
        /// Partial credit: the assertions that passed of gradingResult.componentResults.
        /// </summary>
        private static (TrialOutcome Outcome, int Passed, int Total, string? Error) Outcome(JsonElement row, string file, string at)
        {
            var success = IngestJson.Require(row, "success", JsonValueKind.True, file, at).GetBoolean();
            var reason = IngestJson.OptionalLong(row, "failureReason", file, at);
            if (reason is > 2)
                throw IngestJson.Bad(file, at, "failureReason", $"unknown reason {reason} (0 none, 1 an assertion, 2 an error)");
            var response = IngestJson.Optional(row, "response", JsonValueKind.Object, file, at);
            var error = IngestJson.OptionalString(row, "error", file, at)
                ?? (response is { } r ? IngestJson.OptionalString(r, "error", file, $"{at}: response") : null);
            var grading = IngestJson.Optional(row, "gradingResult", JsonValueKind.Object, file, at);

            if (reason == 2 || (reason is null && !success && grading is null && error is not null))
                return (TrialOutcome.Error, 0, 1, error ?? "the provider failed (no message)");

            var components = grading is { } g ? IngestJson.Optional(g, "componentResults", JsonValueKind.Array, file, $"{at}: gradingResult") : null;
            if (components is { } list && list.GetArrayLength() > 0)
            {
                var passed = list.EnumerateArray()
                    .Select((c, i) => IngestJson.Require(c, "pass", JsonValueKind.True, file, $"{at}: gradingResult.componentResults[{i}]").GetBoolean())
                    .Count(pass => pass);
                return (success ? TrialOutcome.Pass : TrialOutcome.Fail, passed, list.GetArrayLength(), success ? null : error);
            }
            return success ? (TrialOutcome.Pass, 1, 1, null) : (TrialOutcome.Fail, 0, 1, error);
        }

        /// <summary>
        /// response.tokenUsage's prompt and completion tokens, and the row's cost. Its "cached" counts
        /// the tokens of a response served from promptfoo's own cache, not a provider's prompt cache:
        /// it is not read as cache-read tokens.
        /// </summary>
        private static AgentUsage Usage(JsonElement row, JsonElement? response, string file, string at)
        {
            var tokens = response is { } r ? IngestJson.Optional(r, "tokenUsage", JsonValueKind.Object, file, $"{at}: response") : null;
            var usage = new AgentUsage
            {
                InputTokens = tokens is { } t ? IngestJson.OptionalLong(t, "prompt", file, $"{at}: response.tokenUsage") : null,
                OutputTokens = tokens is { } u ? IngestJson.OptionalLong(u, "completion", file, $"{at}: response.tokenUsage") : null,
                CostUsd = IngestJson.OptionalCost(row, "cost", file, at)
                    ?? (response is { } c ? IngestJson.OptionalCost(c, "cost", file, $"{at}: response") : null),
            };
            return usage == new AgentUsage() ? AgentUsage.None : usage;
        }
    }
}
