import unittest
from datetime import datetime, timedelta

from agenda import BERLIN, LONDON, agenda, format_local, weekly


class VisibleAgendaTests(unittest.TestCase):
    def test_summer_series(self):
        series = weekly(datetime(2024, 6, 3, 9, 0, tzinfo=BERLIN), 2)
        self.assertEqual(agenda(series, BERLIN), ["Mon 2024-06-03 09:00 CEST", "Mon 2024-06-10 09:00 CEST"])
        self.assertEqual(agenda(series, LONDON), ["Mon 2024-06-03 08:00 BST", "Mon 2024-06-10 08:00 BST"])

    def test_offsets(self):
        self.assertEqual(datetime(2024, 1, 15, 12, tzinfo=BERLIN).utcoffset(), timedelta(hours=1))
        self.assertEqual(format_local(datetime(2024, 1, 15, 12, tzinfo=LONDON)), "Mon 2024-01-15 12:00 GMT")


if __name__ == "__main__":
    unittest.main()
