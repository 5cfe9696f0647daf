import unittest

from words import top_words


class TopWordsTests(unittest.TestCase):
    def test_counts_case_insensitively(self):
        self.assertEqual(top_words("The cat and the hat", 1), [("the", 2)])

    def test_ties_are_alphabetical(self):
        self.assertEqual(top_words("b a c b a", 3), [("a", 2), ("b", 2), ("c", 1)])

    def test_apostrophes_inside_words_are_kept(self):
        self.assertEqual(top_words("Don't stop, don't", 2), [("don't", 2), ("stop", 1)])

    def test_leading_and_trailing_apostrophes_are_dropped(self):
        self.assertEqual(top_words("'tis the season 'tis", 1), [("tis", 2)])

    def test_punctuation_and_digits_separate_words(self):
        self.assertEqual(top_words("one,two;three 4four", 10),
                         [("four", 1), ("one", 1), ("three", 1), ("two", 1)])

    def test_n_larger_than_vocabulary_returns_all(self):
        self.assertEqual(top_words("x y", 5), [("x", 1), ("y", 1)])

    def test_non_positive_n_returns_empty(self):
        self.assertEqual(top_words("x y", 0), [])
        self.assertEqual(top_words("x y", -3), [])

    def test_empty_text(self):
        self.assertEqual(top_words("", 3), [])


if __name__ == "__main__":
    unittest.main()
