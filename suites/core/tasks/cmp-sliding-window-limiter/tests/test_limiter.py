import unittest

from limiter import Decision, SlidingWindowLimiter


class FakeClock:
    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


def make(limit, window):
    clock = FakeClock()
    return SlidingWindowLimiter(limit, window, clock), clock


class HitTests(unittest.TestCase):
    def test_allows_up_to_the_limit_counting_down(self):
        limiter, _ = make(3, 10)
        self.assertEqual([limiter.hit("a") for _ in range(3)],
                         [Decision(True, 2, 0.0), Decision(True, 1, 0.0), Decision(True, 0, 0.0)])

    def test_request_over_the_limit_is_denied(self):
        limiter, clock = make(3, 10)
        for t in (0, 1, 2):
            clock.now = t
            limiter.hit("a")
        clock.now = 5
        decision = limiter.hit("a")
        self.assertFalse(decision.allowed)
        self.assertEqual(decision.remaining, 0)
        self.assertAlmostEqual(decision.retry_after, 5.0)

    def test_denied_request_is_not_logged(self):
        limiter, clock = make(2, 10)
        limiter.hit("a")
        limiter.hit("a")
        for _ in range(3):
            self.assertFalse(limiter.hit("a").allowed)
        self.assertEqual(limiter.usage("a"), 2)

    def test_unit_expires_exactly_one_window_later(self):
        limiter, clock = make(1, 10)
        clock.now = 100
        limiter.hit("a")
        clock.now = 109.5
        self.assertFalse(limiter.hit("a").allowed)
        clock.now = 110
        self.assertEqual(limiter.hit("a"), Decision(True, 0, 0.0))

    def test_cost_uses_several_units(self):
        limiter, _ = make(5, 60)
        self.assertEqual(limiter.hit("a", cost=3), Decision(True, 2, 0.0))
        self.assertEqual(limiter.hit("a", cost=2), Decision(True, 0, 0.0))
        self.assertEqual(limiter.usage("a"), 5)

    def test_cost_larger_than_what_is_left_is_denied_without_using_units(self):
        limiter, clock = make(3, 10)
        limiter.hit("a", cost=2)
        clock.now = 1
        decision = limiter.hit("a", cost=2)
        self.assertEqual((decision.allowed, decision.remaining), (False, 1))
        self.assertAlmostEqual(decision.retry_after, 9.0)
        self.assertEqual(limiter.hit("a"), Decision(True, 0, 0.0))

    def test_retry_after_waits_for_enough_units_to_expire(self):
        limiter, clock = make(5, 10)
        for t, cost in ((0, 2), (3, 2), (4, 1)):
            clock.now = t
            limiter.hit("a", cost=cost)
        clock.now = 6
        # three units must expire: the two logged at 0 and the first logged at 3
        decision = limiter.hit("a", cost=3)
        self.assertFalse(decision.allowed)
        self.assertAlmostEqual(decision.retry_after, 7.0)
        clock.now = 12.5
        self.assertFalse(limiter.hit("a", cost=3).allowed)
        clock.now = 13
        self.assertEqual(limiter.hit("a", cost=3), Decision(True, 1, 0.0))

    def test_clients_are_limited_separately(self):
        limiter, _ = make(1, 10)
        self.assertTrue(limiter.hit("a").allowed)
        self.assertTrue(limiter.hit("b").allowed)
        self.assertFalse(limiter.hit("a").allowed)

    def test_invalid_cost_is_rejected(self):
        limiter, _ = make(3, 10)
        with self.assertRaises(ValueError):
            limiter.hit("a", cost=0)
        with self.assertRaises(ValueError):
            limiter.hit("a", cost=4)
        self.assertEqual(limiter.hit("a", cost=3), Decision(True, 0, 0.0))

    def test_headers_for_a_denied_request(self):
        limiter, clock = make(2, 30)
        limiter.hit("a", cost=2)
        clock.now = 12.5
        headers = limiter.headers(limiter.hit("a"))
        self.assertEqual(headers, {"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "0", "Retry-After": "18"})


if __name__ == "__main__":
    unittest.main()
