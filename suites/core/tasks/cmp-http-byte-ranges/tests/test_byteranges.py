import unittest

from byteranges import RangeNotSatisfiable, content_length, parse_range_header, resolve


class ResolveTests(unittest.TestCase):
    def test_closed_range_inside_the_file(self):
        self.assertEqual(resolve(0, 499, 1000), (0, 499))
        self.assertEqual(resolve(10, 10, 1000), (10, 10))

    def test_last_position_past_the_end_is_clamped(self):
        self.assertEqual(resolve(900, 5000, 1000), (900, 999))
        self.assertEqual(resolve(900, 1000, 1000), (900, 999))
        self.assertEqual(resolve(900, 999, 1000), (900, 999))

    def test_open_ended_range_runs_to_the_last_byte(self):
        self.assertEqual(resolve(200, None, 1000), (200, 999))
        self.assertEqual(resolve(999, None, 1000), (999, 999))

    def test_first_position_at_or_past_the_end_is_unsatisfiable(self):
        self.assertIsNone(resolve(1000, None, 1000))
        self.assertIsNone(resolve(1000, 1200, 1000))
        self.assertIsNone(resolve(5000, 6000, 1000))

    def test_suffix_range_takes_the_last_bytes(self):
        self.assertEqual(resolve(None, 200, 1000), (800, 999))
        self.assertEqual(resolve(None, 1, 1000), (999, 999))

    def test_suffix_longer_than_the_file_covers_the_whole_file(self):
        self.assertEqual(resolve(None, 1000, 1000), (0, 999))
        self.assertEqual(resolve(None, 4096, 1000), (0, 999))

    def test_zero_length_suffix_is_unsatisfiable(self):
        self.assertIsNone(resolve(None, 0, 1000))

    def test_nothing_is_satisfiable_in_an_empty_file(self):
        self.assertIsNone(resolve(0, None, 0))
        self.assertIsNone(resolve(0, 10, 0))
        self.assertIsNone(resolve(None, 10, 0))


class HeaderTests(unittest.TestCase):
    def test_header_keeps_only_satisfiable_ranges_in_order(self):
        self.assertEqual(
            parse_range_header("bytes=2000-2100, 0-99, -50, 950-", 1000),
            [(0, 99), (950, 999), (950, 999)],
        )

    def test_header_with_no_satisfiable_range_raises(self):
        with self.assertRaises(RangeNotSatisfiable):
            parse_range_header("bytes=1000-, -0", 1000)

    def test_content_length_of_resolved_ranges(self):
        self.assertEqual(content_length(parse_range_header("bytes=0-0,-10,5-14", 100)), 21)


if __name__ == "__main__":
    unittest.main()
