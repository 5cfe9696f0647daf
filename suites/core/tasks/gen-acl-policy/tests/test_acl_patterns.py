import unittest

from acl import PolicyError, check_pattern
from acl.patterns import match_resource


class MatchResourceTests(unittest.TestCase):
    def test_literal_and_single_star_segments(self):
        self.assertTrue(match_resource("docs/readme.md", "docs/readme.md"))
        self.assertFalse(match_resource("docs/readme.md", "docs/README.md"))
        self.assertFalse(match_resource("docs", "docs/a"))
        self.assertTrue(match_resource("docs/*", "docs/a"))
        self.assertFalse(match_resource("docs/*", "docs"))
        self.assertFalse(match_resource("docs/*", "docs/a/b"))
        self.assertTrue(match_resource("*/b", "a/b"))
        self.assertTrue(match_resource("docs/*", "docs/"))

    def test_double_star_matches_zero_or_more_segments(self):
        for resource in ["docs", "docs/a", "docs/a/b/c"]:
            self.assertTrue(match_resource("docs/**", resource), resource)
        self.assertFalse(match_resource("docs/**", "doc"))
        self.assertFalse(match_resource("docs/**", "other/docs"))
        for resource in ["a.md", "x/a.md", "x/y/z/a.md"]:
            self.assertTrue(match_resource("**/*.md", resource), resource)
        self.assertFalse(match_resource("**/*.md", "x/a.txt"))
        for resource in ["a/b", "a/x/b", "a/x/y/b"]:
            self.assertTrue(match_resource("a/**/b", resource), resource)
        self.assertFalse(match_resource("a/**/b", "a/b/c"))
        self.assertTrue(match_resource("a/**/b/**/c", "a/b/x/b/c"))
        self.assertFalse(match_resource("a/**/b/**/c", "a/c/b"))
        self.assertTrue(match_resource("**", "anything/at/all"))
        self.assertTrue(match_resource("**/**", "x"))

    def test_star_inside_a_segment(self):
        self.assertTrue(match_resource("docs/*-draft", "docs/v1-draft"))
        self.assertTrue(match_resource("docs/*-draft", "docs/-draft"))
        self.assertFalse(match_resource("docs/*-draft", "docs/v1-draft/x"))
        self.assertFalse(match_resource("docs/*-draft", "docs/v1-drafts"))
        self.assertTrue(match_resource("r/a*b*c", "r/abc"))
        self.assertTrue(match_resource("r/a*b*c", "r/a-b-b-c"))
        self.assertFalse(match_resource("r/a*b*c", "r/a-c"))
        self.assertFalse(match_resource("*.md", "x/a.md"))
        self.assertTrue(match_resource("data/v1.(x)+", "data/v1.(x)+"))
        self.assertFalse(match_resource("data/v1.x", "data/v1-x"))


class CheckPatternTests(unittest.TestCase):
    def test_valid_patterns(self):
        for pattern in ["**", "a", "a/*", "*.md", "a*b*c", "a/**/b", "**/x", "x/**", "*"]:
            self.assertIsNone(check_pattern(pattern), pattern)

    def test_invalid_patterns(self):
        for pattern in ["", "/docs", "docs/", "a//b", "a/***", "a**", "a/**b", "x**y", "/"]:
            with self.assertRaises(PolicyError, msg=repr(pattern)) as caught:
                check_pattern(pattern)
            self.assertIsNone(caught.exception.line)


if __name__ == "__main__":
    unittest.main()
