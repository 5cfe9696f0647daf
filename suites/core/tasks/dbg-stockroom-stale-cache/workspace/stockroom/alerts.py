"""Low-stock alerts, raised as stock moves."""
from .codes import warehouse_code


class LowStockAlerts:
    def __init__(self, inventory, cache, threshold):
        self._cache = cache
        self.threshold = threshold
        self.alerts = []  # (sku, canonical warehouse code, level)
        inventory.bus.subscribe(self._on_event)

    def _on_event(self, event):
        for code in event.warehouses:
            level = self._cache.level(event.sku, code)
            if level < self.threshold:
                self.alerts.append((event.sku, warehouse_code(code), level))
