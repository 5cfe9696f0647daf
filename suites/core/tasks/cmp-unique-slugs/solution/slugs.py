"""URL slugs for blog posts: readable, ASCII-only, length-limited and unique within a site."""
import re
import unicodedata

MAX_LENGTH = 40
FALLBACK = "untitled"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(title):
    """'Crème Brûlée: A Story!' -> 'creme-brulee-a-story' (at most MAX_LENGTH characters)."""
    decomposed = unicodedata.normalize("NFKD", title)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_ALNUM.sub("-", ascii_text).strip("-")
    return slug[:MAX_LENGTH].rstrip("-") or FALLBACK


def with_suffix(slug, number):
    """Append '-<number>' to slug, shortening the slug so that the result fits MAX_LENGTH."""
    suffix = f"-{number}"
    return slug[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix


class SlugRegistry:
    """The slugs already used on one site."""

    def __init__(self, existing=()):
        self._taken = set(existing)

    def __contains__(self, slug):
        return slug in self._taken

    def __len__(self):
        return len(self._taken)

    def claim(self, title):
        """Return a slug for title that no other post uses, and record it as taken."""
        base = slugify(title)
        candidate = base
        number = 2
        while candidate in self._taken:
            candidate = with_suffix(base, number)
            number += 1
        self._taken.add(candidate)
        return candidate

    def release(self, slug):
        """Forget a slug (its post was deleted) so that it can be claimed again."""
        self._taken.discard(slug)

    def rename(self, old_slug, new_title):
        """Give a post a slug for its new title, releasing the old one."""
        self.release(old_slug)
        return self.claim(new_title)
