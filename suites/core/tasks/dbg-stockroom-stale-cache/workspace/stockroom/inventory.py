"""The source of truth for stock levels."""
from .codes import warehouse_code
from .events import EventBus, StockEvent


def _check_quantity(qty):
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise ValueError(f"quantity must be a positive integer, not {qty!r}")


class Inventory:
    def __init__(self, bus=None):
        self.bus = bus if bus is not None else EventBus()
        self._stock = {}  # (sku, canonical warehouse code) -> units on hand

    def quantity(self, sku, warehouse):
        return self._stock.get((sku, warehouse_code(warehouse)), 0)

    def receive(self, sku, warehouse, qty):
        _check_quantity(qty)
        code = warehouse_code(warehouse)
        self._put(sku, code, qty)
        self.bus.publish(StockEvent("receive", sku, (code,)))

    def ship(self, sku, warehouse, qty):
        _check_quantity(qty)
        code = warehouse_code(warehouse)
        self._take(sku, code, qty)
        self.bus.publish(StockEvent("ship", sku, (code,)))

    def transfer(self, sku, source, destination, qty):
        _check_quantity(qty)
        src, dst = warehouse_code(source), warehouse_code(destination)
        if src == dst:
            raise ValueError("source and destination are the same warehouse")
        self._take(sku, src, qty)
        self.bus.publish(StockEvent("transfer", sku, (src, dst)))
        self._put(sku, dst, qty)

    def _put(self, sku, code, qty):
        self._stock[(sku, code)] = self._stock.get((sku, code), 0) + qty

    def _take(self, sku, code, qty):
        on_hand = self._stock.get((sku, code), 0)
        if qty > on_hand:
            raise ValueError(f"only {on_hand} of {sku} in {code}, cannot take {qty}")
        self._stock[(sku, code)] = on_hand - qty
