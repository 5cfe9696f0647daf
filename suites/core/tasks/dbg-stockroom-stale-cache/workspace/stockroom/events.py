"""A minimal synchronous event bus."""
from dataclasses import dataclass


@dataclass(frozen=True)
class StockEvent:
    kind: str          # "receive", "ship" or "transfer"
    sku: str
    warehouses: tuple  # canonical warehouse codes touched, e.g. (source, destination)


class EventBus:
    def __init__(self):
        self._listeners = []

    def subscribe(self, listener):
        """Listeners are called synchronously, in the order they subscribed."""
        self._listeners.append(listener)

    def publish(self, event):
        for listener in list(self._listeners):
            listener(event)
