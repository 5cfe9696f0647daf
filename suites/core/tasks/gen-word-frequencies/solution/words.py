import re
from collections import Counter

_WORD = re.compile(r"[a-z']+")


def top_words(text, n):
    """Return the n most frequent words of text as (word, count) tuples."""
    if n <= 0:
        return []
    words = (w.strip("'") for w in _WORD.findall(text.lower()))
    counts = Counter(w for w in words if w)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:n]
