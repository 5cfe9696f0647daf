using System.Collections.Immutable;
using Driftwatch.Core.Suites;
using Driftwatch.Core.Yaml;

namespace Driftwatch.Core.Configuration;

/// <summary>Defaults for runs that the command line can override.</summary>
public sealed record RunDefaults
{
    public string? Agent { get; init; }
    public string? Suite { get; init; }
    public int? Trials { get; init; }
    public int? Parallel { get; init; }
    public string? Sandbox { get; init; }
}

/// <summary>
/// driftwatch.yaml (SPEC §8): the database, named suites and agents, run defaults. Paths are
/// relative to the file. Secrets never live here: agents name the environment variables that
/// hold them.
/// </summary>
public sealed record DriftwatchConfig
{
    public const string FileName = "driftwatch.yaml";

    public static readonly DriftwatchConfig Empty = new();

    private static readonly string[] RootFields = ["database", "defaults", "suites", "agents"];
    private static readonly string[] DefaultsFields = ["agent", "suite", "trials", "parallel", "sandbox"];

    /// <summary>The file this came from (null: no file, built-in defaults only).</summary>
    public string? File { get; init; }

    public string? Database { get; init; }
    public RunDefaults Defaults { get; init; } = new();
    public ImmutableDictionary<string, string> Suites { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableDictionary<string, AgentDefinition> Agents { get; init; } = ImmutableDictionary<string, AgentDefinition>.Empty;

    /// <summary>Loads <paramref name="path"/>, or ./driftwatch.yaml when there is one, or nothing.</summary>
    public static DriftwatchConfig Load(string? path, string workingDirectory)
    {
        if (path is null)
        {
            var implicitFile = Path.Combine(workingDirectory, FileName);
            return System.IO.File.Exists(implicitFile) ? Parse(implicitFile) : Empty;
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

        var database = yaml.OptionalString("database");
        return new DriftwatchConfig
        {
            File = file,
            Database = database is null ? null : Path.GetFullPath(database, directory),
            Defaults = runDefaults,
            Suites = suites.ToImmutable(),
            Agents = agents.ToImmutable(),
        };
    }
}
