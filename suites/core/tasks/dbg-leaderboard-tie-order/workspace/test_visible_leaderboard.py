import unittest

from leaderboard import standings


class VisibleStandingsTests(unittest.TestCase):
    def test_highest_score_first(self):
        results = [
            {"player": "ana", "score": 70, "finished_at": 300},
            {"player": "ben", "score": 90, "finished_at": 500},
            {"player": "cy", "score": 80, "finished_at": 100},
        ]
        self.assertEqual(standings(results), [(1, "ben", 90), (2, "cy", 80), (3, "ana", 70)])

    def test_empty_round(self):
        self.assertEqual(standings([]), [])


if __name__ == "__main__":
    unittest.main()
