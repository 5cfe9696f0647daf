import unittest

from slugs import MAX_LENGTH, SlugRegistry


class ClaimTests(unittest.TestCase):
    def test_free_slug_is_used_as_is(self):
        registry = SlugRegistry()
        self.assertEqual(registry.claim("Crème Brûlée: A Story!"), "creme-brulee-a-story")

    def test_claimed_slug_is_recorded(self):
        registry = SlugRegistry()
        registry.claim("Hello World")
        self.assertIn("hello-world", registry)
        self.assertEqual(len(registry), 1)

    def test_second_claim_gets_suffix_2(self):
        registry = SlugRegistry()
        self.assertEqual(registry.claim("Hello World"), "hello-world")
        self.assertEqual(registry.claim("hello, world"), "hello-world-2")

    def test_suffixes_count_up(self):
        registry = SlugRegistry()
        slugs = [registry.claim("Weekly Notes") for _ in range(4)]
        self.assertEqual(slugs, ["weekly-notes", "weekly-notes-2", "weekly-notes-3", "weekly-notes-4"])
        self.assertEqual(len(registry), 4)

    def test_existing_slugs_are_respected(self):
        registry = SlugRegistry(["release-notes", "release-notes-2"])
        self.assertEqual(registry.claim("Release Notes"), "release-notes-3")

    def test_first_free_number_is_used(self):
        registry = SlugRegistry(["faq", "faq-3"])
        self.assertEqual(registry.claim("FAQ"), "faq-2")
        self.assertEqual(registry.claim("FAQ"), "faq-4")

    def test_released_slug_can_be_claimed_again(self):
        registry = SlugRegistry(["about", "about-2"])
        registry.release("about")
        self.assertEqual(registry.claim("About"), "about")

    def test_suffixed_slug_still_fits_the_length_limit(self):
        title = "An extremely long title about the history of the humble paperclip"
        registry = SlugRegistry()
        first = registry.claim(title)
        second = registry.claim(title)
        self.assertEqual(first, "an-extremely-long-title-about-the-histor")
        self.assertEqual(second, "an-extremely-long-title-about-the-hist-2")
        self.assertLessEqual(len(second), MAX_LENGTH)

    def test_titles_without_letters_fall_back_to_untitled(self):
        registry = SlugRegistry()
        self.assertEqual(registry.claim("!!!"), "untitled")
        self.assertEqual(registry.claim("???"), "untitled-2")

    def test_rename_releases_the_old_slug(self):
        registry = SlugRegistry()
        old = registry.claim("Draft")
        self.assertEqual(registry.rename(old, "Draft"), "draft")
        self.assertEqual(len(registry), 1)


if __name__ == "__main__":
    unittest.main()
