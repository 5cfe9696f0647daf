"""Stock levels per warehouse, with a read-through cache, low-stock alerts and reports."""
from .alerts import LowStockAlerts
from .cache import LevelCache
from .codes import warehouse_code
from .events import EventBus, StockEvent
from .inventory import Inventory
from .reports import availability, below_threshold

__all__ = [
    "EventBus", "Inventory", "LevelCache", "LowStockAlerts", "StockEvent",
    "availability", "below_threshold", "warehouse_code",
]
