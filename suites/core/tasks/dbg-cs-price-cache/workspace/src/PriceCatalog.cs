namespace Pricing;

/// <summary>The price service behind the catalog (slow, remote).</summary>
public interface IPriceSource
{
    decimal Fetch(string sku);
    void Store(string sku, decimal price);
}

public readonly record struct CatalogStats(long Hits, long Misses, long Evictions, int Cached);

/// <summary>Prices by SKU, served from an LRU cache in front of the price service.</summary>
public sealed class PriceCatalog
{
    private readonly IPriceSource _source;
    private readonly LruCache<string, decimal> _cache;
    private long _hits;
    private long _misses;

    public PriceCatalog(IPriceSource source, CacheOptions options, IClock clock)
    {
        _source = source;
        _cache = new LruCache<string, decimal>(options.Capacity, options.TtlSeconds * 1000, clock);
    }

    public decimal GetPrice(string sku)
    {
        if (_cache.TryGet(sku, out var price))
        {
            _hits++;
            return price;
        }
        _misses++;
        price = _source.Fetch(sku);
        _cache.Set(sku, price);
        return price;
    }

    /// <summary>Write-through: store the new price in the service and in the cache.</summary>
    public void UpdatePrice(string sku, decimal price)
    {
        _source.Store(sku, price);
        _cache.Set(sku, price);
    }

    public CatalogStats Stats => new(_hits, _misses, _cache.Evictions, _cache.Count);
}
