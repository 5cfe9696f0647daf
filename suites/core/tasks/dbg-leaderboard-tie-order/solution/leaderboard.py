"""Standings for the weekly puzzle tournament."""


def best_results(results):
    """Keep one result per player: the highest score, and of equal scores the earliest."""
    best = {}
    for row in results:
        current = best.get(row["player"])
        if (
            current is None
            or row["score"] > current["score"]
            or (row["score"] == current["score"] and row["finished_at"] < current["finished_at"])
        ):
            best[row["player"]] = row
    return list(best.values())


def standings(results, limit=None):
    """Return the standings as a list of (rank, player, score) tuples.

    `results` holds dicts with "player" (str), "score" (int) and "finished_at" (seconds since
    the start of the round, int). With `limit`, only rows whose rank is at most `limit` are kept.
    """
    rows = best_results(results)
    # Highest score first; equal scores by who got there first, then by name.
    ordered = sorted(rows, key=lambda r: (-r["score"], r["finished_at"], r["player"]))

    table = []
    for position, row in enumerate(ordered, start=1):
        if table and row["score"] == table[-1][2]:
            rank = table[-1][0]
        else:
            rank = position
        table.append((rank, row["player"], row["score"]))

    if limit is not None:
        table = [entry for entry in table if entry[0] <= limit]
    return table
