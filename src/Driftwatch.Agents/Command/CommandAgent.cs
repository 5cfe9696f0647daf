using Driftwatch.Agents.Common;
using Driftwatch.Agents.Proxy;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Processes;
using Driftwatch.Execution.Sandbox;

namespace Driftwatch.Agents.Command;

/// <summary>The options of a command agent in driftwatch.yaml.</summary>
public sealed record CommandSettings
{
    public static readonly string[] Fields = ["command", "version_command", "model", "usage", "api_key_env", "base_url", "base_url_env", "base_url_var", "env", "proxy", "network"];

    /// <summary>The command line, with {prompt}, {workspace} and {model} placeholders.</summary>
    public required string Command { get; init; }

    public string? VersionCommand { get; init; }
    public string? Model { get; init; }

    /// <summary>How to read usage from the output: auto (JSON shapes), codex, gemini, aider, claude, none.</summary>
    public string Usage { get; init; } = "auto";

    /// <summary>Environment variables holding credentials, passed through by name.</summary>
    public IReadOnlyList<string> ApiKeyEnv { get; init; } = [];

    /// <summary>An endpoint for CLIs that honour a base-URL variable, and that variable's name.</summary>
    public string? BaseUrl { get; init; }
    public string? BaseUrlEnv { get; init; }
    public string? BaseUrlVariable { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>The endpoint the CLI talks to when none is configured (for the recording proxy's upstream).</summary>
    public string? DefaultEndpoint { get; init; }

    /// <summary>Put the recording proxy between the CLI and its endpoint (needs base_url_var; default: off).</summary>
    public bool Proxy { get; init; }

    /// <summary>
    /// The CLI's network: "host" (default without the proxy: it talks to its API itself), or "none"
    /// (an agent that needs no network). With the proxy it is always the proxy alone.
    /// </summary>
    public string Network { get; init; } = "host";

    public static CommandSettings From(AgentDefinition definition, CommandSettings? preset = null)
    {
        var options = new AgentOptions(definition, Fields);
        var command = options.String("command") ?? preset?.Command ?? throw options.Error("command", "required for a command agent (a command line with {prompt})");
        var usage = options.String("usage") ?? preset?.Usage ?? "auto";
        if (!UsageParsers.Kinds.Contains(usage))
            throw options.Error("usage", $"expected one of {string.Join(", ", UsageParsers.Kinds)}, got '{usage}'");
        var keys = options.Strings("api_key_env");
        var settings = new CommandSettings
        {
            Command = command,
            VersionCommand = options.String("version_command") ?? preset?.VersionCommand,
            Model = options.String("model") ?? preset?.Model,
            Usage = usage,
            ApiKeyEnv = keys.Count > 0 ? keys : preset?.ApiKeyEnv ?? [],
            BaseUrl = options.String("base_url"),
            BaseUrlEnv = options.String("base_url_env"),
            BaseUrlVariable = options.String("base_url_var") ?? preset?.BaseUrlVariable,
            Env = options.Strings("env"),
            DefaultEndpoint = preset?.DefaultEndpoint,
            Proxy = options.Bool("proxy") ?? false,
            Network = options.String("network") is { } network
                ? network is "host" or "none" ? network : throw options.Error("network", $"expected host or none, got '{network}'")
                : "host",
        };
        if (settings.Proxy && settings.BaseUrlVariable is null)
            throw options.Error("proxy", "the recording proxy needs base_url_var: the environment variable through which this CLI takes its API endpoint");
        return settings;
    }
}

/// <summary>
/// Any CLI agent from a command template (README § Agents): Codex CLI, Gemini CLI, aider, or your own.
/// Runs in the workspace and the sandbox; records exit code, output, and usage where the tool
/// prints it. A missing binary is an infrastructure error; so is an output that names an API
/// outage or a refused connection with no work done.
/// </summary>
internal sealed class CommandAgent : IAgent, IAsyncDisposable
{
    public const string KindName = "command";

    private readonly CommandSettings _settings;
    private readonly IReadOnlyList<string> _template;
    private readonly Secrets _secrets;
    private readonly string _source;
    private readonly RunProxy? _proxy;

    public CommandAgent(AgentDefinition definition, CommandSettings? preset = null)
    {
        Name = definition.Name;
        _source = definition.Locate("command");
        _settings = CommandSettings.From(definition, preset);
        _template = CommandLine.Split(_settings.Command, _source);
        var names = _settings.ApiKeyEnv.Concat(_settings.Env).Concat(_settings.BaseUrlEnv is { } b ? [b] : []);
        _secrets = Secrets.FromEnvironment(names, required: [], _source);
        if (_settings.Proxy)
        {
            var endpoint = Endpoint ?? _settings.DefaultEndpoint
                ?? throw new Core.InvalidInputException($"{definition.Locate("proxy")}: the recording proxy needs an upstream: set base_url or base_url_env");
            _proxy = new RunProxy(RunProxy.ParseEndpoint(endpoint, definition.Locate(_settings.BaseUrl is null ? "base_url_env" : "base_url")));
        }
    }

    /// <summary>The configured API endpoint (base_url, or the variable base_url_env names), if any.</summary>
    private string? Endpoint => _settings.BaseUrl ?? (_settings.BaseUrlEnv is { } variable ? _secrets.Get(variable) : null);

    public ValueTask DisposeAsync() => _proxy?.DisposeAsync() ?? ValueTask.CompletedTask;

    public string Name { get; }
    public string Kind => KindName;
    public bool Synthetic => false;

    public string Redact(string text) => _secrets.Redact(text) ?? text;
    public CommandSettings Settings => _settings;

    public string? Preflight() => AgentExecutables.Find(_template[0], _template[0]) is null
        ? $"{_source}: the program '{_template[0]}' was not found (not on PATH, and not an existing file)"
        : null;

    public async Task<string?> GetVersionAsync(CancellationToken cancellationToken)
    {
        if (_settings.VersionCommand is not { } command)
            return null;
        var arguments = CommandLine.Split(command, _source);
        var executable = AgentExecutables.Find(arguments[0], arguments[0]);
        if (executable is null)
            return null;
        var spec = new ProcessSpec { FileName = executable, Arguments = [.. arguments.Skip(1)], WorkingDirectory = Path.GetTempPath(), Environment = ChildEnvironment.Inherited() };
        var result = await ProcessRunner.RunAsync(spec, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? (result.StandardOutput + result.StandardError).Trim().Split('\n')[0].Trim() : null;
    }

    public async Task<AgentResult> RunAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> Fill(string workspace) => CommandLine.Fill(_template, new Dictionary<string, string?>
        {
            ["prompt"] = TaskPrompt.ForCliAgent(request.Task),
            ["workspace"] = workspace,
            ["model"] = _settings.Model,
        });
        var arguments = Fill(request.Workspace);
        var executable = AgentExecutables.Find(arguments[0], arguments[0]);
        if (executable is null)
            return AgentResult.Infrastructure(InfrastructureErrors.AgentMissing, $"'{arguments[0]}' was not found");

        TrialRecording? recording = null;
        if (_proxy is not null)
            recording = await _proxy.BeginAsync(request, cancellationToken).ConfigureAwait(false);
        var launch = AgentProcess.Plan(request, executable, recording, _settings.Network == "none" ? NetworkAccess.None : NetworkAccess.Host);
        var environment = AgentProcess.Environment(launch).SetItems(_secrets.Variables);
        if (launch.ProxyBaseUrl is { } proxied)
            environment = environment.SetItem(_settings.BaseUrlVariable!, proxied);
        else if (Endpoint is { } baseUrl && _settings.BaseUrlVariable is { } name)
            environment = environment.SetItem(name, baseUrl);
        var spec = new ProcessSpec
        {
            FileName = executable,
            Arguments = [.. Fill(launch.View.Workspace).Skip(1)],
            WorkingDirectory = launch.View.Workspace,
            Environment = environment,
        };
        var agentRun = await AgentProcess.RunAsync(spec, request, launch, cancellationToken).ConfigureAwait(false);
        var (run, harness) = (agentRun.Run, agentRun.Harness);
        if (AgentProcess.Ended(run, _secrets, arguments[0]) is { } ended)
            return ended with { Harness = harness };

        var (usage, models) = UsageParsers.Parse(_settings.Usage, run.StandardOutput);
        var result = new AgentResult
        {
            Exit = run.TimedOut ? AgentExit.TimedOut : AgentExit.Completed,
            Usage = usage,
            Model = models.Count > 0 ? models[0] : _settings.Model,
            Models = models.Count > 0 ? models : _settings.Model is { } m ? [m] : [],
            StopReason = run.TimedOut ? "timeout" : $"exit {run.ExitCode}",
            Transcript = _secrets.Redact(run.StandardOutput),
            Output = _secrets.Redact(run.StandardError),
            Harness = harness,
        };
        result = AgentProcess.BlameStall(result, agentRun, request.Task.AgentTimeout);
        if (!run.TimedOut && run.ExitCode != 0 && usage == AgentUsage.None && InfrastructureErrors.LooksLikeNetworkFailure(run.CombinedOutput))
        {
            return result with
            {
                Exit = AgentExit.InfrastructureError,
                ErrorKind = InfrastructureErrors.Network,
                ErrorMessage = _secrets.Redact($"{arguments[0]} exited with {run.ExitCode}: the API could not be reached"),
            };
        }
        return result;
    }

    /// <summary>Ready-made templates (README § Agents): model via --model where the CLI takes one.</summary>
    public static IReadOnlyDictionary<string, CommandSettings> Presets { get; } = new Dictionary<string, CommandSettings>(StringComparer.Ordinal)
    {
        ["codex"] = new()
        {
            Command = "codex exec --json --skip-git-repo-check --sandbox workspace-write --model {model} {prompt}",
            VersionCommand = "codex --version",
            Usage = "codex",
            ApiKeyEnv = ["OPENAI_API_KEY"],
            BaseUrlVariable = "OPENAI_BASE_URL",
            DefaultEndpoint = "https://api.openai.com/v1",
        },
        ["gemini"] = new()
        {
            Command = "gemini --prompt {prompt} --output-format json --yolo --model {model}",
            VersionCommand = "gemini --version",
            Usage = "gemini",
            ApiKeyEnv = ["GEMINI_API_KEY"],
            BaseUrlVariable = "GOOGLE_GEMINI_BASE_URL",
            DefaultEndpoint = "https://generativelanguage.googleapis.com",
        },
        ["aider"] = new()
        {
            Command = "aider --message {prompt} --yes-always --no-git --no-auto-commits --no-pretty --model {model}",
            VersionCommand = "aider --version",
            Usage = "aider",
            ApiKeyEnv = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"],
        },
    };

}
