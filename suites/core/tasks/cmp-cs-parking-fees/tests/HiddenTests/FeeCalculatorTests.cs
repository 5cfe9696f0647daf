using Driftwatch.TestKit;
using Parking;

public static class FeeCalculatorTests
{
    // 5 March 2024 is a Tuesday; 8 March a Friday; 9 and 10 March the weekend.
    private static DateTime At(int day, int hour, int minute = 0, int second = 0) => new(2024, 3, day, hour, minute, second);

    private static decimal Standard(DateTime entry, DateTime exit) => FeeCalculator.Charge(Tariff.Standard, entry, exit);

    [Test]
    public static void ExitBeforeEntryThrows() =>
        Check.Throws<ArgumentException>(() => Standard(At(5, 10), At(5, 9, 59)));

    [Test]
    public static void StayWithinTheFreeMinutesCostsNothing()
    {
        Check.Equal(0m, Standard(At(5, 10), At(5, 10)), "zero minutes");
        Check.Equal(0m, Standard(At(5, 10), At(5, 10, 15)), "exactly 15 minutes");
    }

    [Test]
    public static void PastTheFreeMinutesTheWholeStayIsCharged()
    {
        Check.Equal(2.50m, Standard(At(5, 10), At(5, 10, 15, 1)), "15 minutes 1 second");
        Check.Equal(2.50m, Standard(At(5, 10), At(5, 11)), "one hour");
    }

    [Test]
    public static void EveryStartedHourIsCharged()
    {
        Check.Equal(7.50m, Standard(At(5, 8), At(5, 10, 30)), "2.5 hours");
        Check.Equal(5.00m, Standard(At(5, 8), At(5, 10)), "exactly 2 hours");
        Check.Equal(5.00m, Standard(At(5, 8), At(5, 9, 0, 1)), "1 hour 1 second");
    }

    [Test]
    public static void HoursAreCountedPerCalendarDay() =>
        // 30 minutes on Tuesday and 30 minutes on Wednesday: one started hour on each day
        Check.Equal(5.00m, Standard(At(5, 23, 30), At(6, 0, 30)));

    [Test]
    public static void StayEndingAtMidnightStaysOnOneDay() =>
        Check.Equal(5.00m, Standard(At(5, 22), At(6, 0)));

    [Test]
    public static void EachDayIsCappedSeparately()
    {
        Check.Equal(18.00m, Standard(At(5, 7), At(5, 20)), "13 hours on one day");
        Check.Equal(28.00m, Standard(At(5, 20), At(6, 20)), "4 hours, then 20 hours");
        Check.Equal(18.00m * 3 + 5.00m, Standard(At(5, 0), At(8, 2)), "three full days and 2 hours");
    }

    [Test]
    public static void WeekendDaysUseTheWeekendRate()
    {
        Check.Equal(3.00m, Standard(At(9, 10), At(9, 12)), "two hours on Saturday");
        Check.Equal(2.50m + 1.50m, Standard(At(8, 23), At(9, 1)), "Friday night into Saturday");
        Check.Equal(1.50m + 2.50m, Standard(At(10, 23, 30), At(11, 0, 10)), "Sunday night into Monday");
    }

    [Test]
    public static void WeekendDaysAreCappedToo() =>
        Check.Equal(18.00m + 18.00m + 2.50m, Standard(At(9, 0), At(11, 1)));

    [Test]
    public static void TheGivenTariffIsUsed()
    {
        Check.Equal(0m, FeeCalculator.Charge(Tariff.Airport, At(5, 10), At(5, 10, 10)), "airport free minutes");
        Check.Equal(4.00m, FeeCalculator.Charge(Tariff.Airport, At(5, 10), At(5, 10, 11)), "airport 11 minutes");
        Check.Equal(30.00m, FeeCalculator.Charge(Tariff.Airport, At(9, 0), At(9, 23)), "airport Saturday cap");
        var custom = new Tariff(FreeMinutes: 0, HourlyRate: 1m, WeekendHourlyRate: 2m, DailyCap: 100m);
        Check.Equal(1m, FeeCalculator.Charge(custom, At(5, 10), At(5, 10, 1)), "no free minutes");
    }

    [Test]
    public static void ReceiptShowsTheCharge() =>
        Check.Equal("2024-03-05 08:00 → 2024-03-05 10:30: 7.50 EUR", FeeCalculator.Receipt(Tariff.Standard, At(5, 8), At(5, 10, 30)));
}
