#!/usr/bin/env python3
"""Test vectors for TrackerAgreementTests.cs: the public Claude Code tracker's per-window statistics.

Computed independently of Driftwatch, from the tracker's published method as docs/detection.md reads it:
for each window (the last 1, 7 and 30 days, skipped while fewer days exist or it holds no trials)
  accuracy     passes / trials
  Wilson 95%   closed form (Wilson 1927), z = 1.959963984540054 (the double nearest Φ⁻¹(0.975))
  p lower      P(X ≤ passes | trials, p0), exact (math.comb, fractions.Fraction)
  p upper      P(X ≥ passes | trials, p0), exact
  worse        p0 > Wilson high, or p lower < α
  better       p0 < Wilson low, or p upper < α
  drop thr.    p0 − k/trials for the largest count k for which "worse" would hold (None if none)
  rise thr.    k/trials − p0 for the smallest count k for which "better" would hold (None if none)
  threshold    max(drop, rise): the "±X% threshold for significance" (None if either is None)
Exact rationals for the binomial tails, 60-digit decimals for the Wilson square root.
Run: python3 tracker_vectors.py  — prints the C# literals pasted by hand into TrackerAgreementTests.cs.
"""
from decimal import Decimal, getcontext
from fractions import Fraction
from math import comb

getcontext().prec = 60
Z = Decimal("1.959963984540054")
ALPHA = Fraction(1, 20)
WINDOWS = (1, 7, 30)


def dec(f: Fraction) -> Decimal:
    return Decimal(f.numerator) / Decimal(f.denominator)


def wilson(x, n):
    p, nn, z2 = dec(Fraction(x, n)), Decimal(n), Z * Z
    centre = (p + z2 / (2 * nn)) / (1 + z2 / nn)
    half = Z / (1 + z2 / nn) * (p * (1 - p) / nn + z2 / (4 * nn * nn)).sqrt()
    return centre - half, centre + half


def tails(n, p0):
    """P(X ≤ k) and P(X ≥ k) for k = 0..n, exact."""
    pmf = [comb(n, k) * p0 ** k * (1 - p0) ** (n - k) for k in range(n + 1)]
    lower, upper, run = [], [0] * (n + 1), Fraction(0)
    for k in range(n + 1):
        run += pmf[k]
        lower.append(run)
    run = Fraction(0)
    for k in range(n, -1, -1):
        run += pmf[k]
        upper[k] = run
    return lower, upper


def window(n, x, p0):
    lower, upper = tails(n, p0)
    p0d = dec(p0)

    def worse(k):
        return wilson(k, n)[1] < p0d or lower[k] < ALPHA

    def better(k):
        return wilson(k, n)[0] > p0d or upper[k] < ALPHA

    drops = [k for k in range(n + 1) if worse(k)]
    rises = [k for k in range(n + 1) if better(k)]
    drop = p0 - Fraction(max(drops), n) if drops else None
    rise = Fraction(min(rises), n) - p0 if rises else None
    low, high = wilson(x, n)
    return dict(acc=Fraction(x, n), low=low, high=high, pl=lower[x], pu=upper[x], drop=drop, rise=rise,
                thr=max(drop, rise) if drop is not None and rise is not None else None,
                worse=worse(x), better=better(x),
                margin=min(abs(float(lower[x]) - 0.05), abs(float(upper[x]) - 0.05)))


def windows(days, p0):
    out = []
    for w in WINDOWS:
        if len(days) < w:
            continue
        x = sum(p for p, _ in days[-w:])
        n = sum(t for _, t in days[-w:])
        if n == 0:
            continue
        out.append((w, n, x, window(n, x, p0)))
    return out


def lit(v):
    if v is None:
        return "null"
    return repr(float(v))


SCENARIOS = {
    # name: (p0 as a decimal string, days as (passes, trials))
    "OneDayOfFiftyAtTheBaseline": ("0.58", [(27, 50)]),
    "OneDayOfFiftyFarBelow": ("0.58", [(20, 50)]),
    "AWeekOfRunsWithABadLastDay": ("0.58", [(29, 50), (30, 50), (0, 0), (28, 50), (27, 50), (31, 50), (18, 50)]),
    # The published example: 655 evaluations in 30 days, 53.9% against a baseline of 58%.
    "ThirtyDaysOf655EvaluationsDown": ("0.58", [(12, 22)] * 23 + [(12, 22), (11, 22)] + [(11, 21), (10, 21), (12, 21), (11, 21), (10, 21)]),
    "ThirtyDaysAboveABaselineOfForty": ("0.4", [(22, 45)] * 29 + [(31, 50)]),
    "ALastDayWithoutTrials": ("0.58", [(29, 50)] * 6 + [(0, 0)]),
    "NoPassesAtAll": ("0.58", [(0, 50)] * 7),
    "EveryTrialPasses": ("0.58", [(50, 50)]),
    "AHighBaselineNoRiseCanBeSignificant": ("0.97", [(17, 20)] * 7),
    # The history of the Checker test: 30 days of 29/50, then 10 of 20/50; its pinned baseline is
    # the first 24 days, so p0 = 696/1200 = 0.58.
    "CheckerHistory": ("0.58", [(29, 50)] * 30 + [(20, 50)] * 10),
}


# The "±X% threshold for significance" the tracker's page published, as (evaluations, baseline, figure in points).
PUBLISHED = [(50, "0.58", "14.0"), (150, "0.58", "7.3"), (655, "0.58", "3.4")]


def main():
    for n, p0s, figure in PUBLISHED:
        r = window(n, 0, Fraction(p0s))
        print(f"// published ±{figure}% at {n} evaluations, baseline {p0s}: drop {float(r['drop']) * 100:.4f}, "
              f"rise {float(r['rise']) * 100:.4f}, threshold {float(r['thr']) * 100:.4f} points")
        print(f"[InlineData({n}, {p0s}, {lit(r['drop'])}, {lit(r['rise'])}, {lit(r['thr'])}, {figure})]")
    lower, upper = tails(655, Fraction("0.58"))
    for x in (300, 353, 358, 359, 403, 404, 420):
        print(f"[InlineData({x}, {lit(lower[x])}, {lit(upper[x])})]  // N = 655, p0 = 0.58: P(X ≤ x), P(X ≥ x)")
    for name, (p0s, days) in SCENARIOS.items():
        p0 = Fraction(p0s)
        print(f"// {name}: p0 = {p0s}, {len(days)} days, {sum(t for _, t in days)} trials")
        for w, n, x, r in windows(days, p0):
            print(f"new({w}, {n}, {x}, {lit(r['acc'])}, {lit(r['low'])}, {lit(r['high'])}, {lit(r['pl'])}, {lit(r['pu'])}, "
                  f"{lit(r['drop'])}, {lit(r['rise'])}, {lit(r['thr'])}, {str(r['worse']).lower()}, {str(r['better']).lower()}),"
                  f"  // margin of p to α: {r['margin']:.2e}")


if __name__ == "__main__":
    main()
