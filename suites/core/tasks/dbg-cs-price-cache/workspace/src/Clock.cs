namespace Pricing;

/// <summary>Milliseconds since some fixed point in time.</summary>
public interface IClock
{
    long NowMillis { get; }
}

public sealed class SystemClock : IClock
{
    public long NowMillis => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}

/// <summary>A clock that only moves when told to (for tests and simulations).</summary>
public sealed class ManualClock(long startMillis = 0) : IClock
{
    public long NowMillis { get; set; } = startMillis;

    public void Advance(long millis) => NowMillis += millis;
}
