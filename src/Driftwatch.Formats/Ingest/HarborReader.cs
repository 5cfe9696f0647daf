using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;

namespace Driftwatch.Formats.Ingest;

/// <summary>
/// A Harbor (Terminal-Bench) job folder → one run per job (docs/ingest-formats/harbor.md). A job
/// folder holds one folder per trial, each with the trial's <c>result.json</c>, and usually the
/// job's own <c>config.json</c> and <c>result.json</c>; a folder of job folders gives one run per
/// job. A trial folder without <c>result.json</c> is a trial still running: it is left out and the
/// run is <see cref="RunStatus.Incomplete"/>.
/// </summary>
public sealed class HarborReader : IResultReader
{
    private const string ResultFile = "result.json";
    private const string ConfigFile = "config.json";

    public string Format => "harbor";

    public IReadOnlyList<IngestedRun> Read(string path, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(path))
            throw new InvalidInputException($"{path}: harbor needs a Harbor job folder (one folder per trial, each with a result.json) or a folder of job folders");
        try
        {
            return ReadFolder(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot be read ({e.Message})", e);
        }
    }

    private static IReadOnlyList<IngestedRun> ReadFolder(string path, IngestOptions options)
    {
        if (IsTrialFolder(path))
            throw new InvalidInputException($"{path}: this is one trial's folder; give its job folder (the folder above it)");
        if (IsJobFolder(path))
            return [ReadJob(path, options)];

        var jobs = Subfolders(path).Where(IsJobFolder).ToList();
        return jobs.Count == 0
            ? throw new InvalidInputException($"{path}: no Harbor job in it (a job folder holds config.json or result.json and one folder per trial with its result.json)")
            : [.. jobs.Select(job => ReadJob(job, options))];
    }

    /// <summary>
    /// How a trial's exception decides its outcome: the agent running out of time is a
    /// <see cref="TrialOutcome.Timeout"/>; setting up the environment or the agent, and verifying,
    /// are the harness's work, so their failures are infrastructure <see cref="TrialOutcome.Error"/>s;
    /// anything else the agent raised (a non-zero exit, a crash) leaves the verdict to the reward.
    /// </summary>
    internal static TrialOutcome? OutcomeOfException(string type)
    {
        if (type.StartsWith("AgentSetup", StringComparison.Ordinal)
            || type.Contains("Environment", StringComparison.Ordinal)
            || type.Contains("Verifier", StringComparison.Ordinal)
            || type.StartsWith("RewardFile", StringComparison.Ordinal)
            || type is "AddTestsDirError" or "CancelledError")
            return TrialOutcome.Error;
        if (type.EndsWith("AgentTimeoutError", StringComparison.Ordinal))
            return TrialOutcome.Timeout;
        return null;
    }

    private static IngestedRun ReadJob(string jobFolder, IngestOptions options)
    {
        var config = ReadJobConfig(jobFolder);
        var jobResult = ReadJobResult(jobFolder);

        var read = new List<HarborTrial>();
        var running = 0;
        foreach (var trialFolder in Subfolders(jobFolder))
        {
            var file = Path.Combine(trialFolder, ResultFile);
            if (File.Exists(file))
                read.Add(ReadTrial(file, Path.GetFileName(trialFolder)));
            else
                running++;
        }

        var ordered = read.OrderBy(t => t.StartedAt).ThenBy(t => t.TrialName, StringComparer.Ordinal).ToList();
        var perTask = new Dictionary<string, int>(StringComparer.Ordinal);
        var trials = ordered.Select((t, sequence) =>
        {
            var index = perTask[t.TaskName] = perTask.GetValueOrDefault(t.TaskName) + 1;
            return new IngestedTrial(t.ToTrial(index, sequence));
        }).ToList();

        var agents = ordered.Select(t => t.AgentName).Distinct(StringComparer.Ordinal).ToList();
        if (agents.Count > 1)
            throw IngestJson.Bad(jobFolder, "", "agent_info", $"the trials name more than one agent ({string.Join(", ", agents)}); a Driftwatch run has one agent, so ingest each agent's job on its own");
        var agent = options.Agent ?? (agents.Count == 1 ? agents[0] : config.Agent)
            ?? throw new InvalidInputException($"{jobFolder}: no trial has finished and the job's config.json names no agent; pass --agent");

        var datasets = config.Datasets.Select(d => d.Name).Distinct(StringComparer.Ordinal).ToList();
        if (options.Suite is null && datasets.Count > 1)
            throw IngestJson.Bad(Path.Combine(jobFolder, ConfigFile), "", "datasets", $"the job ran more than one dataset ({string.Join(", ", datasets)}); pass --suite to name the suite");
        var suite = options.Suite ?? (datasets.Count == 1 ? datasets[0] : "harbor");
        var dataset = config.Datasets.Count == 1 ? config.Datasets[0] : null;

        var startedAt = ordered.Count > 0 ? ordered[0].StartedAt : jobResult.StartedAt
            ?? throw new InvalidInputException($"{jobFolder}: no trial has finished and the job's result.json gives no started_at: nothing says when the run started");
        var incomplete = running > 0
            || (jobResult.Exists && jobResult.FinishedAt is null)
            || (jobResult.TotalTrials is { } total && total > read.Count);
        var finishedAt = jobResult.FinishedAt ?? (incomplete || ordered.Count == 0 ? null : ordered.Max(t => t.FinishedAt));

        var versions = ordered.Select(t => t.AgentVersion).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new IngestedRun
        {
            Format = "harbor",
            Key = config.JobName ?? jobResult.Id ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(jobFolder)),
            Path = jobFolder,
            Agent = agent,
            Suite = suite,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            Status = incomplete ? RunStatus.Incomplete : RunStatus.Complete,
            AgentVersion = versions.Count == 0 ? null : string.Join(", ", versions),
            Models = [.. ordered.Select(t => t.Model).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Details = config.Details,
            SuiteRevision = dataset is { Version: { } version } ? $"{dataset.Name}@{version}" : null,
            Trials = trials,
            DurationMs = jobResult is { StartedAt: { } start, FinishedAt: { } end } ? (long)(end - start).TotalMilliseconds : null,
        };
    }

