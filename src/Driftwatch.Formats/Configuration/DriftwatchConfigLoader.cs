using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Scheduling;
using Driftwatch.Formats.Suites;
using Driftwatch.Formats.Yaml;

namespace Driftwatch.Formats.Configuration;

/// <summary>
/// Reads driftwatch.yaml (README § Configuration) into a <see cref="DriftwatchConfig"/>. Every problem is an
/// <see cref="InvalidInputException"/> naming the file, line and field.
/// </summary>
public static partial class DriftwatchConfigLoader
{
    private static readonly string[] RootFields = ["database", "storage", "defaults", "suites", "agents", "schedule", "alerts", "workers", "retention"];
    private static readonly string[] RetentionFields = ["artifacts_days", "artifacts_runs"];
    private static readonly string[] WorkersFields = ["queue", "agents", "lease_seconds"];
    private static readonly string[] StorageFields = ["kind", "path", "connection_env"];
    private static readonly string[] DefaultsFields = ["agent", "suite", "trials", "parallel", "sandbox"];
    private static readonly string[] ScheduleFields = ["catch_up", "time_zone", "entries"];
    private static readonly string[] EntryFields = ["name", "agent", "model", "suite", "cron", "time_zone", "trials", "budget", "tasks", "ingest", "paths"];
    private static readonly string[] AlertsFields = ["dashboard_url", "sinks"];
    private static readonly string[] SinkFields = ["type", "url", "url_env"];

    private static readonly Dictionary<string, CatchUp> CatchUpNames = new(StringComparer.Ordinal)
    {
        ["latest"] = CatchUp.Latest,
        ["none"] = CatchUp.None,
    };

    private static readonly Dictionary<string, StorageKind> StorageNames = new(StringComparer.Ordinal)
    {
        ["sqlite"] = StorageKind.Sqlite,
        ["postgres"] = StorageKind.Postgres,
    };

    private static readonly Dictionary<string, AlertSinkKind> SinkNames = new(StringComparer.Ordinal)
    {
        ["console"] = AlertSinkKind.Console,
        ["webhook"] = AlertSinkKind.Webhook,
        ["slack"] = AlertSinkKind.Slack,
        ["discord"] = AlertSinkKind.Discord,
    };

    /// <summary>Loads <paramref name="path"/>, or ./driftwatch.yaml when there is one, or nothing.</summary>
    public static DriftwatchConfig Load(string? path, string workingDirectory)
    {
        if (path is null)
        {
            var implicitFile = Path.Combine(workingDirectory, DriftwatchConfig.FileName);
            return System.IO.File.Exists(implicitFile) ? Parse(implicitFile) : DriftwatchConfig.Empty;
        }
        var full = Path.GetFullPath(path, workingDirectory);
        if (!System.IO.File.Exists(full))
            throw new InvalidInputException($"{path}: configuration file not found");
        return Parse(full);
    }

    private static DriftwatchConfig Parse(string file)
    {
        var yaml = YamlMap.Load(file, RootFields);
        var directory = Path.GetDirectoryName(file)!;

        var defaults = yaml.OptionalMap("defaults", DefaultsFields);
        var runDefaults = defaults is null ? new RunDefaults() : new RunDefaults
        {
            Agent = defaults.OptionalString("agent"),
            Suite = defaults.OptionalString("suite"),
            Trials = defaults.OptionalInt("trials", 1, 10_000),
            Parallel = defaults.OptionalInt("parallel", 1, 1_024),
            Sandbox = defaults.OptionalString("sandbox"),
        };

        var suites = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (name, path, line) in yaml.NamedStrings("suites"))
        {
            if (!SuiteLoader.IsValidName(name))
                throw InvalidInputException.AtLocation(file, line, $"suites.{name}", "not a valid suite name (letters, digits, '.', '-', '_')");
            suites[name] = Path.GetFullPath(path, directory);
        }

