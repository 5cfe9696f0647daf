namespace Driftwatch.Core.Fingerprints;

/// <summary>What came back for a request: the model that answered, token usage and the stop reason.</summary>
public sealed record HarnessResponse(string? Model, long? InputTokens, long? OutputTokens, long? CacheReadTokens, long? CacheWriteTokens, string? StopReason, bool Streamed)
{
    public static readonly HarnessResponse None = new(null, null, null, null, null, null, false);
}
