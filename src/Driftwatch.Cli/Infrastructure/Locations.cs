using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Stores;
using Driftwatch.Core.Suites;
using Driftwatch.Formats.Configuration;
using Driftwatch.Formats.Suites;
using Driftwatch.Storage;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>
/// Where a command finds its things: the configuration, the database and the suites, resolved
/// from flags, environment and driftwatch.yaml in that order.
/// </summary>
internal sealed class Locations
{
    public const string BuiltInSuite = "core";
    public const string DatabaseVariable = "DRIFTWATCH_DB";

    private Locations(CliContext context, DriftwatchConfig config, StorageConfig storage)
    {
        Context = context;
        Config = config;
        Storage = storage;
    }

    public CliContext Context { get; }
    public DriftwatchConfig Config { get; }

    /// <summary>The store to open: `storage:` of the configuration with its path resolved.</summary>
    public StorageConfig Storage { get; }

    public string DatabasePath => Storage.Path!;

    /// <summary>The store in messages: the SQLite file, or the variable that names the PostgreSQL database (never its connection string).</summary>
    public string StoreName => IsPostgres ? $"${Storage.ConnectionEnv} (PostgreSQL)" : DatabasePath;

    /// <summary>Whether the store is a PostgreSQL database (`storage: {kind: postgres}`, no --db or $DRIFTWATCH_DB given).</summary>
    public bool IsPostgres => Storage.Kind == StorageKind.Postgres;

    public static Locations Resolve(CliContext context, StoreSettings settings)
    {
        var config = DriftwatchConfigLoader.Load(settings.ConfigFile, context.WorkingDirectory);
        var named = settings.Database ?? NonEmpty(context.GetEnvironmentVariable(DatabaseVariable));
        // --db and $DRIFTWATCH_DB name a SQLite file, and win over the configuration's store of any kind.
        var storage = named is not null ? new StorageConfig(StorageKind.Sqlite) : config.Storage;
        var database = named ?? config.Database ?? Path.Combine(".driftwatch", "driftwatch.db");
        // A PostgreSQL store keeps the default path only as the files a trial must never see.
        return new Locations(context, config, storage with { Path = Path.GetFullPath(database, context.WorkingDirectory) });
    }

    /// <summary>The store for a command that writes to it (run, schedule): bad input when it cannot be written.</summary>
    public DriftwatchStore OpenStore() => StoreFactory.Open(Storage, StoreAccess.Write, Context.Time, Context.GetEnvironmentVariable);

    /// <summary>
    /// The store for a command that only reads it: works on a file or folder that cannot be
    /// written, and never creates a database (a mistyped --db is bad input, not a new empty file).
    /// A PostgreSQL database is opened as it is configured.
    /// </summary>
    public DriftwatchStore OpenStoreForReading() =>
        IsPostgres || File.Exists(DatabasePath)
            ? StoreFactory.Open(Storage, StoreAccess.Read, Context.Time, Context.GetEnvironmentVariable)
            : throw MissingDatabase(DatabasePath);

    /// <summary>A database a reading command was pointed at that is not there.</summary>
    public static InvalidInputException MissingDatabase(string path) =>
        new($"{path}: no database there (run `driftwatch run` or `driftwatch demo --no-serve --db PATH` first, or choose one with --db or DRIFTWATCH_DB)");

    /// <summary>
    /// The folder of the built-in suite: the repository's suites/core when running from a clone
    /// (so edits show at once), else the copy shipped next to the executable.
    /// </summary>
    public static string BuiltInSuiteDirectory { get; } = FindBuiltInSuite();

    private static string FindBuiltInSuite()
    {
        for (var directory = Directory.GetParent(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "suites", BuiltInSuite);
            if (File.Exists(Path.Combine(directory.FullName, "Driftwatch.slnx")) && File.Exists(Path.Combine(candidate, SuiteLoader.SuiteFileName)))
                return candidate;
        }
        return Path.Combine(AppContext.BaseDirectory, "suites", BuiltInSuite);
    }

    /// <summary>Resolves a suite name from driftwatch.yaml, a folder path, or the built-in "core".</summary>
    public string SuitePath(string? nameOrPath)
    {
        var requested = nameOrPath ?? Config.Defaults.Suite ?? BuiltInSuite;
        if (Config.Suites.TryGetValue(requested, out var configured))
            return configured;
        var asPath = Path.GetFullPath(requested, Context.WorkingDirectory);
        if (Directory.Exists(asPath) || File.Exists(asPath))
            return asPath;
        if (requested == BuiltInSuite)
            return BuiltInSuiteDirectory;
        var known = Config.Suites.Keys.Append(BuiltInSuite).Distinct().Order(StringComparer.Ordinal);
        throw new InvalidInputException($"--suite: '{requested}' is neither a suite folder nor a known suite name (known: {string.Join(", ", known)})");
    }

    public SuiteDefinition LoadSuite(string? nameOrPath) => SuiteLoader.Load(SuitePath(nameOrPath));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