        var agents = ImmutableDictionary.CreateBuilder<string, AgentDefinition>(StringComparer.Ordinal);
        foreach (var (name, map) in yaml.NamedMaps("agents", null))
        {
            if (!SuiteLoader.IsValidName(name))
                throw InvalidInputException.AtLocation(file, map.Line, $"agents.{name}", "not a valid agent name (letters, digits, '.', '-', '_')");
            var kind = map.RequiredString("kind");
            agents[name] = new AgentDefinition(name, kind, map.ToJson("kind"), $"{file}:{map.Line}: agents.{name}")
            {
                File = file,
                OptionLines = map.FieldLines(),
            };
        }

        return new DriftwatchConfig
        {
            File = file,
            Storage = ParseStorage(yaml, directory),
            Defaults = runDefaults,
            Suites = suites.ToImmutable(),
            Agents = agents.ToImmutable(),
            Schedule = ParseSchedule(yaml, file, runDefaults),
            Alerts = ParseAlerts(yaml, file),
            Workers = ParseWorkers(yaml, file),
            Retention = ParseRetention(yaml),
        };
    }

    /// <summary>
    /// `storage: { kind, path }`, or the older `database: PATH` (the same as storage.path); not both.
    /// `kind: postgres` takes `connection_env` (the variable holding the connection string) and no path.
    /// </summary>
    private static StorageConfig ParseStorage(YamlMap root, string directory)
    {
        var database = root.OptionalString("database");
        var storage = root.OptionalMap("storage", StorageFields);
        if (storage is null)
            return new StorageConfig(Path: database is null ? null : Path.GetFullPath(database, directory));
        var kind = storage.OptionalEnum("kind", StorageNames) ?? StorageKind.Sqlite;
        var path = storage.OptionalString("path");
        var connectionEnv = storage.OptionalString("connection_env");
        if (kind == StorageKind.Postgres)
        {
            if (path is not null)
                throw storage.ErrorAt("path", "a postgres store has no file: name the environment variable that holds its connection string with connection_env");
            if (database is not null)
                throw root.ErrorAt("database", "a postgres store has no file: remove database: (storage.kind is postgres)");
            if (connectionEnv is null)
                throw storage.ErrorAt("connection_env", "required field is missing: the environment variable that holds the PostgreSQL connection string");
            if (!EnvironmentVariableName().IsMatch(connectionEnv))
                // Not echoed: a connection string put here by mistake holds a password.
                throw storage.ErrorAt("connection_env", "not an environment variable name (letters, digits, '_'): name the variable that holds the connection string, never the string itself");
            var line = storage.FieldLines().TryGetValue("connection_env", out var at) ? at : storage.Line;
            return new StorageConfig(kind, ConnectionEnv: connectionEnv) { Source = $"{storage.File}:{line}: storage.connection_env" };
        }
        if (connectionEnv is not null)
            throw storage.ErrorAt("connection_env", "only a postgres store is reached through an environment variable; a sqlite store takes path");
        if (path is not null && database is not null)
            throw storage.ErrorAt("path", "give the database file in storage.path or in database:, not both");
        path ??= database;
        return new StorageConfig(kind, path is null ? null : Path.GetFullPath(path, directory));
    }

    /// <summary>`workers: { queue, agents: { NAME: LIMIT }, lease_seconds }` (docs/scale-out.md); an empty `workers:` turns them on with the defaults.</summary>
    private static WorkersConfig? ParseWorkers(YamlMap root, string file)
    {
        if (!root.Has("workers"))
            return null;
        var workers = root.OptionalMap("workers", WorkersFields);
        if (workers is null)
            return new WorkersConfig();
        var queue = workers.OptionalString("queue") ?? WorkersConfig.DefaultQueue;
        if (!WorkersConfig.IsValidQueue(queue))
            throw workers.ErrorAt("queue", $"'{queue}' is not a queue name (lower-case letters, digits and '_', at most 50)");
        var limits = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var (agent, text, line) in workers.NamedStrings("agents"))
        {
            if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > 10_000)
                throw InvalidInputException.AtLocation(file, line, $"workers.agents.{agent}", $"expected how many trials of the agent may run at once, a whole number from 1 to 10000, got '{text}'");
            limits[agent] = limit;
        }
        var lease = workers.OptionalInt("lease_seconds", 10, 86_400) ?? (int)new WorkersConfig().Lease.TotalSeconds;
        return new WorkersConfig { Queue = queue, AgentLimits = limits.ToImmutable(), Lease = TimeSpan.FromSeconds(lease) };
    }

    /// <summary>`retention: { artifacts_days, artifacts_runs }` (docs/storage.md): at least one of them, each a positive whole number.</summary>
    private static RetentionConfig? ParseRetention(YamlMap root)
    {
        if (!root.Has("retention"))
            return null;
        var retention = root.OptionalMap("retention", RetentionFields)
            ?? throw root.ErrorAt("retention", "give artifacts_days (keep artifacts N days), artifacts_runs (keep the last N runs' artifacts) or both");
        var days = retention.OptionalInt("artifacts_days", 1, 100_000);
        var runs = retention.OptionalInt("artifacts_runs", 1, 1_000_000);
        if (days is null && runs is null)
            throw root.ErrorAt("retention", "give artifacts_days (keep artifacts N days), artifacts_runs (keep the last N runs' artifacts) or both");
        return new RetentionConfig { ArtifactsDays = days, ArtifactsRuns = runs };
    }

    private static ScheduleConfig ParseSchedule(YamlMap root, string file, RunDefaults defaults)
    {
        var schedule = root.OptionalMap("schedule", ScheduleFields);
        if (schedule is null)
            return new ScheduleConfig();
        var zone = TimeZone(schedule, "time_zone") ?? TimeZoneInfo.Utc;
        var entries = ImmutableArray.CreateBuilder<ScheduleEntry>();
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (map, index) in schedule.MapList("entries", EntryFields).Select((m, i) => (m, i)))
        {
            var ingest = map.OptionalString("ingest");
            var agent = ingest is null ? map.RequiredString("agent") : map.OptionalString("agent");
            var paths = ImmutableArray<string>.Empty;
            if (ingest is not null)
            {
                foreach (var field in new[] { "model", "trials", "budget", "tasks" })
                {
                    if (map.Has(field))
                        throw map.ErrorAt(field, "an ingest entry reads another harness's results: it runs nothing, so it takes no " + field);
                }
                var listed = map.StringOrList("paths");
                if (listed.Count == 0)
                    throw map.ErrorAt(map.Has("paths") ? "paths" : "ingest", "an ingest entry needs paths: the files or folders to read");
                var folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
                paths = [.. listed.Select(p => Path.GetFullPath(p, folder))];
            }
            else if (map.Has("paths"))
            {
                throw map.ErrorAt("paths", "paths belong to an ingest entry (ingest: FORMAT)");
            }
            var cronText = map.RequiredString("cron");
            var cron = CronSchedule.TryParse(cronText, TimeZone(map, "time_zone") ?? zone, out var problem)
                ?? throw map.ErrorAt("cron", problem!);
            var trials = map.OptionalInt("trials", 1, 10_000);
            var budget = map.OptionalInt("budget", 1, 1_000_000);
            if (trials is not null && budget is not null)
                throw map.ErrorAt("budget", "give either trials (every task K times) or budget (N trials spent adaptively), not both");
            var model = map.OptionalString("model");
            var suite = map.OptionalString("suite");
            var name = map.OptionalString("name");
            if (name is not null && !SuiteLoader.IsValidName(name))
                throw map.ErrorAt("name", "not a valid entry name (letters, digits, '.', '-', '_')");
            var zoneText = cron.TimeZone == TimeZoneInfo.Utc ? "" : " " + cron.TimeZone.Id;
            var key = name ?? (ingest is not null
                ? $"ingest {ingest} {string.Join(",", paths)} @ {cron.Text}{zoneText}"
                : $"{agent}{(model is null ? "" : ":" + model)} on {suite ?? defaults.Suite ?? "core"} @ {cron.Text}{zoneText}");
            if (keys.TryGetValue(key, out var first))
                throw map.ErrorAt(name is null ? "cron" : "name", $"entry {first} already runs '{key}'; give one of them another `name`");
            keys[key] = index;
            entries.Add(new ScheduleEntry
            {
                Key = key,
                Agent = agent,
                Ingest = ingest,
                Paths = paths,
                Model = model,
                Suite = suite,
                Cron = cron,
                Trials = trials,
                Budget = budget,
                Tasks = map.OptionalString("tasks"),
                Source = $"{file}:{map.Line}: schedule.entries[{index}]",
                FieldLines = map.FieldLines(),
                File = file,
                Index = index,
            });
        }
        return new ScheduleConfig
        {
            CatchUp = schedule.OptionalEnum("catch_up", CatchUpNames) ?? CatchUp.Latest,
            Entries = entries.ToImmutable(),
        };
    }

    private static TimeZoneInfo? TimeZone(YamlMap map, string field)
    {
        if (map.OptionalString(field) is not { } name)
            return null;
        return CronSchedule.FindTimeZone(name, out var problem) ?? throw map.ErrorAt(field, problem!);
    }

    private static AlertsConfig ParseAlerts(YamlMap root, string file)
    {
        var alerts = root.OptionalMap("alerts", AlertsFields);
        if (alerts is null)
            return new AlertsConfig();
        var dashboard = alerts.OptionalString("dashboard_url");
        if (dashboard is not null && !DriftwatchConfig.IsHttpUrl(dashboard, out _))
            throw alerts.ErrorAt("dashboard_url", "expected an http:// or https:// address");
        var sinks = ImmutableArray.CreateBuilder<AlertSinkDefinition>();
        foreach (var (map, index) in alerts.MapList("sinks", SinkFields).Select((m, i) => (m, i)))
        {
            var kind = map.OptionalEnum("type", SinkNames) ?? throw map.ErrorAt("type", $"required field is missing (one of: {string.Join(", ", SinkNames.Keys)})");
            var url = map.OptionalString("url");
            var urlEnv = map.OptionalString("url_env");
            var kindName = AlertSinkDefinition.KindName(kind);
            // The URL itself is never echoed: it may be a credential.
            switch (kind)
            {
                case AlertSinkKind.Console when url is not null || urlEnv is not null:
                    throw map.ErrorAt(url is not null ? "url" : "url_env", "a console sink takes no URL");
                case AlertSinkKind.Slack or AlertSinkKind.Discord when url is not null:
                    throw map.ErrorAt("url", $"a {kindName} webhook URL is a secret: put it in an environment variable and name that with url_env");
                case AlertSinkKind.Webhook when url is not null && urlEnv is not null:
                    throw map.ErrorAt("url", "give either url or url_env, not both");
                case AlertSinkKind.Webhook when url is not null && !DriftwatchConfig.IsHttpUrl(url, out _):
                    throw map.ErrorAt("url", "expected an http:// or https:// address");
                case AlertSinkKind.Webhook when url is not null && DriftwatchConfig.IsHttpUrl(url, out var parsed) && (parsed!.UserInfo.Length > 0 || parsed.Query.Length > 0):
                    throw map.ErrorAt("url", "this address carries user info or a query string, likely a secret: put it in an environment variable and name that with url_env");
                case not AlertSinkKind.Console when url is null && urlEnv is null:
                    throw map.ErrorAt("url_env", $"required field is missing: the environment variable that holds the {kindName} webhook URL");
            }
            if (urlEnv is not null && !EnvironmentVariableName().IsMatch(urlEnv))
                throw map.ErrorAt("url_env", $"'{urlEnv}' is not an environment variable name (letters, digits, '_')");
            sinks.Add(new AlertSinkDefinition
            {
                Kind = kind,
                Url = url,
                UrlEnv = urlEnv,
                Source = $"{file}:{map.Line}: alerts.sinks[{index}]",
            });
        }
        return new AlertsConfig { DashboardUrl = dashboard, Sinks = sinks.ToImmutable() };
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentVariableName();
}
