using System.ComponentModel;
using Driftwatch.Agents.ClaudeCode;
using Driftwatch.Agents.Common;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Formats.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class InitSettings : CommandSettings
{
    [CommandOption("-o|--out <PATH>")]
    [Description("Where to write it. Default: ./driftwatch.yaml")]
    public string? Out { get; init; }

    [CommandOption("--force")]
    [Description("Overwrite an existing file")]
    public bool Force { get; init; }
}

/// <summary>`init`: writes a commented driftwatch.yaml with one agent of each kind.</summary>
internal sealed class InitCommand(CliContext cli) : Command<InitSettings>
{
    public const string TemplateResource = "Driftwatch.Cli.Templates.driftwatch.yaml";

    public static string Template()
    {
        using var stream = typeof(InitCommand).Assembly.GetManifestResourceStream(TemplateResource)
            ?? throw new InvalidOperationException($"the resource {TemplateResource} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private const string ClaudeDefault = "  agent: claude-code        # a name below, or a built-in preset: simulated, claude-code, codex, gemini, aider";
    private const string SimulatedDefault = "  agent: simulated          # claude-code once the claude CLI is installed (npm install -g @anthropic-ai/claude-code); or a name below";

    /// <summary>Where the claude CLI is not installed, the reason; null when the claude-code preset finds it (a credential is the user's next step, not a reason).</summary>
    private static string? ClaudeCodeProblem() =>
        AgentExecutables.Find(null, "claude", ClaudeCodeAgent.RepositoryCopy) is null ? "the claude CLI was not found" : null;

    public override int Execute(CommandContext context, InitSettings settings, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(settings.Out ?? DriftwatchConfig.FileName, cli.WorkingDirectory);
        if (File.Exists(path) && !settings.Force)
            throw new InvalidInputException($"{path}: already exists; keep it, or pass --force to overwrite it");
        if (Path.GetDirectoryName(path) is { } directory)
            Directory.CreateDirectory(directory);

        // The default agent is Claude Code where its CLI is installed; elsewhere the simulated agent,
        // so that the next plain `run` works, with the line to change once it is installed.
        var claude = ClaudeCodeProblem();
        var template = claude is null ? Template() : Template().Replace(ClaudeDefault, SimulatedDefault, StringComparison.Ordinal);

        // Written whole to a temporary file and moved into place: an existing file is never left half-written.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, template);
        File.Move(temporary, path, overwrite: true);

        var config = DriftwatchConfigLoader.Load(path, cli.WorkingDirectory);
        cli.Out.MarkupLine($"wrote [bold]{TerminalText.Escape(path)}[/]: agents {TerminalText.Escape(string.Join(", ", config.Agents.Keys.Order(StringComparer.Ordinal)))}; default agent {TerminalText.Escape(config.Defaults.Agent ?? "simulated")}");
        if (claude is null)
            cli.Out.MarkupLine("next: set the API key variables the agents name (api_key_env), then [bold]driftwatch run[/]");
        else
            cli.Out.MarkupLine($"next: [bold]driftwatch run[/] runs the simulated agent; for Claude Code ({TerminalText.Escape(claude)}), install it and set defaults.agent to claude-code");
        return ExitCodes.Ok;
    }
}
