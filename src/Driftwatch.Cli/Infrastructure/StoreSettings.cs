using System.ComponentModel;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>Options every command that touches the database or the configuration shares.</summary>
public class StoreSettings : CommandSettings
{
    [CommandOption("--db <PATH>")]
    [Description("SQLite database file (default: $DRIFTWATCH_DB, then driftwatch.yaml's database, then .driftwatch/driftwatch.db)")]
    public string? Database { get; init; }

    [CommandOption("--config <PATH>")]
    [Description("Configuration file (default: ./driftwatch.yaml when present)")]
    public string? ConfigFile { get; init; }
}