    private static HarborTrial ReadTrial(string file, string trialFolderName)
    {
        using var document = IngestJson.ParseFile(file);
        var root = RootObject(document, file);
        var taskName = IngestJson.RequireString(root, "task_name", file, "");
        var trialName = IngestJson.OptionalString(root, "trial_name", file, "") ?? trialFolderName;

        var agentInfo = IngestJson.Require(root, "agent_info", JsonValueKind.Object, file, "");
        var agentName = IngestJson.RequireString(agentInfo, "name", file, "agent_info");
        var agentVersion = IngestJson.OptionalString(agentInfo, "version", file, "agent_info");
        var model = IngestJson.Optional(agentInfo, "model_info", JsonValueKind.Object, file, "agent_info") is { } modelInfo
            ? IngestJson.OptionalString(modelInfo, "name", file, "agent_info.model_info")
            : null;

        var startedAt = IngestJson.OptionalTime(root, "started_at", file, "")
            ?? throw IngestJson.Bad(file, "", "started_at", "missing (a finished trial has a start time)");

        string? exceptionType = null, exceptionMessage = null;
        DateTimeOffset? exceptionAt = null;
        if (IngestJson.Optional(root, "exception_info", JsonValueKind.Object, file, "") is { } exception)
        {
            exceptionType = IngestJson.RequireString(exception, "exception_type", file, "exception_info");
            exceptionMessage = IngestJson.OptionalString(exception, "exception_message", file, "exception_info");
            exceptionAt = IngestJson.OptionalTime(exception, "occurred_at", file, "exception_info");
        }
        var finishedAt = IngestJson.OptionalTime(root, "finished_at", file, "") ?? exceptionAt ?? startedAt;
        if (finishedAt < startedAt)
            throw IngestJson.Bad(file, "", "finished_at", $"before started_at ({startedAt:O})");

        return new HarborTrial
        {
            TaskName = taskName,
            TrialName = trialName,
            Source = $"{trialFolderName}/{ResultFile}",
            AgentName = model is null ? agentName : $"{agentName}:{model}",
            AgentVersion = agentVersion,
            Model = model,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            AgentDurationMs = PhaseMs(root, "agent_execution", file),
            TestDurationMs = PhaseMs(root, "verifier", file),
            Reward = Reward(root, file),
            ExceptionType = exceptionType,
            ExceptionMessage = exceptionMessage,
            Usage = Usage(root, file),
        };
    }

