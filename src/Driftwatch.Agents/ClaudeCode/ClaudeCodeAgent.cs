using System.Collections.Immutable;
using Driftwatch.Agents.Common;
using Driftwatch.Agents.Proxy;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Processes;

namespace Driftwatch.Agents.ClaudeCode;

/// <summary>
/// The real Claude Code CLI in print mode, in the trial's workspace and sandbox (README § Agents):
/// `claude -p PROMPT --output-format stream-json --verbose` with the configured model, effort,
/// turns, tools and permission mode. Records the CLI version, the models that answered, tokens,
/// cost, turns, tool calls, stop reason and the event stream as the transcript. An API failure
/// (429, 5xx, 529, a refused connection, bad credentials) is an infrastructure error, not a fail.
/// Unless switched off, the CLI talks to its endpoint through a <see cref="RecordingProxy"/> that
/// records what the harness really sends (system prompt, tools, parameters) per request.
/// </summary>
public sealed class ClaudeCodeAgent : IAgent, IAsyncDisposable
{
    private readonly RunProxy? _proxy;

    public const string KindName = "claude-code";
    public const string RepositoryCopy = "tools/claude-code/node_modules/.bin/claude";

    private readonly ClaudeCodeSettings _settings;
    private readonly Secrets _secrets;
    private readonly string? _executable;
    private readonly AgentDefinition _definition;

    public ClaudeCodeAgent(AgentDefinition definition)
    {
        Name = definition.Name;
        _definition = definition;
        _settings = ClaudeCodeSettings.From(definition);
        var names = new[] { _settings.ApiKeyEnv }.Concat(_settings.BaseUrlEnv is { } b ? [b] : []).Concat(_settings.Env);
        _secrets = Secrets.FromEnvironment(names, required: [], definition.Locate("api_key_env"));
        _executable = AgentExecutables.Find(_settings.Command, "claude", RepositoryCopy);
        if (_settings.Proxy)
        {
            var where = _settings.BaseUrl is not null ? definition.Locate("base_url")
                : _settings.BaseUrlEnv is not null ? definition.Locate("base_url_env")
                : "the environment variable ANTHROPIC_BASE_URL";
            _proxy = new RunProxy(RunProxy.ParseEndpoint(Upstream, where));
        }
    }

    public string Name { get; }
    public string Kind => KindName;
    public bool Synthetic => false;

    public string Redact(string text) => _secrets.Redact(text) ?? text;
    public ClaudeCodeSettings Settings => _settings;

    public string? Preflight() =>
        _executable is null
            ? $"{_definition.Locate(_settings.Command is null ? "kind" : "command")}: the claude CLI was not found " +
              $"({(_settings.Command is { } command ? $"'{command}' does not exist" : "not on PATH, nor in tools/claude-code")}; install it with `npm install -g @anthropic-ai/claude-code`)"
            : _secrets.Get(_settings.ApiKeyEnv) is null
                ? $"{_definition.Locate("api_key_env")}: the environment variable {_settings.ApiKeyEnv} is not set (the CLI's credential is read from it: " +
                  "an API key, or for a subscription CLAUDE_CODE_OAUTH_TOKEN from `claude setup-token` with api_key_env: CLAUDE_CODE_OAUTH_TOKEN)"
                : null;

