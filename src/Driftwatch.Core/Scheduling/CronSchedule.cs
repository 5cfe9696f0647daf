using Cronos;

namespace Driftwatch.Core.Scheduling;

/// <summary>
/// A cron expression (Cronos: five fields, or six with seconds, or a macro such as @daily) read in
/// a time zone: the slots at which a schedule entry runs. Slots are returned in UTC.
/// </summary>
public sealed class CronSchedule
{
    /// <summary>The most slots counted when reporting how many were missed (an every-minute cron down for a month).</summary>
    private const int CountLimit = 100_000;

    private readonly CronExpression _expression;

    private CronSchedule(string text, CronExpression expression, TimeZoneInfo zone)
    {
        Text = text;
        _expression = expression;
        TimeZone = zone;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>Parses <paramref name="text"/>; on failure returns null and says why in <paramref name="problem"/>.</summary>
    public static CronSchedule? TryParse(string text, TimeZoneInfo zone, out string? problem)
    {
        var trimmed = text.Trim();
        var fields = trimmed.Split(' ', '\t').Count(f => f.Length > 0);
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            problem = null;
            return new CronSchedule(trimmed, CronExpression.Parse(trimmed, format), zone);
        }
        catch (CronFormatException ex)
        {
            problem = $"invalid cron expression '{text}': {ex.Message.TrimEnd('.')} (five fields: minute hour day-of-month month day-of-week, e.g. '0 6 * * *')";
            return null;
        }
        catch (MissingSeedException)
        {
            problem = $"invalid cron expression '{text}': the H (hash) field needs a seed, which Driftwatch does not take; write the minute out";
            return null;
        }
    }

    /// <summary>The first slot strictly after <paramref name="after"/>, or null when there is none (e.g. 30 February).</summary>
    public DateTimeOffset? Next(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after, TimeZone, inclusive: false)?.ToUniversalTime();

    /// <summary>The latest slot at or before <paramref name="atOrBefore"/>, if any.</summary>
    public DateTimeOffset? Latest(DateTimeOffset atOrBefore) =>
        _expression.GetPreviousOccurrence(atOrBefore, TimeZone, inclusive: true)?.ToUniversalTime();

    /// <summary>How many slots fall strictly between two moments (capped at a large number).</summary>
    public int CountBetween(DateTimeOffset afterExclusive, DateTimeOffset beforeExclusive) =>
        beforeExclusive <= afterExclusive
            ? 0
            : _expression.GetOccurrences(afterExclusive, beforeExclusive, TimeZone, fromInclusive: false, toInclusive: false).Take(CountLimit).Count();

    public override string ToString() => TimeZone == TimeZoneInfo.Utc ? Text : $"{Text} ({TimeZone.Id})";

    /// <summary>Finds a time zone by IANA name ("Europe/Paris"), or "UTC", or "local" (this machine's).</summary>
    public static TimeZoneInfo? FindTimeZone(string name, out string? problem)
    {
        problem = null;
        if (name.Equals("UTC", StringComparison.OrdinalIgnoreCase) || name.Equals("Etc/UTC", StringComparison.Ordinal))
            return TimeZoneInfo.Utc;
        if (name.Equals("local", StringComparison.OrdinalIgnoreCase))
            return TimeZoneInfo.Local;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (TimeZoneNotFoundException)
        {
            problem = $"unknown time zone '{name}' (an IANA name such as Europe/Paris or America/New_York, or UTC, or local)";
            return null;
        }
        catch (InvalidTimeZoneException)
        {
            problem = $"the time zone data for '{name}' on this machine is invalid";
            return null;
        }
    }
}