    /// <summary>verifier_result.rewards.reward (or the only reward there), or the older verifier_result.reward.</summary>
    private static double? Reward(JsonElement root, string file)
    {
        if (IngestJson.Optional(root, "verifier_result", JsonValueKind.Object, file, "") is not { } verifier)
            return null;
        if (IngestJson.Optional(verifier, "rewards", JsonValueKind.Object, file, "verifier_result") is { } rewards)
        {
            if (IngestJson.OptionalDouble(rewards, "reward", file, "verifier_result.rewards") is { } reward)
                return reward;
            var names = rewards.EnumerateObject().Select(p => p.Name).ToList();
            return names.Count switch
            {
                0 => null,
                1 => IngestJson.OptionalDouble(rewards, names[0], file, "verifier_result.rewards"),
                _ => throw IngestJson.Bad(file, "verifier_result", "rewards", $"no 'reward' among several rewards ({string.Join(", ", names)}): which one decides the trial is not known"),
            };
        }
        return IngestJson.OptionalDouble(verifier, "reward", file, "verifier_result");
    }

    /// <summary>
    /// agent_result's counts. Harbor counts cache reads inside n_input_tokens; Driftwatch keeps
    /// them apart (input = tokens sent fresh), so the cache reads are taken out of the input.
    /// </summary>
    private static AgentUsage Usage(JsonElement root, string file)
    {
        if (IngestJson.Optional(root, "agent_result", JsonValueKind.Object, file, "") is not { } result)
            return AgentUsage.None;
        const string record = "agent_result";
        var input = IngestJson.OptionalLong(result, "n_input_tokens", file, record);
        var cache = IngestJson.OptionalLong(result, "n_cache_tokens", file, record);
        var output = IngestJson.OptionalLong(result, "n_output_tokens", file, record);
        var cost = IngestJson.OptionalCost(result, "cost_usd", file, record);
        if (input is { } all && cache is { } cached)
        {
            input = cached <= all ? all - cached
                : throw IngestJson.Bad(file, record, "n_cache_tokens", $"{cached} cache tokens exceed the {all} input tokens that include them");
        }
        return input is null && cache is null && output is null && cost is null
            ? AgentUsage.None
            : new AgentUsage { InputTokens = input, CacheReadTokens = cache, OutputTokens = output, CostUsd = cost };
    }

    private static long PhaseMs(JsonElement root, string phase, string file)
    {
        if (IngestJson.Optional(root, phase, JsonValueKind.Object, file, "") is not { } timing)
            return 0;
        var start = IngestJson.OptionalTime(timing, "started_at", file, phase);
        var end = IngestJson.OptionalTime(timing, "finished_at", file, phase);
        return start is { } s && end is { } e && e >= s ? (long)(e - s).TotalMilliseconds : 0;
    }

    private static JobConfig ReadJobConfig(string jobFolder)
    {
        var file = Path.Combine(jobFolder, ConfigFile);
        if (!File.Exists(file))
            return new JobConfig(null, null, [], ImmutableSortedDictionary<string, string?>.Empty);
        using var document = IngestJson.ParseFile(file);
        var root = RootObject(document, file);
        var jobName = IngestJson.OptionalString(root, "job_name", file, "");

        var datasets = new List<Dataset>();
        if (IngestJson.Optional(root, "datasets", JsonValueKind.Array, file, "") is { } list)
        {
            var i = 0;
            foreach (var entry in list.EnumerateArray())
            {
                var record = $"datasets[{i++}]";
                // A registry dataset has a name; a local one only its path, whose last folder Harbor itself uses as the name.
                var name = IngestJson.OptionalString(entry, "name", file, record)
                    ?? (IngestJson.OptionalString(entry, "path", file, record) is { } local ? Path.GetFileName(local.TrimEnd('/', '\\')) : null)
                    ?? throw IngestJson.Bad(file, record, "name", "missing (and no path)");
                var version = IngestJson.OptionalString(entry, "version", file, record) ?? IngestJson.OptionalString(entry, "ref", file, record);
                datasets.Add(new Dataset(name, version));
            }
        }

        string? agent = null;
        if (IngestJson.Optional(root, "agents", JsonValueKind.Array, file, "") is { } agents && agents.GetArrayLength() == 1)
        {
            var first = agents[0];
            var name = IngestJson.OptionalString(first, "name", file, "agents[0]");
            // "anthropic/claude-sonnet-4-5": the trials' model_info names the model without its provider.
            var model = IngestJson.OptionalString(first, "model_name", file, "agents[0]") is { } full ? full[(full.LastIndexOf('/') + 1)..] : null;
            agent = name is null ? null : model is null ? name : $"{name}:{model}";
        }

        var details = ImmutableSortedDictionary.CreateBuilder<string, string?>(StringComparer.Ordinal);
        if (datasets.Count == 1)
        {
            details["harbor.dataset"] = datasets[0].Name;
            if (datasets[0].Version is { } version)
                details["harbor.dataset_version"] = version;
        }
        if (IngestJson.Optional(root, "environment", JsonValueKind.Object, file, "") is { } environment
            && IngestJson.OptionalString(environment, "type", file, "environment") is { } type)
            details["harbor.environment"] = type;
        if (IngestJson.OptionalDouble(root, "timeout_multiplier", file, "") is { } multiplier)
            details["harbor.timeout_multiplier"] = multiplier.ToString(CultureInfo.InvariantCulture);
        if (IngestJson.OptionalLong(root, "n_attempts", file, "") is { } attempts)
            details["harbor.n_attempts"] = attempts.ToString(CultureInfo.InvariantCulture);
        return new JobConfig(jobName, agent, datasets, details.ToImmutable());
    }

