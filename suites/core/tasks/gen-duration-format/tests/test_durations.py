import unittest

from durations import format_duration, parse_duration


class FormatDurationTests(unittest.TestCase):
    def test_zero_is_zero_seconds(self):
        self.assertEqual(format_duration(0), "0s")

    def test_unit_boundaries(self):
        self.assertEqual(format_duration(59), "59s")
        self.assertEqual(format_duration(60), "1m")
        self.assertEqual(format_duration(3599), "59m 59s")
        self.assertEqual(format_duration(3600), "1h")
        self.assertEqual(format_duration(86400), "1d")

    def test_all_units_largest_first(self):
        self.assertEqual(format_duration(93784), "1d 2h 3m 4s")
        self.assertEqual(format_duration(3 * 86400 + 3725), "3d 1h 2m 5s")

    def test_zero_units_in_the_middle_are_left_out(self):
        self.assertEqual(format_duration(86401), "1d 1s")
        self.assertEqual(format_duration(7260), "2h 1m")

    def test_max_units_truncates_without_rounding(self):
        self.assertEqual(format_duration(93784, max_units=2), "1d 2h")
        self.assertEqual(format_duration(86399, max_units=1), "23h")
        self.assertEqual(format_duration(93784, max_units=4), "1d 2h 3m 4s")
        self.assertEqual(format_duration(93784, max_units=9), "1d 2h 3m 4s")

    def test_max_units_counts_only_non_zero_parts(self):
        self.assertEqual(format_duration(86401, max_units=2), "1d 1s")
        self.assertEqual(format_duration(0, max_units=1), "0s")

    def test_invalid_values_raise_value_error(self):
        with self.assertRaises(ValueError):
            format_duration(-1)
        with self.assertRaises(ValueError):
            format_duration(10, max_units=0)

    def test_non_int_raises_type_error(self):
        with self.assertRaises(TypeError):
            format_duration(1.5)
        with self.assertRaises(TypeError):
            format_duration(True)
        with self.assertRaises(TypeError):
            format_duration("60")


class ParseDurationTests(unittest.TestCase):
    def test_parses_all_units(self):
        self.assertEqual(parse_duration("1d 2h 3m 4s"), 93784)
        self.assertIsInstance(parse_duration("1d 2h 3m 4s"), int)

    def test_whitespace_is_optional_and_trimmed(self):
        self.assertEqual(parse_duration("1h2m"), 3720)
        self.assertEqual(parse_duration("  1h   5s \n"), 3605)

    def test_single_unit_and_unbounded_amounts(self):
        self.assertEqual(parse_duration("90m"), 5400)
        self.assertEqual(parse_duration("0s"), 0)
        self.assertEqual(parse_duration("2d"), 172800)
        self.assertEqual(parse_duration("100s"), 100)

    def test_malformed_text_raises(self):
        for text in ["", "   ", "5", "1x", "h", "1H", "-1s", "+1s", "1.5h", "1h 2", "1 h"]:
            with self.assertRaises(ValueError, msg=repr(text)):
                parse_duration(text)

    def test_repeated_or_out_of_order_units_raise(self):
        for text in ["2m 1h", "1h 1h", "1s 1d", "1d 1s 1m"]:
            with self.assertRaises(ValueError, msg=repr(text)):
                parse_duration(text)

    def test_round_trip(self):
        for seconds in [0, 1, 59, 61, 3600, 86399, 86401, 1_000_000]:
            self.assertEqual(parse_duration(format_duration(seconds)), seconds)


if __name__ == "__main__":
    unittest.main()
