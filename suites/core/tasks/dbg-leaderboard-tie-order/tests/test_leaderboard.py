import unittest

from leaderboard import standings


def r(player, score, finished_at):
    return {"player": player, "score": score, "finished_at": finished_at}


class StandingsTests(unittest.TestCase):
    def test_tie_listed_by_earliest_finish(self):
        got = standings([r("ana", 80, 120), r("ben", 80, 95)])
        self.assertEqual(got, [(1, "ben", 80), (1, "ana", 80)])

    def test_tie_with_equal_times_listed_alphabetically(self):
        got = standings([r("zoe", 50, 10), r("max", 50, 10), r("abe", 50, 10)])
        self.assertEqual(got, [(1, "abe", 50), (1, "max", 50), (1, "zoe", 50)])

    def test_finish_time_beats_name(self):
        got = standings([r("abe", 50, 30), r("zoe", 50, 20)])
        self.assertEqual(got, [(1, "zoe", 50), (1, "abe", 50)])

    def test_higher_score_beats_earlier_finish(self):
        got = standings([r("early", 60, 1), r("late", 61, 999)])
        self.assertEqual(got, [(1, "late", 61), (2, "early", 60)])

    def test_competition_ranking_skips_after_ties(self):
        got = standings([r("a", 90, 5), r("b", 80, 7), r("c", 80, 6), r("d", 70, 1), r("e", 70, 2), r("f", 10, 0)])
        self.assertEqual(got, [(1, "a", 90), (2, "c", 80), (2, "b", 80), (4, "d", 70), (4, "e", 70), (6, "f", 10)])

    def test_best_result_per_player(self):
        got = standings([r("ana", 40, 10), r("ben", 55, 20), r("ana", 60, 90), r("ana", 30, 5)])
        self.assertEqual(got, [(1, "ana", 60), (2, "ben", 55)])

    def test_best_result_uses_earliest_of_equal_scores(self):
        # ana's two 70s: the one at 15 counts, so she is ahead of ben (at 20).
        got = standings([r("ana", 70, 40), r("ben", 70, 20), r("ana", 70, 15)])
        self.assertEqual(got, [(1, "ana", 70), (1, "ben", 70)])

    def test_limit_keeps_everyone_tied_at_cutoff(self):
        rows = [r("a", 9, 1), r("b", 8, 3), r("c", 8, 2), r("d", 7, 1)]
        self.assertEqual(standings(rows, limit=2), [(1, "a", 9), (2, "c", 8), (2, "b", 8)])
        self.assertEqual(standings(rows, limit=3), [(1, "a", 9), (2, "c", 8), (2, "b", 8)])
        self.assertEqual(standings(rows, limit=4), standings(rows))

    def test_limit_zero_and_none(self):
        rows = [r("a", 9, 1), r("b", 8, 3)]
        self.assertEqual(standings(rows, limit=0), [])
        self.assertEqual(len(standings(rows, limit=None)), 2)

    def test_empty_results(self):
        self.assertEqual(standings([]), [])
        self.assertEqual(standings([], limit=3), [])


if __name__ == "__main__":
    unittest.main()
