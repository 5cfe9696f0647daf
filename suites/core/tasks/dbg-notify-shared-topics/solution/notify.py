"""Topic-based e-mail notifications for the support desk."""


class Subscriber:
    """Someone who receives the notifications of the topics they subscribed to."""

    def __init__(self, email, topics=None):
        if "@" not in email:
            raise ValueError(f"not an e-mail address: {email!r}")
        self.email = email
        # Keep a private copy: neither a shared default nor the caller's list.
        self.topics = list(topics) if topics is not None else []

    def subscribe(self, topic):
        if topic not in self.topics:
            self.topics.append(topic)

    def unsubscribe(self, topic):
        if topic in self.topics:
            self.topics.remove(topic)

    def wants(self, topic):
        return topic in self.topics


class Dispatcher:
    """Delivers a message to every registered subscriber that wants its topic."""

    def __init__(self, subscribers=None):
        self.subscribers = list(subscribers) if subscribers is not None else []

    def register(self, subscriber):
        if any(s.email == subscriber.email for s in self.subscribers):
            raise ValueError(f"already registered: {subscriber.email}")
        self.subscribers.append(subscriber)

    def publish(self, topic, message):
        """Return the e-mail addresses the message went to, in registration order."""
        delivered = []
        for subscriber in self.subscribers:
            if subscriber.wants(topic):
                delivered.append(subscriber.email)
        return delivered
