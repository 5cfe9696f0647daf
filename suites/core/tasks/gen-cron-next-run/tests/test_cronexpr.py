import unittest
from datetime import datetime

from cronexpr import expand_field, next_run


class ExpandFieldTests(unittest.TestCase):
    def test_star_values_and_lists(self):
        self.assertEqual(expand_field("*", "minute"), list(range(60)))
        self.assertEqual(expand_field("*", "weekday"), [0, 1, 2, 3, 4, 5, 6])
        self.assertEqual(expand_field("*", "day"), list(range(1, 32)))
        self.assertEqual(expand_field("5", "hour"), [5])
        self.assertEqual(expand_field("7,1,5-6,1-2", "hour"), [1, 2, 5, 6, 7])

    def test_steps(self):
        self.assertEqual(expand_field("*/15", "minute"), [0, 15, 30, 45])
        self.assertEqual(expand_field("1-10/3", "minute"), [1, 4, 7, 10])
        self.assertEqual(expand_field("1-9/3", "minute"), [1, 4, 7])
        self.assertEqual(expand_field("5/20", "minute"), [5, 25, 45])
        self.assertEqual(expand_field("*/10", "day"), [1, 11, 21, 31])
        self.assertEqual(expand_field("*/5", "month"), [1, 6, 11])
        self.assertEqual(expand_field("*/2", "weekday"), [0, 2, 4, 6])
        self.assertEqual(expand_field("4/1", "weekday"), [4, 5, 6])
        self.assertEqual(expand_field("20-23/1", "hour"), [20, 21, 22, 23])

    def test_names_and_sunday_as_seven(self):
        self.assertEqual(expand_field("jan,MAR-May", "month"), [1, 3, 4, 5])
        self.assertEqual(expand_field("Nov/1", "month"), [11, 12])
        self.assertEqual(expand_field("MON-FRI", "weekday"), [1, 2, 3, 4, 5])
        self.assertEqual(expand_field("sun,Sat", "weekday"), [0, 6])
        self.assertEqual(expand_field("7", "weekday"), [0])
        self.assertEqual(expand_field("5-7", "weekday"), [0, 5, 6])
        self.assertEqual(expand_field("FRI-7/2", "weekday"), [0, 5])

    def test_invalid_fields(self):
        cases = [("60", "minute"), ("24", "hour"), ("0", "day"), ("32", "day"), ("0", "month"),
                 ("13", "month"), ("8", "weekday"), ("5-3", "minute"), ("FRI-MON", "weekday"),
                 ("*/0", "minute"), ("", "minute"), ("1,,2", "minute"), ("1,", "hour"),
                 ("a", "minute"), ("JAN", "minute"), ("MON", "month"), ("-1", "minute"),
                 ("1-", "minute"), ("*/x", "minute"), ("1/2/3", "minute"), ("MONDAY", "weekday"),
                 ("*-5", "hour"), ("1 ,2", "minute"), ("+5", "minute"), ("5", "second")]
        for text, kind in cases:
            with self.assertRaises(ValueError, msg=f"{text!r} as {kind}"):
                expand_field(text, kind)


