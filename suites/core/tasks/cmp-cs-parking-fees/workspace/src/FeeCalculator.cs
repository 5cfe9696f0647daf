namespace Parking;

public static class FeeCalculator
{
    /// <summary>
    /// Cuts the stay [entry, exit) at every midnight into one piece per calendar day; pieces are
    /// never empty. 22:00 → 02:00 the next day gives (22:00, 00:00) and (00:00, 02:00).
    /// </summary>
    public static List<(DateTime Start, DateTime End)> SplitByDay(DateTime entry, DateTime exit)
    {
        var pieces = new List<(DateTime Start, DateTime End)>();
        var start = entry;
        while (start < exit)
        {
            var midnight = start.Date.AddDays(1);
            var end = midnight < exit ? midnight : exit;
            pieces.Add((start, end));
            start = end;
        }
        return pieces;
    }

    /// <summary>Started hours in a span: 0 for zero, 1 for 1 tick up to 60 minutes, 2 after that…</summary>
    public static long StartedHours(TimeSpan span) =>
        span <= TimeSpan.Zero ? 0 : (span.Ticks + TimeSpan.TicksPerHour - 1) / TimeSpan.TicksPerHour;

    /// <summary>The fee for a stay from <paramref name="entry"/> to <paramref name="exit"/>.</summary>
    public static decimal Charge(Tariff tariff, DateTime entry, DateTime exit)
    {
        // TODO: fill in this gap — free stays, then started hours per calendar day at that day's rate, capped per day
        throw new NotImplementedException();
    }

    /// <summary>A one-line receipt, e.g. "2024-03-05 08:00 → 2024-03-05 10:30: 7.50 EUR".</summary>
    public static string Receipt(Tariff tariff, DateTime entry, DateTime exit) =>
        $"{entry:yyyy-MM-dd HH:mm} → {exit:yyyy-MM-dd HH:mm}: " +
        Charge(tariff, entry, exit).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " EUR";
}
