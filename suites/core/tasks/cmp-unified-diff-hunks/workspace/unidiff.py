"""Unified diffs of two lists of lines, in the format of `diff -u`.

The diff is built in two steps: `edit_script` finds a shortest edit script from a longest common
subsequence, and `group_hunks` cuts the script into hunks with a few lines of context.
"""
from dataclasses import dataclass, field

KEEP, DELETE, INSERT = " ", "-", "+"


@dataclass
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    lines: list = field(default_factory=list)  # each line prefixed with " ", "-" or "+"


def edit_script(a, b):
    """[(op, line)] turning list `a` into list `b`; op is KEEP, DELETE or INSERT.

    Within a block of changes, deletions come before insertions.
    """
    n, m = len(a), len(b)
    lcs = [[0] * (m + 1) for _ in range(n + 1)]  # lcs[i][j]: LCS length of a[i:] and b[j:]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            lcs[i][j] = lcs[i + 1][j + 1] + 1 if a[i] == b[j] else max(lcs[i + 1][j], lcs[i][j + 1])
    script, i, j = [], 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            script.append((KEEP, a[i]))
            i, j = i + 1, j + 1
        elif lcs[i + 1][j] >= lcs[i][j + 1]:
            script.append((DELETE, a[i]))
            i += 1
        else:
            script.append((INSERT, b[j]))
            j += 1
    script.extend((DELETE, line) for line in a[i:])
    script.extend((INSERT, line) for line in b[j:])
    return script


def group_hunks(script, context=3):
    """Cut an edit script into hunks, each change surrounded by up to `context` unchanged lines."""
    # TODO: fill in this gap — group the changes, add context, count old/new lines and start numbers
    raise NotImplementedError


def _range(start, length):
    return str(start) if length == 1 else f"{start},{length}"


def hunk_header(hunk):
    return f"@@ -{_range(hunk.old_start, hunk.old_len)} +{_range(hunk.new_start, hunk.new_len)} @@"


def unified_diff(a, b, from_file="a", to_file="b", context=3):
    """The lines of a unified diff from `a` to `b`; [] when they are equal."""
    hunks = group_hunks(edit_script(a, b), context)
    if not hunks:
        return []
    out = [f"--- {from_file}", f"+++ {to_file}"]
    for hunk in hunks:
        out.append(hunk_header(hunk))
        out.extend(hunk.lines)
    return out