    private static JobResult ReadJobResult(string jobFolder)
    {
        var file = Path.Combine(jobFolder, ResultFile);
        if (!File.Exists(file))
            return new JobResult(false, null, null, null, null);
        using var document = IngestJson.ParseFile(file);
        var root = RootObject(document, file);
        return new JobResult(
            true,
            IngestJson.OptionalString(root, "id", file, ""),
            IngestJson.OptionalTime(root, "started_at", file, ""),
            IngestJson.OptionalTime(root, "finished_at", file, ""),
            IngestJson.OptionalLong(root, "n_total_trials", file, ""));
    }

    private static JsonElement RootObject(JsonDocument document, string file) =>
        document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement
            : throw IngestJson.Bad(file, "", null, "expected a JSON object");

    /// <summary>A trial's folder: its result.json (or, while it runs, its config.json) is a trial's, not a job's.</summary>
    private static bool IsTrialFolder(string folder)
    {
        var result = Path.Combine(folder, ResultFile);
        if (File.Exists(result))
            return HasProperty(result, "task_name");
        var config = Path.Combine(folder, ConfigFile);
        return File.Exists(config) && HasProperty(config, "trial_name");
    }

    private static bool IsJobFolder(string folder) =>
        !IsTrialFolder(folder)
        && (File.Exists(Path.Combine(folder, ConfigFile)) || File.Exists(Path.Combine(folder, ResultFile)) || Subfolders(folder).Any(IsTrialFolder));

    private static bool HasProperty(string file, string name)
    {
        using var document = IngestJson.ParseFile(file);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out _);
    }

    /// <summary>Subfolders in name order; hidden ones (".…") are not Harbor's.</summary>
    private static IEnumerable<string> Subfolders(string folder) =>
        Directory.EnumerateDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal);

    private sealed record Dataset(string Name, string? Version);

    private sealed record JobConfig(string? JobName, string? Agent, IReadOnlyList<Dataset> Datasets, ImmutableSortedDictionary<string, string?> Details);

    private sealed record JobResult(bool Exists, string? Id, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long? TotalTrials);

    private sealed record HarborTrial
    {
        public required string TaskName { get; init; }
        public required string TrialName { get; init; }
        public required string Source { get; init; }
        public required string AgentName { get; init; }
        public string? AgentVersion { get; init; }
        public string? Model { get; init; }
        public required DateTimeOffset StartedAt { get; init; }
        public required DateTimeOffset FinishedAt { get; init; }
        public long AgentDurationMs { get; init; }
        public long TestDurationMs { get; init; }
        public double? Reward { get; init; }
        public string? ExceptionType { get; init; }
        public string? ExceptionMessage { get; init; }
        public required AgentUsage Usage { get; init; }

        public Trial ToTrial(int trialIndex, int sequence)
        {
            var outcome = (ExceptionType is { } type ? OutcomeOfException(type) : null)
                ?? (Reward is { } reward ? (reward >= 1 ? TrialOutcome.Pass : TrialOutcome.Fail) : TrialOutcome.Error);
            // Without a reward nothing judged the agent's work: an error, named by what stopped it.
            var errorKind = ExceptionType ?? (Reward is null ? "NoReward" : null);
            return new Trial
            {
                RunId = 0,
                TaskId = TaskName,
                TrialIndex = trialIndex,
                Sequence = sequence,
                Category = TaskCategory.Other,
                Language = "",
                Outcome = outcome,
                StartedAt = StartedAt,
                FinishedAt = FinishedAt,
                DurationMs = (long)(FinishedAt - StartedAt).TotalMilliseconds,
                AgentDurationMs = AgentDurationMs,
                TestDurationMs = TestDurationMs,
                Usage = Usage,
                AgentVersion = AgentVersion,
                Model = Model,
                ErrorKind = errorKind,
                ErrorMessage = ExceptionType is null && Reward is null ? "the trial has neither a reward nor an exception" : ExceptionMessage,
                Source = Source,
            };
        }
    }
}