    public async Task<string?> GetVersionAsync(CancellationToken cancellationToken)
    {
        if (_executable is null)
            return null;
        var spec = new ProcessSpec
        {
            FileName = _executable,
            Arguments = ["--version"],
            WorkingDirectory = Path.GetTempPath(),
            Environment = ChildEnvironment.Inherited().SetItem("DISABLE_AUTOUPDATER", "1"),
        };
        var result = await ProcessRunner.RunAsync(spec, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }

    public async Task<AgentResult> RunAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        if (_executable is null)
            return AgentResult.Infrastructure(InfrastructureErrors.AgentMissing, "the claude CLI was not found (install @anthropic-ai/claude-code, or set 'command' in driftwatch.yaml)");
        if (_secrets.Get(_settings.ApiKeyEnv) is null)
            return AgentResult.Infrastructure(InfrastructureErrors.Auth, $"{_settings.ApiKeyEnv} is not set");

        var arguments = ImmutableArray.CreateBuilder<string>();
        arguments.AddRange("-p", TaskPrompt.ForCliAgent(request.Task), "--output-format", "stream-json", "--verbose",
            "--max-turns", _settings.MaxTurns.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--permission-mode", _settings.PermissionMode, "--allowedTools", _settings.AllowedTools, "--no-session-persistence",
            // The same CLI in every trial, whatever the machine or the task's folder holds: no user,
            // project or local settings (nor their hooks, instruction files and MCP servers), no hooks,
            // no MCP servers at all. Managed settings cannot be switched off: the sandbox hides them.
            "--setting-sources=", "--strict-mcp-config", "--mcp-config", """{"mcpServers":{}}""", "--settings", """{"disableAllHooks":true}""");
        if (_settings.Model is { } model)
            arguments.AddRange("--model", model);
        if (_settings.Effort is { } effort)
            arguments.AddRange("--effort", effort);
        arguments.AddRange(_settings.ExtraArgs);

        TrialRecording? recording = null;
        if (_proxy is not null)
            recording = await _proxy.BeginAsync(request, cancellationToken).ConfigureAwait(false);
        var launch = AgentProcess.Plan(request, _executable, recording);
        var environment = AgentProcess.Environment(launch)
            .SetItems(_secrets.Variables)
            .SetItems(new Dictionary<string, string>
            {
                ["DISABLE_TELEMETRY"] = "1",
                ["DISABLE_AUTOUPDATER"] = "1",
                ["DISABLE_ERROR_REPORTING"] = "1",
                ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
                ["CLAUDE_CODE_MAX_RETRIES"] = _settings.MaxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // No memory carried between sessions, no CLAUDE.md or AGENTS.md from anywhere (managed ones
                // included), no git block in the prompt; its scratch files in the trial's /tmp.
                ["CLAUDE_CODE_DISABLE_AUTO_MEMORY"] = "1",
                ["CLAUDE_CODE_DISABLE_CLAUDE_MDS"] = "1",
                ["CLAUDE_CODE_DISABLE_GIT_INSTRUCTIONS"] = "1",
                ["CLAUDE_CODE_TMPDIR"] = launch.View.Temp,
            });
        if (launch.ProxyBaseUrl is { } proxied)
            environment = environment.SetItem("ANTHROPIC_BASE_URL", proxied);
        else if (Endpoint is { } endpoint)
            environment = environment.SetItem("ANTHROPIC_BASE_URL", endpoint);
        if (_settings.ApiKeyEnv != "ANTHROPIC_API_KEY" && _settings.ApiKeyEnv != "CLAUDE_CODE_OAUTH_TOKEN" && _secrets.Get(_settings.ApiKeyEnv) is { } key)
            environment = environment.SetItem("ANTHROPIC_API_KEY", key);

        var spec = new ProcessSpec
        {
            FileName = _executable,
            Arguments = arguments.ToImmutable(),
            WorkingDirectory = launch.View.Workspace,
            Environment = environment,
        };
        var agentRun = await AgentProcess.RunAsync(spec, request, launch, cancellationToken).ConfigureAwait(false);
        var harness = agentRun.Harness;
        var result = AgentProcess.BlameStall(AgentProcess.Ended(agentRun.Run, _secrets, "claude") ?? Interpret(agentRun.Run), agentRun, request.Task.AgentTimeout);
        // The CLI always applies managed settings (/etc/claude-code): say whether this machine has any and whether they reached it.
        var managed = Directory.Exists("/etc/claude-code")
            ? request.Sandbox.Confines ? "on the host, hidden from the agent by the sandbox" : "on the host and applied (no sandbox)"
            : null;
        result = WithProxyEvidence(result, harness);
        return result with
        {
            Harness = harness,
            Details = new Dictionary<string, string?>(result.Details) { ["managedSettings"] = managed, ["network"] = launch.View.Network },
        };
    }

