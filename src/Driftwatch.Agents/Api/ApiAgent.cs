using System.Text.Json;
using Driftwatch.Agents.Common;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Agents;

namespace Driftwatch.Agents.Api;

/// <summary>One model call: the reply text, what it cost, and who answered.</summary>
internal sealed record ModelReply(string Text, string? Model, string? StopReason, AgentUsage Usage);

/// <summary>A chat turn kept between a first and a second attempt.</summary>
internal sealed record ChatTurn(string Role, string Content);

/// <summary>An API failure the runner must treat as infrastructure: retried, never scored.</summary>
internal sealed class ApiUnavailableException(string kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Kind { get; } = kind;
}

/// <summary>
/// Shared behaviour of the API adapters (README § Agents): the prompt is built from the task and its
/// workspace files, the model answers with whole files, the files are written into the workspace
/// (inside it only), and an optional second attempt sees the failing test output. An answer with
/// no code is a completed attempt that the tests will fail, not a crash.
/// </summary>
internal abstract class ApiAgent : IFeedbackAgent
{
    private const string SystemPrompt = "You are an expert software engineer. You change code exactly as asked and answer only with the files you changed.";

    protected ApiAgent(AgentDefinition definition, string kind, string defaultKeyEnv, bool temperature)
    {
        Name = definition.Name;
        Kind = kind;
        Settings = ApiAgentSettings.From(definition, defaultKeyEnv, temperature);
        var names = new[] { Settings.ApiKeyEnv }.Concat(Settings.BaseUrlEnv is { } b ? [b] : []);
        _keySource = definition.Locate("api_key_env");
        Secrets = Secrets.FromEnvironment(names, required: [], _keySource);
    }

    private readonly string _keySource;

    public string? Preflight() => ApiKey is null
        ? $"{_keySource}: the environment variable {Settings.ApiKeyEnv} is not set (the API key is read from it; local servers that need none accept any value)"
        : null;

    public string Name { get; }
    public string Kind { get; }
    public bool Synthetic => false;

    public string Redact(string text) => Secrets.Redact(text) ?? text;
    public ApiAgentSettings Settings { get; }
    public bool SecondAttempt => Settings.SecondAttempt;
    protected Secrets Secrets { get; }

    protected string? ApiKey => Secrets.Get(Settings.ApiKeyEnv);
    protected string? BaseUrl => Settings.BaseUrl ?? (Settings.BaseUrlEnv is { } variable ? Secrets.Get(variable) : null);

    public abstract Task<string?> GetVersionAsync(CancellationToken cancellationToken);

    /// <summary>Sends the conversation (user, assistant, user…) and returns the model's reply.</summary>
    protected abstract Task<ModelReply> CompleteAsync(string system, IReadOnlyList<ChatTurn> conversation, CancellationToken cancellationToken);

    public Task<AgentResult> RunAsync(AgentRequest request, CancellationToken cancellationToken) =>
        AttemptAsync(request, [new ChatTurn("user", TaskPrompt.ForApiModel(request.Task, request.Workspace))], AgentUsage.None, cancellationToken);

    public Task<AgentResult> ReviseAsync(AgentRequest request, AgentResult first, string testOutput, CancellationToken cancellationToken)
    {
        var conversation = (first.State as IReadOnlyList<ChatTurn>) ?? [];
        return AttemptAsync(request, [.. conversation, new ChatTurn("user", TaskPrompt.ForSecondAttempt(testOutput))], first.Usage, cancellationToken);
    }

    private async Task<AgentResult> AttemptAsync(AgentRequest request, IReadOnlyList<ChatTurn> conversation, AgentUsage before, CancellationToken cancellationToken)
    {
        if (ApiKey is null)
            return AgentResult.Infrastructure(InfrastructureErrors.Auth, $"{Settings.ApiKeyEnv} is not set");
        ModelReply reply;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(request.Task.AgentTimeout);
        try
        {
            reply = await CompleteAsync(SystemPrompt, conversation, timeout.Token).ConfigureAwait(false);
        }
        catch (ApiUnavailableException ex)
        {
            return AgentResult.Infrastructure(ex.Kind, Secrets.Redact(ex.Message)!, Secrets.Redact(Transcript(conversation, null)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AgentResult { Exit = AgentExit.TimedOut, Transcript = Secrets.Redact(Transcript(conversation, null)) };
        }

        var workspaceFiles = TaskPrompt.WorkspaceFiles(request.Workspace).Select(f => f.Path).ToList();
        var written = FileExtractor.Write(FileExtractor.Extract(reply.Text, workspaceFiles), request.Workspace);
        var usage = new AgentUsage
        {
            InputTokens = (before.InputTokens ?? 0) + (reply.Usage.InputTokens ?? 0),
            OutputTokens = (before.OutputTokens ?? 0) + (reply.Usage.OutputTokens ?? 0),
            CacheReadTokens = reply.Usage.CacheReadTokens is null && before.CacheReadTokens is null ? null : (before.CacheReadTokens ?? 0) + (reply.Usage.CacheReadTokens ?? 0),
            CacheWriteTokens = reply.Usage.CacheWriteTokens is null && before.CacheWriteTokens is null ? null : (before.CacheWriteTokens ?? 0) + (reply.Usage.CacheWriteTokens ?? 0),
            Turns = (before.Turns ?? 0) + 1,
            ToolCalls = 0,
        };
        List<ChatTurn> kept = [.. conversation, new ChatTurn("assistant", reply.Text)];
        return new AgentResult
        {
            Exit = AgentExit.Completed,
            Usage = usage,
            Model = reply.Model ?? Settings.Model,
            Models = [reply.Model ?? Settings.Model],
            StopReason = written.Count == 0 ? "no-code" : reply.StopReason,
            Transcript = Secrets.Redact(Transcript(conversation, reply)),
            Output = written.Count == 0 ? "the answer contained no file" : $"wrote {string.Join(", ", written)}",
            State = kept,
        };
    }

    private static string Transcript(IReadOnlyList<ChatTurn> conversation, ModelReply? reply)
    {
        var lines = conversation.Select(turn => JsonSerializer.Serialize(new { role = turn.Role, content = turn.Content })).ToList();
        if (reply is not null)
        {
            lines.Add(JsonSerializer.Serialize(new
            {
                role = "assistant",
                content = reply.Text,
                model = reply.Model,
                stop_reason = reply.StopReason,
                usage = new { input_tokens = reply.Usage.InputTokens, output_tokens = reply.Usage.OutputTokens },
            }));
        }
        return string.Join('\n', lines) + "\n";
    }
}
