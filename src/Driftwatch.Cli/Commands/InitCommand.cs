using System.ComponentModel;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

public sealed class InitSettings : CommandSettings
{
    [CommandOption("-o|--out <PATH>")]
    [Description("Where to write it. Default: ./driftwatch.yaml")]
    public string? Out { get; init; }

    [CommandOption("--force")]
    [Description("Overwrite an existing file")]
    public bool Force { get; init; }
}

/// <summary>`init`: writes a commented driftwatch.yaml with one agent of each kind.</summary>
public sealed class InitCommand(CliContext cli) : Command<InitSettings>
{
    public const string TemplateResource = "Driftwatch.Cli.Templates.driftwatch.yaml";

    public static string Template()
    {
        using var stream = typeof(InitCommand).Assembly.GetManifestResourceStream(TemplateResource)
            ?? throw new InvalidOperationException($"the resource {TemplateResource} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public override int Execute(CommandContext context, InitSettings settings, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(settings.Out ?? DriftwatchConfig.FileName, cli.WorkingDirectory);
        if (File.Exists(path) && !settings.Force)
            throw new InvalidInputException($"{path}: already exists; keep it, or pass --force to overwrite it");
        if (Path.GetDirectoryName(path) is { } directory)
            Directory.CreateDirectory(directory);

        // Written whole to a temporary file and moved into place: an existing file is never left half-written.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, Template());
        File.Move(temporary, path, overwrite: true);

        var config = DriftwatchConfig.Load(path, cli.WorkingDirectory);
        cli.Out.MarkupLine($"wrote [bold]{TerminalText.Escape(path)}[/]: agents {TerminalText.Escape(string.Join(", ", config.Agents.Keys.Order(StringComparer.Ordinal)))}");
        cli.Out.MarkupLine("next: set the API key variables the agents name (api_key_env), then [bold]driftwatch run --agent claude-code[/]");
        return ExitCodes.Ok;
    }
}