    /// <summary>
    /// The endpoint the CLI uses when Driftwatch is not in between: base_url, or the variable
    /// base_url_env names, or ANTHROPIC_BASE_URL in Driftwatch's own environment (a company gateway,
    /// a local proxy), as the CLI itself would have read it; null for the CLI's default.
    /// </summary>
    private string? Endpoint => _settings.BaseUrl ?? (_settings.BaseUrlEnv is { } variable ? _secrets.Get(variable) : null) ?? _inheritedEndpoint;

    private readonly string? _inheritedEndpoint = Environment.GetEnvironmentVariable("ANTHROPIC_BASE_URL") is { Length: > 0 } inherited ? inherited : null;

    /// <summary>Where the CLI's requests really go (through the proxy or not): what the run's fingerprint records.</summary>
    public string Upstream => Endpoint ?? ClaudeCodeSettings.DefaultEndpoint;

    public ValueTask DisposeAsync() => _proxy?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>Turns the CLI's exit and event stream into a result, telling infrastructure failures from work.</summary>
    public AgentResult Interpret(ProcessResult run)
    {
        var transcript = _secrets.Redact(run.StandardOutput);
        var output = _secrets.Redact(run.StandardError);
        if (AgentProcess.Ended(run, _secrets, "claude") is { } ended)
            return ended;

        var session = ClaudeSession.Parse(run.StandardOutput);
        var result = new AgentResult
        {
            ServedModels = session.ServedModels,
            Flags = ServingFlags(session),
            Exit = run.TimedOut ? AgentExit.TimedOut : AgentExit.Completed,
            // Killed before its result event, the CLI's turns are its assistant messages so far.
            Usage = session.HasResult ? session.Usage : session.Usage with { Turns = session.AssistantMessages },
            Model = session.Models.Count > 0 ? session.Models[0] : session.InitModel,
            Models = session.Models,
            StopReason = session.Subtype is { } subtype && subtype != "success" ? subtype : session.StopReason,
            Transcript = transcript,
            Output = output,
            Details = new Dictionary<string, string?>
            {
                ["cliVersion"] = session.CliVersion,
                ["initModel"] = session.InitModel,
                ["permissionMode"] = session.PermissionMode,
                ["tools"] = string.Join(",", session.Tools),
                ["terminalReason"] = session.TerminalReason,
                ["upstream"] = Upstream,
            },
        };
        if (result.Flags.Count > 0 && _settings.OnFallback == "exclude")
        {
            // Not the model asked for, or no answer at all from it: left out of pass rates, retried.
            return result with
            {
                Exit = AgentExit.InfrastructureError,
                ErrorKind = session.Refused ? "refusal" : "model-fallback",
                ErrorMessage = _secrets.Redact(session.Refused
                    ? $"the model refused{(session.ResultText is { } text ? ": " + AgentProcess.Last(text) : "")}"
                    : $"served by {string.Join(", ", session.ServedModels)} instead of {RequestedModel(session)} ({string.Join("; ", result.Flags)})"),
            };
        }

        // The CLI reports an API that failed in several ways: an API status, a terminal reason, or
        // only in words (a synthetic "API Error: …" answer); and a session cut off while it was
        // still retrying an API call ran out of time because of the API, not the model.
        var apiFailed = !session.Refused && session.IsError && (session.TerminalReason == "api_error" || session.ApiErrorStatus is not null
                || IsApiError(session.SyntheticText) || IsApiError(session.ResultText))
            || session.ApiErrorStatus is not null
            || session.EndedRetrying && !session.HasResult;
        if (apiFailed)
        {
            var said = session.ResultText ?? session.SyntheticText;
            var kind = (session.ApiErrorStatus ?? session.RetryStatus ?? StatusIn(said)) is { } status ? InfrastructureErrors.ForStatus(status)
                : InfrastructureErrors.LooksLikeNetworkFailure(said) || session.Retries > 0 || said is null ? InfrastructureErrors.Network
                : "api-error";
            // An API failure after real work still failed the trial's infrastructure: it is retried.
            return result with
            {
                Exit = AgentExit.InfrastructureError,
                ErrorKind = kind,
                ErrorMessage = _secrets.Redact(said ?? $"the CLI was still retrying a failed API call ({session.Retries} retries) when it was stopped"),
            };
        }
        if (run.TimedOut)
            return result;
        if (!session.HasResult && session.AssistantMessages == 0)
        {
            // The CLI died before doing any work: a crash of the harness around the model.
            var message = run.StandardError.Trim();
            return result with
            {
                Exit = AgentExit.InfrastructureError,
                ErrorKind = InfrastructureErrors.LooksLikeNetworkFailure(message) ? InfrastructureErrors.Network : InfrastructureErrors.AgentCrash,
                ErrorMessage = _secrets.Redact($"claude exited with {run.ExitCode} before any work: {AgentProcess.Last(message)}"),
            };
        }
        return result;
    }

