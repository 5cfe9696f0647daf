namespace Driftwatch.Cli.Infrastructure;

/// <summary>Real time moved by a fixed offset: the demo lives through past days while timers stay real.</summary>
internal sealed class ShiftedTimeProvider(TimeProvider inner, TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);

    /// <summary>A clock that reads <paramref name="moment"/> now and runs on from there.</summary>
    public static TimeProvider StartingAt(TimeProvider inner, DateTimeOffset moment) =>
        new ShiftedTimeProvider(inner, moment - inner.GetUtcNow());
}
