using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Stores;
using Driftwatch.Storage;
using Driftwatch.Storage.Copying;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed partial class DbCopySettings : CommandSettings
{
    [CommandOption("--from <STORE>")]
    [Description("The store to copy: sqlite:PATH, or postgres:ENV (ENV: the environment variable holding the connection string)")]
    public string? From { get; init; }

    [CommandOption("--to <STORE>")]
    [Description("The empty store to fill: sqlite:PATH (created when missing) or postgres:ENV")]
    public string? To { get; init; }

    public override ValidationResult Validate()
    {
        foreach (var (option, value) in new[] { ("--from", From), ("--to", To) })
        {
            if (value is null)
                return ValidationResult.Error($"{option}: required: sqlite:PATH or postgres:ENV");
            if (StoreAddress.TryParse(value) is null)
            {
                // The value is not repeated: a connection string given by mistake holds a password.
                return ValidationResult.Error($"{option}: expected sqlite:PATH or postgres:ENV (ENV: the name of the environment variable that holds the connection string, never the string itself)");
            }
        }
        return StoreAddress.TryParse(From!) == StoreAddress.TryParse(To!)
            ? ValidationResult.Error("--to: the same store as --from")
            : ValidationResult.Success();
    }
}

/// <summary>A store named on the command line: sqlite:PATH or postgres:ENV.</summary>
internal sealed partial record StoreAddress(StorageKind Kind, string Value)
{
    public static StoreAddress? TryParse(string text)
    {
        if (text.StartsWith("sqlite:", StringComparison.Ordinal) && text.Length > "sqlite:".Length)
            return new StoreAddress(StorageKind.Sqlite, text["sqlite:".Length..]);
        if (text.StartsWith("postgres:", StringComparison.Ordinal) && VariableName().IsMatch(text["postgres:".Length..]))
            return new StoreAddress(StorageKind.Postgres, text["postgres:".Length..]);
        return null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();
}

/// <summary>`db copy`: a whole history from one store to another, losslessly (docs/storage.md).</summary>
internal sealed class DbCopyCommand(CliContext cli) : AsyncCommand<DbCopySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DbCopySettings settings, CancellationToken cancellationToken)
    {
        var from = StoreAddress.TryParse(settings.From!)!;
        var to = StoreAddress.TryParse(settings.To!)!;
        if (from.Kind == StorageKind.Sqlite && !File.Exists(Path.GetFullPath(from.Value, cli.WorkingDirectory)))
            throw new InvalidInputException($"--from: {Path.GetFullPath(from.Value, cli.WorkingDirectory)}: no database there");
        using var source = Open("--from", from, StoreAccess.Read);
        using var target = Open("--to", to, StoreAccess.Write);
        var copied = await StoreCopier.CopyAsync(source, target, $"--to {Describe(to)}", cancellationToken);

        cli.Out.MarkupLine($"copied {TerminalText.Escape(Describe(from))} to {TerminalText.Escape(Describe(to))}:");
        var table = new Table().Border(TableBorder.None).HideHeaders().AddColumn("table").AddColumn(new TableColumn("rows").RightAligned());
        foreach (var (name, rows) in copied)
            table.AddRow(name, rows.ToString(CultureInfo.InvariantCulture));
        table.AddRow("[bold]total[/]", $"[bold]{copied.Sum(c => c.Rows).ToString(CultureInfo.InvariantCulture)}[/]");
        cli.Out.Write(table);
        return ExitCodes.Ok;
    }

    private DriftwatchStore Open(string option, StoreAddress address, StoreAccess access) => address.Kind switch
    {
        StorageKind.Sqlite => StoreFactory.Open(new StorageConfig(Path: Path.GetFullPath(address.Value, cli.WorkingDirectory)), access, cli.Time),
        _ => StoreFactory.Open(new StorageConfig(StorageKind.Postgres, ConnectionEnv: address.Value) { Source = option }, access, cli.Time, cli.GetEnvironmentVariable),
    };

    private string Describe(StoreAddress address) => address.Kind == StorageKind.Sqlite
        ? Path.GetFullPath(address.Value, cli.WorkingDirectory)
        : $"${address.Value} (PostgreSQL)";
}
