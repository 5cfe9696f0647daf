using System.ComponentModel;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>Options every command that touches the database or the configuration shares.</summary>
internal class StoreSettings : CommandSettings
{
    [CommandOption("--db <PATH>")]
    [Description("SQLite database file (default: $DRIFTWATCH_DB, then driftwatch.yaml's database, then .driftwatch/driftwatch.db)")]
    public string? Database { get; init; }

    [CommandOption("--config <PATH>")]
    [Description("Configuration file (default: ./driftwatch.yaml when present)")]
    public string? ConfigFile { get; init; }
}

/// <summary>Settings of the commands that set one run against another (`compare`, `fingerprint diff`).</summary>
internal class RunPairSettings : StoreSettings
{
    [CommandArgument(0, "<RUN_A>")]
    [Description("The earlier (reference) run")]
    public long RunA { get; init; }

    [CommandArgument(1, "<RUN_B>")]
    [Description("The run compared with it")]
    public long RunB { get; init; }

    [CommandOption("--json")]
    [Description("Print the result as JSON")]
    public bool Json { get; init; }
}
