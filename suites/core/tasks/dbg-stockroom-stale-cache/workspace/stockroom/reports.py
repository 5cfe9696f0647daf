"""Reports for the operations dashboard, served from the level cache."""


def availability(cache, sku, warehouses):
    """Total units of `sku` over the given warehouses."""
    return sum(cache.level(sku, code) for code in warehouses)


def below_threshold(cache, sku, warehouses, threshold):
    """The warehouses (as given) holding fewer than `threshold` units of `sku`, in order."""
    return [code for code in warehouses if cache.level(sku, code) < threshold]
