import unittest

from unidiff import Hunk, edit_script, group_hunks, hunk_header, unified_diff


def numbered(n, prefix="line"):
    return [f"{prefix}{i}" for i in range(1, n + 1)]


def replace(lines, index, text):
    copy = list(lines)
    copy[index] = text
    return copy


def hunks(a, b, context=3):
    return group_hunks(edit_script(a, b), context)


class GroupHunksTests(unittest.TestCase):
    def test_no_changes_gives_no_hunks(self):
        self.assertEqual(hunks(numbered(5), numbered(5)), [])
        self.assertEqual(hunks([], []), [])
        self.assertEqual(unified_diff(numbered(5), numbered(5)), [])

    def test_change_in_the_middle_gets_context_on_both_sides(self):
        a = numbered(10)
        result = hunks(a, replace(a, 4, "five"))
        self.assertEqual(result, [Hunk(2, 7, 2, 7, [
            " line2", " line3", " line4", "-line5", "+five", " line6", " line7", " line8"])])

    def test_context_is_cut_at_the_start_of_the_file(self):
        a = numbered(10)
        result = hunks(a, replace(a, 1, "two"))
        self.assertEqual(result, [Hunk(1, 5, 1, 5, [
            " line1", "-line2", "+two", " line3", " line4", " line5"])])

    def test_context_is_cut_at_the_end_of_the_file(self):
        a = numbered(6)
        result = hunks(a, a[:5] + ["six", "seven"])
        self.assertEqual(result, [Hunk(3, 4, 3, 5, [
            " line3", " line4", " line5", "-line6", "+six", "+seven"])])

    def test_changes_within_twice_the_context_share_a_hunk(self):
        a = numbered(12)
        b = replace(replace(a, 2, "three"), 6, "seven")  # 3 unchanged lines between them
        result = hunks(a, b, context=2)
        self.assertEqual(len(result), 1)
        self.assertEqual((result[0].old_start, result[0].old_len, result[0].new_start, result[0].new_len),
                         (1, 9, 1, 9))
        b = replace(replace(a, 2, "three"), 7, "eight")  # 4 unchanged lines: still one hunk
        self.assertEqual(len(hunks(a, b, context=2)), 1)

    def test_changes_further_apart_get_separate_hunks(self):
        a = numbered(14)
        b = replace(replace(a, 2, "three"), 8, "nine")  # 5 unchanged lines between them
        result = hunks(a, b, context=2)
        self.assertEqual(result, [
            Hunk(1, 5, 1, 5, [" line1", " line2", "-line3", "+three", " line4", " line5"]),
            Hunk(7, 5, 7, 5, [" line7", " line8", "-line9", "+nine", " line10", " line11"]),
        ])

    def test_later_hunks_count_lines_added_and_removed_before_them(self):
        a = numbered(20)
        b = ["new"] + a[:9] + a[11:19] + ["end"]
        result = hunks(a, b, context=1)
        self.assertEqual([(h.old_start, h.old_len, h.new_start, h.new_len) for h in result],
                         [(1, 1, 1, 2), (9, 4, 10, 2), (19, 2, 18, 2)])
        self.assertEqual(result[1].lines, [" line9", "-line10", "-line11", " line12"])

    def test_zero_context_keeps_only_changed_lines(self):
        a = ["a", "b", "c", "d"]
        result = hunks(a, ["A", "b", "C", "d"], context=0)
        self.assertEqual(result, [Hunk(1, 1, 1, 1, ["-a", "+A"]), Hunk(3, 1, 3, 1, ["-c", "+C"])])

    def test_pure_insertion_starts_after_the_preceding_old_line(self):
        result = hunks(["a", "b", "c"], ["a", "b", "X", "c"], context=0)
        self.assertEqual(result, [Hunk(2, 0, 3, 1, ["+X"])])
        self.assertEqual(hunk_header(result[0]), "@@ -2,0 +3 @@")

    def test_pure_deletion_starts_after_the_preceding_new_line(self):
        result = hunks(["a", "b", "c", "d"], ["a", "d"], context=0)
        self.assertEqual(result, [Hunk(2, 2, 1, 0, ["-b", "-c"])])
        self.assertEqual(hunk_header(result[0]), "@@ -2,2 +1,0 @@")

    def test_insertion_at_the_very_start(self):
        result = hunks(["x", "y"], ["new", "x", "y"], context=0)
        self.assertEqual(result, [Hunk(0, 0, 1, 1, ["+new"])])

    def test_diff_from_and_to_an_empty_file(self):
        self.assertEqual(hunks([], ["p", "q"]), [Hunk(0, 0, 1, 2, ["+p", "+q"])])
        self.assertEqual(hunks(["p", "q"], []), [Hunk(1, 2, 0, 0, ["-p", "-q"])])

    def test_negative_context_is_rejected(self):
        with self.assertRaises(ValueError):
            group_hunks(edit_script(["a"], ["b"]), -1)

    def test_unified_diff_output(self):
        a = numbered(9)
        b = a[:2] + a[3:8] + ["line9 (edited)"]
        self.assertEqual(unified_diff(a, b, "old.txt", "new.txt", context=1), [
            "--- old.txt",
            "+++ new.txt",
            "@@ -2,3 +2,2 @@",
            " line2",
            "-line3",
            " line4",
            "@@ -8,2 +7,2 @@",
            " line8",
            "-line9",
            "+line9 (edited)",
        ])


if __name__ == "__main__":
    unittest.main()
