namespace Pricing;

/// <summary>How many SKUs the catalog keeps, and for how long (in seconds).</summary>
public sealed record CacheOptions
{
    public CacheOptions(int capacity, int ttlSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttlSeconds, 1);
        Capacity = capacity;
        TtlSeconds = ttlSeconds;
    }

    public int Capacity { get; }
    public int TtlSeconds { get; }
}
