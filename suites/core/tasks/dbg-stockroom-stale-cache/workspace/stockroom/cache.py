"""Read-through cache of stock levels, kept fresh by inventory events."""


class LevelCache:
    def __init__(self, inventory):
        self._inventory = inventory
        self._levels = {}
        inventory.bus.subscribe(self._on_event)

    def level(self, sku, warehouse):
        """The units of `sku` in `warehouse`, read from the inventory only on a cache miss."""
        key = (sku, warehouse)
        if key not in self._levels:
            self._levels[key] = self._inventory.quantity(sku, warehouse)
        return self._levels[key]

    def clear(self):
        self._levels.clear()

    def _on_event(self, event):
        for code in event.warehouses:
            self._levels.pop((event.sku, code), None)
