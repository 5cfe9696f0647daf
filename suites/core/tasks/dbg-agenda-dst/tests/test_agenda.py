import unittest
from datetime import date, datetime, timedelta, timezone

from agenda import BERLIN, HELSINKI, LONDON, agenda, format_local, last_sunday, weekly

UTC = timezone.utc
H = timedelta(hours=1)


class LastSundayTests(unittest.TestCase):
    def test_ordinary_months(self):
        self.assertEqual(last_sunday(2024, 3), date(2024, 3, 31))
        self.assertEqual(last_sunday(2024, 10), date(2024, 10, 27))
        self.assertEqual(last_sunday(2026, 3), date(2026, 3, 29))
        self.assertEqual(last_sunday(2024, 12), date(2024, 12, 29))

    def test_month_followed_by_a_sunday(self):
        # 1 Nov 2026 and 1 Apr 2018 are Sundays.
        self.assertEqual(last_sunday(2026, 10), date(2026, 10, 25))
        self.assertEqual(last_sunday(2018, 3), date(2018, 3, 25))
        self.assertEqual(last_sunday(2020, 10), date(2020, 10, 25))


class ZoneTests(unittest.TestCase):
    def test_offsets_in_an_ordinary_year(self):
        self.assertEqual(datetime(2024, 7, 1, 12, tzinfo=BERLIN).utcoffset(), 2 * H)
        self.assertEqual(datetime(2024, 1, 1, 12, tzinfo=BERLIN).utcoffset(), H)
        self.assertEqual(datetime(2024, 7, 1, 12, tzinfo=LONDON).tzname(), "BST")
        self.assertEqual(datetime(2024, 11, 1, 12, tzinfo=HELSINKI).utcoffset(), 2 * H)
        self.assertEqual(datetime(2024, 7, 1, 12, tzinfo=HELSINKI).dst(), H)

    def test_week_after_october_2026_change_is_standard_time(self):
        self.assertEqual(datetime(2026, 10, 28, 12, tzinfo=BERLIN).utcoffset(), H)
        self.assertEqual(datetime(2026, 10, 25, 12, tzinfo=BERLIN).tzname(), "CET")
        self.assertEqual(datetime(2026, 10, 24, 12, tzinfo=BERLIN).tzname(), "CEST")

    def test_week_after_march_2018_change_is_summer_time(self):
        self.assertEqual(datetime(2018, 3, 28, 12, tzinfo=LONDON).utcoffset(), H)
        self.assertEqual(datetime(2018, 3, 24, 12, tzinfo=LONDON).utcoffset(), timedelta(0))

    def test_from_utc_around_october_2026_change(self):
        def local(h, m):
            x = datetime(2026, 10, 25, h, m, tzinfo=UTC).astimezone(BERLIN)
            return (x.replace(tzinfo=None), x.fold, x.tzname())

        self.assertEqual(local(0, 30), (datetime(2026, 10, 25, 2, 30), 0, "CEST"))
        self.assertEqual(local(1, 0), (datetime(2026, 10, 25, 2, 0), 1, "CET"))
        self.assertEqual(local(1, 30), (datetime(2026, 10, 25, 2, 30), 1, "CET"))
        self.assertEqual(local(2, 0), (datetime(2026, 10, 25, 3, 0), 0, "CET"))

    def test_from_utc_around_march_2024_change(self):
        def local(zone, h, m):
            x = datetime(2024, 3, 31, h, m, tzinfo=UTC).astimezone(zone)
            return (x.hour, x.minute, x.tzname())

        self.assertEqual(local(BERLIN, 0, 59), (1, 59, "CET"))
        self.assertEqual(local(BERLIN, 1, 0), (3, 0, "CEST"))
        self.assertEqual(local(HELSINKI, 0, 59), (2, 59, "EET"))
        self.assertEqual(local(HELSINKI, 1, 0), (4, 0, "EEST"))
        self.assertEqual(local(LONDON, 1, 0), (2, 0, "BST"))

    def test_repeated_hour_uses_fold(self):
        first = datetime(2024, 10, 27, 2, 30, tzinfo=BERLIN)
        second = first.replace(fold=1)
        self.assertEqual((first.utcoffset(), second.utcoffset()), (2 * H, H))
        self.assertEqual(second.astimezone(UTC) - first.astimezone(UTC), H)


class WeeklyTests(unittest.TestCase):
    def test_wall_time_kept_when_summer_time_starts(self):
        series = weekly(datetime(2026, 3, 16, 9, 0, tzinfo=BERLIN), 4)
        self.assertEqual(agenda(series, BERLIN), [
            "Mon 2026-03-16 09:00 CET", "Mon 2026-03-23 09:00 CET",
            "Mon 2026-03-30 09:00 CEST", "Mon 2026-04-06 09:00 CEST",
        ])
        self.assertEqual([x.astimezone(UTC).hour for x in series], [8, 8, 7, 7])

    def test_berlin_standup_across_october_2026(self):
        series = weekly(datetime(2026, 10, 12, 9, 0, tzinfo=BERLIN), 4)
        self.assertEqual(agenda(series, BERLIN), [
            "Mon 2026-10-12 09:00 CEST", "Mon 2026-10-19 09:00 CEST",
            "Mon 2026-10-26 09:00 CET", "Mon 2026-11-02 09:00 CET",
        ])

    def test_london_attendees_across_october_2026(self):
        series = weekly(datetime(2026, 10, 12, 9, 0, tzinfo=BERLIN), 4)
        self.assertEqual(agenda(series, LONDON), [
            "Mon 2026-10-12 08:00 BST", "Mon 2026-10-19 08:00 BST",
            "Mon 2026-10-26 08:00 GMT", "Mon 2026-11-02 08:00 GMT",
        ])

    def test_occurrences_keep_zone_and_utc_instants(self):
        series = weekly(datetime(2026, 10, 13, 17, 30, tzinfo=HELSINKI), 3, every=2)
        self.assertTrue(all(x.tzinfo is HELSINKI for x in series))
        self.assertEqual([x.astimezone(UTC).replace(tzinfo=None) for x in series], [
            datetime(2026, 10, 13, 14, 30), datetime(2026, 10, 27, 15, 30), datetime(2026, 11, 10, 15, 30),
        ])

    def test_every_and_count(self):
        series = weekly(datetime(2024, 5, 7, 14, 15, tzinfo=LONDON), 3, every=3)
        self.assertEqual(agenda(series, LONDON), [
            "Tue 2024-05-07 14:15 BST", "Tue 2024-05-28 14:15 BST", "Tue 2024-06-18 14:15 BST",
        ])
        self.assertEqual(weekly(datetime(2024, 5, 7, 14, 15, tzinfo=LONDON), 0), [])

    def test_invalid_arguments(self):
        with self.assertRaises(ValueError):
            weekly(datetime(2024, 5, 7, 14, 15), 3)
        with self.assertRaises(ValueError):
            weekly(datetime(2024, 5, 7, 14, 15, tzinfo=LONDON), -1)
        with self.assertRaises(ValueError):
            weekly(datetime(2024, 5, 7, 14, 15, tzinfo=LONDON), 2, every=0)

    def test_format_local(self):
        self.assertEqual(format_local(datetime(2024, 12, 29, 23, 5, tzinfo=HELSINKI)), "Sun 2024-12-29 23:05 EET")
        self.assertEqual(format_local(datetime(2024, 8, 3, 0, 0, tzinfo=BERLIN)), "Sat 2024-08-03 00:00 CEST")


if __name__ == "__main__":
    unittest.main()