class NextRunTests(unittest.TestCase):
    def test_strictly_after_and_whole_minutes(self):
        self.assertEqual(next_run("* * * * *", datetime(2024, 6, 3, 10, 15, 30, 500)),
                         datetime(2024, 6, 3, 10, 16))
        self.assertEqual(next_run("* * * * *", datetime(2024, 6, 3, 10, 15)),
                         datetime(2024, 6, 3, 10, 16))
        self.assertEqual(next_run("  15 10 * * *\n", datetime(2024, 6, 3, 10, 14, 59)),
                         datetime(2024, 6, 3, 10, 15))

    def test_rolls_over_hours_and_days(self):
        self.assertEqual(next_run("0 * * * *", datetime(2024, 6, 3, 23, 59)), datetime(2024, 6, 4, 0, 0))
        self.assertEqual(next_run("30 9 * * *", datetime(2024, 6, 3, 9, 30)), datetime(2024, 6, 4, 9, 30))
        self.assertEqual(next_run("*/20 8-9 * * *", datetime(2024, 6, 3, 9, 40)),
                         datetime(2024, 6, 4, 8, 0))
        self.assertEqual(next_run("*/20 8-9 * * *", datetime(2024, 6, 3, 8, 59)),
                         datetime(2024, 6, 3, 9, 0))

    def test_weekday_only(self):
        # 2024-06-07 is a Friday.
        self.assertEqual(next_run("30 9 * * MON-FRI", datetime(2024, 6, 7, 10, 0)), datetime(2024, 6, 10, 9, 30))
        self.assertEqual(next_run("30 9 * * MON-FRI", datetime(2024, 6, 7, 9, 0)), datetime(2024, 6, 7, 9, 30))
        self.assertEqual(next_run("0 0 * * 7", datetime(2024, 6, 3)), datetime(2024, 6, 9))
        self.assertEqual(next_run("0 8 * * 5", datetime(2024, 6, 8)), datetime(2024, 6, 14, 8, 0))
        self.assertEqual(next_run("0 9 * aug mon", datetime(2024, 6, 3)), datetime(2024, 8, 5, 9, 0))

    def test_year_rollover(self):
        self.assertEqual(next_run("0 0 1 1 *", datetime(2024, 6, 1)), datetime(2025, 1, 1))
        self.assertEqual(next_run("59 23 31 12 *", datetime(2024, 12, 31, 23, 59)), datetime(2025, 12, 31, 23, 59))
        self.assertEqual(next_run("0 12 * FEB *", datetime(2024, 12, 31)), datetime(2025, 2, 1, 12, 0))

    def test_days_missing_from_short_months_are_skipped(self):
        self.assertEqual(next_run("0 12 31 * *", datetime(2024, 4, 1)), datetime(2024, 5, 31, 12, 0))
        self.assertEqual(next_run("0 0 30 * *", datetime(2024, 2, 1)), datetime(2024, 3, 30))
        self.assertEqual(next_run("0 0 31 4,7 *", datetime(2024, 1, 1)), datetime(2024, 7, 31))

    def test_february_29_follows_leap_year_rules(self):
        self.assertEqual(next_run("0 0 29 2 *", datetime(2024, 3, 1)), datetime(2028, 2, 29))
        self.assertEqual(next_run("0 0 29 2 *", datetime(2096, 3, 1)), datetime(2104, 2, 29))
        self.assertEqual(next_run("0 0 29 2 *", datetime(1999, 1, 1)), datetime(2000, 2, 29))

    def test_day_or_weekday_when_both_restricted(self):
        # 2024-06-13 is a Thursday, 2024-06-14 a Friday.
        self.assertEqual(next_run("0 8 13 * 5", datetime(2024, 6, 8)), datetime(2024, 6, 13, 8, 0))
        self.assertEqual(next_run("0 8 13 * 5", datetime(2024, 6, 13, 9, 0)), datetime(2024, 6, 14, 8, 0))
        self.assertEqual(next_run("0 8 13 * 5", datetime(2024, 6, 28, 8, 0)), datetime(2024, 7, 5, 8, 0))

    def test_day_field_alone_when_weekday_is_star(self):
        self.assertEqual(next_run("0 8 13 * *", datetime(2024, 6, 14)), datetime(2024, 7, 13, 8, 0))
        self.assertEqual(next_run("0 0 1,15 * *", datetime(2024, 6, 1)), datetime(2024, 6, 15))

    def test_only_a_plain_star_is_unrestricted(self):
        # 1-31 is restricted, so "day 1-31 OR Sunday" matches every day.
        self.assertEqual(next_run("0 0 1-31 * SUN", datetime(2024, 6, 3)), datetime(2024, 6, 4))
        # */10 is restricted: days 1, 11, 21, 31 OR Mondays.
        self.assertEqual(next_run("0 0 */10 * MON", datetime(2024, 6, 3)), datetime(2024, 6, 10))
        self.assertEqual(next_run("0 0 */10 * MON", datetime(2024, 6, 10)), datetime(2024, 6, 11))
        # */1 in the weekday field is restricted too: "day 31 OR any weekday", in February.
        self.assertEqual(next_run("0 0 31 2 */1", datetime(2024, 6, 3)), datetime(2025, 2, 1))

    def test_impossible_and_malformed_expressions_raise(self):
        for expr in ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 FEB-APR/2 *",
                     "* * * *", "* * * * * *", "", "61 * * * *", "* * * 13 *", "* * 0 * *"]:
            with self.assertRaises(ValueError, msg=repr(expr)):
                next_run(expr, datetime(2024, 1, 1))

    def test_impossible_day_is_fine_with_a_weekday(self):
        self.assertEqual(next_run("0 0 30 2 MON", datetime(2024, 6, 3)), datetime(2025, 2, 3))
        self.assertEqual(next_run("0 0 29 2 *", datetime(2024, 1, 1)), datetime(2024, 2, 29))


if __name__ == "__main__":
    unittest.main()
