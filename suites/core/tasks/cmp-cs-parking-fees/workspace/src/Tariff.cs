namespace Parking;

/// <summary>The price list of a car park. Money is in euros.</summary>
/// <param name="FreeMinutes">A stay of at most this many minutes costs nothing.</param>
/// <param name="HourlyRate">Price of every started hour on Monday to Friday.</param>
/// <param name="WeekendHourlyRate">Price of every started hour on Saturday and Sunday.</param>
/// <param name="DailyCap">The most a single calendar day can cost.</param>
public sealed record Tariff(int FreeMinutes, decimal HourlyRate, decimal WeekendHourlyRate, decimal DailyCap)
{
    public static readonly Tariff Standard = new(FreeMinutes: 15, HourlyRate: 2.50m, WeekendHourlyRate: 1.50m, DailyCap: 18.00m);
    public static readonly Tariff Airport = new(FreeMinutes: 10, HourlyRate: 4.00m, WeekendHourlyRate: 4.00m, DailyCap: 30.00m);

    /// <summary>The hourly rate that applies on the given calendar day.</summary>
    public decimal RateOn(DateTime day) =>
        day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? WeekendHourlyRate : HourlyRate;
}
