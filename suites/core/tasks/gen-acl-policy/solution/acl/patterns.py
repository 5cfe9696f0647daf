import re
from functools import lru_cache

from .errors import PolicyError


def check_pattern(pattern):
    """Raise PolicyError (line None) if pattern is not a valid resource pattern."""
    if not isinstance(pattern, str):
        raise PolicyError("a pattern must be a string")
    for segment in pattern.split("/"):
        if segment == "**":
            continue
        if not segment:
            raise PolicyError(f"empty segment in pattern {pattern!r}")
        if "**" in segment:
            raise PolicyError(f"misplaced ** in pattern {pattern!r}")


@lru_cache(maxsize=1024)
def _segment_regex(segment):
    return re.compile(".*".join(re.escape(part) for part in segment.split("*")), re.DOTALL)


def match_resource(pattern, resource):
    """Return True if the (valid) resource pattern matches the resource path."""
    pats = pattern.split("/")
    segs = resource.split("/")

    @lru_cache(maxsize=None)
    def match(i, j):
        if i == len(pats):
            return j == len(segs)
        if pats[i] == "**":
            return any(match(i + 1, k) for k in range(j, len(segs) + 1))
        return j < len(segs) and bool(_segment_regex(pats[i]).fullmatch(segs[j])) and match(i + 1, j + 1)

    return match(0, 0)
