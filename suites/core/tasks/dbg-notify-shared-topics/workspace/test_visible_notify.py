import unittest

from notify import Dispatcher, Subscriber


class VisibleNotifyTests(unittest.TestCase):
    def test_subscriber_with_explicit_topics(self):
        alice = Subscriber("alice@example.com", ["billing"])
        self.assertTrue(alice.wants("billing"))
        self.assertFalse(alice.wants("outages"))

    def test_publish_reaches_interested_subscribers(self):
        desk = Dispatcher()
        desk.register(Subscriber("alice@example.com", ["billing"]))
        desk.register(Subscriber("bob@example.com", ["outages"]))
        self.assertEqual(desk.publish("outages", "db down"), ["bob@example.com"])


if __name__ == "__main__":
    unittest.main()
