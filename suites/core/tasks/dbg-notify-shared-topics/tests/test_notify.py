import unittest

from notify import Dispatcher, Subscriber


class SubscriberTests(unittest.TestCase):
    def test_default_topics_are_not_shared(self):
        alice = Subscriber("alice@example.com")
        bob = Subscriber("bob@example.com")
        alice.subscribe("billing")
        self.assertEqual(alice.topics, ["billing"])
        self.assertEqual(bob.topics, [])
        self.assertFalse(bob.wants("billing"))

    def test_new_subscriber_after_others_starts_empty(self):
        first = Subscriber("first@example.com")
        first.subscribe("outages")
        later = Subscriber("later@example.com")
        self.assertEqual(later.topics, [])

    def test_callers_list_is_not_changed_by_subscribe(self):
        mine = ["billing"]
        carol = Subscriber("carol@example.com", mine)
        carol.subscribe("outages")
        carol.unsubscribe("billing")
        self.assertEqual(mine, ["billing"])
        self.assertEqual(carol.topics, ["outages"])

    def test_changing_callers_list_later_does_not_affect_subscriber(self):
        mine = ["billing"]
        dave = Subscriber("dave@example.com", mine)
        mine.append("outages")
        self.assertFalse(dave.wants("outages"))
        self.assertEqual(dave.topics, ["billing"])

    def test_topics_from_any_iterable_keep_order(self):
        erin = Subscriber("erin@example.com", ("b", "a", "c"))
        self.assertEqual(erin.topics, ["b", "a", "c"])
        erin.subscribe("d")
        self.assertEqual(erin.topics, ["b", "a", "c", "d"])

    def test_subscribe_is_idempotent_and_unsubscribe_missing_is_noop(self):
        sub = Subscriber("frank@example.com")
        sub.subscribe("x")
        sub.subscribe("x")
        sub.unsubscribe("nope")
        self.assertEqual(sub.topics, ["x"])

    def test_invalid_email_rejected(self):
        with self.assertRaises(ValueError):
            Subscriber("not-an-address")


class DispatcherTests(unittest.TestCase):
    def test_default_dispatchers_are_independent(self):
        one = Dispatcher()
        one.register(Subscriber("alice@example.com", ["billing"]))
        two = Dispatcher()
        self.assertEqual(two.subscribers, [])
        two.register(Subscriber("alice@example.com", ["outages"]))
        self.assertEqual(one.publish("billing", "m"), ["alice@example.com"])
        self.assertEqual(two.publish("billing", "m"), [])

    def test_initial_subscriber_list_is_copied(self):
        people = [Subscriber("a@example.com", ["t"])]
        desk = Dispatcher(people)
        desk.register(Subscriber("b@example.com", ["t"]))
        self.assertEqual(len(people), 1)
        self.assertEqual(desk.publish("t", "m"), ["a@example.com", "b@example.com"])

    def test_duplicate_registration_rejected(self):
        desk = Dispatcher()
        desk.register(Subscriber("gina@example.com"))
        with self.assertRaises(ValueError):
            desk.register(Subscriber("gina@example.com", ["x"]))

    def test_publish_in_registration_order_only_to_interested(self):
        desk = Dispatcher()
        desk.register(Subscriber("z@example.com", ["news"]))
        desk.register(Subscriber("m@example.com", ["billing"]))
        desk.register(Subscriber("a@example.com", ["news", "billing"]))
        self.assertEqual(desk.publish("news", "hello"), ["z@example.com", "a@example.com"])
        self.assertEqual(desk.publish("nothing", "hello"), [])


if __name__ == "__main__":
    unittest.main()
