using Driftwatch.Core.Scheduling;
using Shouldly;

namespace Driftwatch.Core.Tests.Scheduling;

public sealed class CronScheduleTests
{
    private static CronSchedule Parse(string text, string zone = "UTC") =>
        CronSchedule.TryParse(text, CronSchedule.FindTimeZone(zone, out _)!, out var problem) ?? throw new InvalidOperationException(problem);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void The_latest_slot_includes_now_and_the_next_one_is_strictly_after()
    {
        // Given a daily 06:00 schedule
        var daily = Parse("0 6 * * *");

        // Then at 06:00 the latest slot is that very minute, and the next is tomorrow's
        daily.Latest(Utc(3, 2, 6)).ShouldBe(Utc(3, 2, 6));
        daily.Latest(Utc(3, 2, 5, 59)).ShouldBe(Utc(3, 1, 6));
        daily.Next(Utc(3, 2, 6)).ShouldBe(Utc(3, 3, 6));
    }

    [Fact]
    public void Slots_between_two_moments_are_counted_without_either_end()
    {
        var daily = Parse("0 6 * * *");

        daily.CountBetween(Utc(3, 1, 6), Utc(3, 4, 6)).ShouldBe(2);
        daily.CountBetween(Utc(3, 4, 6), Utc(3, 1, 6)).ShouldBe(0);
    }

    [Fact]
    public void A_time_zone_moves_the_slots_and_follows_daylight_saving_time()
    {
        // Given 06:00 in Paris, where clocks go forward on 29 March 2026
        var paris = Parse("0 6 * * *", "Europe/Paris");

        // Then the slot is 05:00 UTC in winter and 04:00 UTC in summer
        paris.Next(Utc(3, 20, 12)).ShouldBe(Utc(3, 21, 5));
        paris.Next(Utc(3, 30, 12)).ShouldBe(Utc(3, 31, 4));
        paris.ToString().ShouldBe("0 6 * * * (Europe/Paris)");
    }

    [Fact]
    public void Six_fields_count_seconds_and_macros_work()
    {
        Parse("*/30 * * * * *").Next(Utc(3, 1, 6)).ShouldBe(Utc(3, 1, 6).AddSeconds(30));
        Parse("@daily").Next(Utc(3, 1, 6)).ShouldBe(Utc(3, 2, 0));
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("0 6 * *")]
    [InlineData("tomorrow")]
    public void A_bad_expression_says_what_is_wrong_and_shows_the_form(string text)
    {
        CronSchedule.TryParse(text, TimeZoneInfo.Utc, out var problem).ShouldBeNull();

        problem!.ShouldStartWith($"invalid cron expression '{text}': ");
        problem.ShouldContain("e.g. '0 6 * * *'");
    }

    [Fact]
    public void Unknown_time_zones_are_named_in_the_problem()
    {
        CronSchedule.FindTimeZone("Atlantis/Capital", out var problem).ShouldBeNull();

        problem.ShouldBe("unknown time zone 'Atlantis/Capital' (an IANA name such as Europe/Paris or America/New_York, or UTC, or local)");
        CronSchedule.FindTimeZone("utc", out _).ShouldBe(TimeZoneInfo.Utc);
    }
}