    /// <summary>The CLI's words for a failed API call ("API Error: …").</summary>
    private static bool IsApiError(string? text) => text is not null && text.TrimStart().StartsWith("API Error", StringComparison.Ordinal);

    /// <summary>An HTTP status the CLI quotes in its error text ("API Error: 529 …", "Repeated 529 Overloaded errors").</summary>
    private static int? StatusIn(string? text)
    {
        if (!IsApiError(text))
            return null;
        var match = System.Text.RegularExpressions.Regex.Match(text!, @"\b([45]\d\d)\b");
        return match.Success && int.TryParse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var status)
            && InfrastructureErrors.IsInfrastructureStatus(status) ? status : null;
    }

    /// <summary>
    /// The proxy's record is evidence too: a main-loop request the upstream answered with another
    /// model than the one asked for is a fallback, whatever the CLI's stream kept of it.
    /// </summary>
    private AgentResult WithProxyEvidence(AgentResult result, Core.Fingerprints.HarnessCapture? harness)
    {
        var requested = _settings.Model ?? result.Details.GetValueOrDefault("initModel");
        if (harness is null || requested is null || result.Exit is AgentExit.InfrastructureError)
            return result;
        var others = harness.Requests.Where(r => r.IsMainLoop).Select(r => r.ResponseModel).OfType<string>()
            .Where(served => !SameModel(served, requested) && !result.Flags.Any(f => f.EndsWith("→" + served, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal).ToList();
        if (others.Count == 0)
            return result;
        result = result with
        {
            Flags = [.. result.Flags, .. others.Select(served => $"{TrialFlags.FallbackPrefix}{requested}→{served}")],
            ServedModels = [.. result.ServedModels.Union(others, StringComparer.Ordinal)],
        };
        return _settings.OnFallback != "exclude" ? result : result with
        {
            Exit = AgentExit.InfrastructureError,
            ErrorKind = "model-fallback",
            ErrorMessage = $"the proxy saw the API answer with {string.Join(", ", others)} instead of {requested}",
        };
    }

    /// <summary>The model the session was meant to run on: the configured one, else the CLI's own choice (its init event).</summary>
    private string? RequestedModel(ClaudeSession session) => _settings.Model ?? session.InitModel;

    /// <summary>"fallback:asked→served" for each switch the CLI made or each other model that answered, and "refusal".</summary>
    private List<string> ServingFlags(ClaudeSession session)
    {
        var flags = session.Fallbacks.Select(f => TrialFlags.FallbackPrefix + f).ToList();
        if (RequestedModel(session) is { } requested)
        {
            foreach (var served in session.ServedModels.Where(m => !SameModel(m, requested)))
            {
                if (!session.Fallbacks.Any(f => f.EndsWith("→" + served, StringComparison.Ordinal)))
                    flags.Add($"{TrialFlags.FallbackPrefix}{requested}→{served}");
            }
        }
        if (session.Refused)
            flags.Add(TrialFlags.Refusal);
        return flags;
    }

    /// <summary>Two names of one model: equal, or one the dated snapshot of the other (claude-x-4-5 and claude-x-4-5-20250929).</summary>
    public static bool SameModel(string a, string b)
    {
        static string Base(string model) => System.Text.RegularExpressions.Regex.Replace(model, @"(-\d{8}|\[[^\]]*\])$", "");
        return Base(a) == Base(b);
    }
}
