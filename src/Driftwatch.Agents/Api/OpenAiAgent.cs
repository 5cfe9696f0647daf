using System.ClientModel;
using System.ClientModel.Primitives;
using Driftwatch.Agents.Common;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using OpenAI;
using OpenAI.Chat;

namespace Driftwatch.Agents.Api;

/// <summary>Any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp server, OpenRouter) through the official OpenAI SDK.</summary>
internal sealed class OpenAiAgent(AgentDefinition definition) : ApiAgent(definition, KindName, "OPENAI_API_KEY", temperature: true)
{
    public const string KindName = "openai";

    public override Task<string?> GetVersionAsync(CancellationToken cancellationToken) =>
        Task.FromResult<string?>($"openai-sdk {typeof(ChatClient).Assembly.GetName().Version} · {Settings.Model}");

    protected override async Task<ModelReply> CompleteAsync(string system, IReadOnlyList<ChatTurn> conversation, CancellationToken cancellationToken)
    {
        var options = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(Settings.TimeoutSeconds),
        };
        if (BaseUrl is { } baseUrl)
            options.Endpoint = new Uri(baseUrl);
        var client = new ChatClient(Settings.Model, new ApiKeyCredential(ApiKey!), options);
        var messages = new List<ChatMessage> { new SystemChatMessage(system) };
        messages.AddRange(conversation.Select(turn => turn.Role == "assistant" ? (ChatMessage)new AssistantChatMessage(turn.Content) : new UserChatMessage(turn.Content)));
        var completionOptions = new ChatCompletionOptions { MaxOutputTokenCount = Settings.MaxTokens };
        if (Settings.Temperature is { } temperature)
            completionOptions.Temperature = (float)temperature;

        ChatCompletion completion;
        try
        {
            completion = (await client.CompleteChatAsync(messages, completionOptions, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (ClientResultException ex) when (ex.Status == 0)
        {
            throw new ApiUnavailableException(InfrastructureErrors.Network, $"chat endpoint unreachable: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        catch (ClientResultException ex) when (InfrastructureErrors.IsInfrastructureStatus(ex.Status))
        {
            throw new ApiUnavailableException(InfrastructureErrors.ForStatus(ex.Status), $"chat endpoint answered {ex.Status}: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiUnavailableException(InfrastructureErrors.Network, $"chat endpoint unreachable: {ex.Message}", ex);
        }

        var text = string.Concat(completion.Content.Select(part => part.Text));
        return new ModelReply(text, completion.Model, completion.FinishReason.ToString(), new AgentUsage
        {
            InputTokens = completion.Usage?.InputTokenCount,
            OutputTokens = completion.Usage?.OutputTokenCount,
            CacheReadTokens = completion.Usage?.InputTokenDetails?.CachedTokenCount,
        });
    }
}
