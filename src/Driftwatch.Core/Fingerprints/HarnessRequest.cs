using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Driftwatch.Core.Fingerprints;

/// <summary>Kinds of long texts a harness sends, each stored once per distinct hash.</summary>
public enum HarnessTextKind
{
    /// <summary>The system prompt (Messages API `system`, OpenAI system/developer messages, `instructions`).</summary>
    SystemPrompt,

    /// <summary>What the harness puts into the conversation before the task (environment blocks, system reminders).</summary>
    Context,

    /// <summary>The tool definitions, canonical JSON, one tool per entry.</summary>
    Tools,
}

public sealed record HarnessText(string Hash, HarnessTextKind Kind, string Text)
{
    public static HarnessText Of(HarnessTextKind kind, string text) => new(Hashes.Of(text), kind, text);
}

/// <summary>
/// One request an agent's harness sent to its model, as the recording proxy saw it: what was
/// sent (model, prompts by hash, tools, generation parameters, beta flags, client) and what came
/// back (status, usage, stop reason, timing). Credentials are never part of it.
/// </summary>
public sealed record HarnessRequest
{
    /// <summary>Order within the trial, from 0.</summary>
    public required int Sequence { get; init; }

    /// <summary>anthropic-messages, openai-chat, openai-responses, gemini, or other.</summary>
    public required string Api { get; init; }

    public required string Method { get; init; }

    /// <summary>The upstream path and query (the proxy's per-trial prefix removed).</summary>
    public required string Path { get; init; }

    public string? Model { get; init; }
    public string? SystemHash { get; init; }
    public string? ContextHash { get; init; }
    public string? ToolsHash { get; init; }
    public ImmutableArray<string> ToolNames { get; init; } = [];

    /// <summary>Every other generation parameter, flattened to dotted paths with canonical JSON values.</summary>
    public ImmutableSortedDictionary<string, string> Parameters { get; init; } = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Beta features the client asked for (anthropic-beta), sorted.</summary>
    public ImmutableArray<string> Betas { get; init; } = [];

    public string? UserAgent { get; init; }

    /// <summary>The API version header (anthropic-version), when sent.</summary>
    public string? ApiVersion { get; init; }

    public bool Streamed { get; init; }
    public int Status { get; init; }
    public string? ResponseModel { get; init; }
    public long? InputTokens { get; init; }
    public long? OutputTokens { get; init; }
    public long? CacheReadTokens { get; init; }
    public long? CacheWriteTokens { get; init; }
    public string? StopReason { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Milliseconds until the upstream's response headers arrived.</summary>
    public long FirstByteMs { get; init; }

    /// <summary>Milliseconds until the last byte of the response was passed on.</summary>
    public long DurationMs { get; init; }

    /// <summary>Requests with tools are the agent's main loop; the rest are side calls (titles, summaries, probes).</summary>
    public bool IsMainLoop => !ToolNames.IsDefaultOrEmpty && Api != "anthropic-count-tokens";

    /// <summary>The hash of everything that shapes what the model is asked: equal fingerprints, equal harness.</summary>
    public string Fingerprint => Hashes.Of(string.Join('\u001f',
        Api, Model ?? "", SystemHash ?? "", ContextHash ?? "", ToolsHash ?? "",
        string.Join(',', Parameters.Select(p => $"{p.Key}={p.Value}")), string.Join(',', Betas), UserAgent ?? "", ApiVersion ?? ""));
}

/// <summary>What the proxy recorded for one trial: its requests in order, and the texts they refer to.</summary>
public sealed record HarnessCapture(ImmutableArray<HarnessRequest> Requests, ImmutableArray<HarnessText> Texts)
{
    public static readonly HarnessCapture Empty = new([], []);
}

/// <summary>SHA-256, hex, of UTF-8 text: the identity of stored texts and fingerprints.</summary>
public static class Hashes
{
    public static string Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The first 12 hex digits, for people.</summary>
    public static string Short(string? hash) => hash is null ? "–" : hash[..Math.Min(12, hash.Length)];
}
