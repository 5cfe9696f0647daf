using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Driftwatch.Agents.Common;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;

namespace Driftwatch.Agents.Api;

/// <summary>The Messages API through the official Anthropic SDK.</summary>
internal sealed class AnthropicAgent(AgentDefinition definition) : ApiAgent(definition, KindName, "ANTHROPIC_API_KEY", temperature: false)
{
    public const string KindName = "anthropic";
    public const string DefaultBaseUrl = "https://api.anthropic.com";

    public override Task<string?> GetVersionAsync(CancellationToken cancellationToken) =>
        Task.FromResult<string?>($"anthropic-sdk {typeof(AnthropicClient).Assembly.GetName().Version} · {Settings.Model}");

    protected override async Task<ModelReply> CompleteAsync(string system, IReadOnlyList<ChatTurn> conversation, CancellationToken cancellationToken)
    {
        var client = new AnthropicClient
        {
            ApiKey = ApiKey!,
            MaxRetries = 0,
            Timeout = TimeSpan.FromSeconds(Settings.TimeoutSeconds),
            BaseUrl = BaseUrl ?? DefaultBaseUrl,
        };
        var parameters = new MessageCreateParams
        {
            Model = Settings.Model,
            MaxTokens = Settings.MaxTokens,
            System = system,
            Messages = [.. conversation.Select(turn => turn.Role == "assistant" ? (MessageParam)new AssistantMessageParam(turn.Content) : new UserMessageParam(turn.Content))],
        };
        Message message;
        try
        {
            message = await client.Messages.Create(parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (AnthropicApiException ex) when (InfrastructureErrors.IsInfrastructureStatus((int)ex.StatusCode))
        {
            throw new ApiUnavailableException(InfrastructureErrors.ForStatus((int)ex.StatusCode), $"Messages API answered {(int)ex.StatusCode}: {ex.Message}", ex);
        }
        catch (AnthropicIOException ex)
        {
            throw new ApiUnavailableException(InfrastructureErrors.Network, $"Messages API unreachable: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        var text = string.Concat(message.Content.Select(block => block.TryPickText(out var t) ? t.Text : ""));
        return new ModelReply(text, message.Model.Raw(), message.StopReason?.Raw(), new AgentUsage
        {
            InputTokens = message.Usage.InputTokens,
            OutputTokens = message.Usage.OutputTokens,
            CacheReadTokens = message.Usage.CacheReadInputTokens,
            CacheWriteTokens = message.Usage.CacheCreationInputTokens,
        });
    }
}
