"""Per-client request limiting for the public API, using a sliding-window log."""
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int      # units still available in the window after this decision
    retry_after: float  # seconds until this request would be allowed; 0.0 when allowed


class SlidingWindowLimiter:
    """At most `limit` units per client within any `window` seconds.

    Each allowed request is logged once per unit of its cost, with the time it was allowed. A
    logged unit counts against the client for `window` seconds: it expires exactly `window`
    seconds after it was logged.
    """

    def __init__(self, limit, window, clock):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if window <= 0:
            raise ValueError("window must be positive")
        self.limit = limit
        self.window = window
        self._clock = clock  # () -> float seconds; injectable for tests
        self._log = {}       # client key -> deque of unit timestamps, oldest first

    def _live_units(self, key, now):
        """The client's log with expired units dropped (an empty deque for a new client)."""
        units = self._log.setdefault(key, deque())
        cutoff = now - self.window
        while units and units[0] <= cutoff:
            units.popleft()
        return units

    def hit(self, key, cost=1):
        """Decide whether a request of `cost` units from `key` may go ahead now, and log it if so."""
        # TODO: fill in this gap — validate cost, drop expired units, then allow and log, or deny with retry_after
        raise NotImplementedError

    def usage(self, key):
        """Units the client has used in the current window."""
        return len(self._live_units(key, self._clock()))

    def reset(self, key):
        self._log.pop(key, None)

    def headers(self, decision):
        """HTTP headers for a decision (Retry-After is rounded up to whole seconds)."""
        result = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(decision.remaining)}
        if not decision.allowed:
            whole = int(decision.retry_after)
            result["Retry-After"] = str(whole if whole == decision.retry_after else whole + 1)
        return result
