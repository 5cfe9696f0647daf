using Driftwatch.TestKit;
using Pricing;

public static class PricingTests
{
    private sealed class FakeSource : IPriceSource
    {
        public readonly Dictionary<string, decimal> Prices = new();
        public readonly List<string> Fetches = new();

        public decimal Fetch(string sku)
        {
            Fetches.Add(sku);
            return Prices.TryGetValue(sku, out var p) ? p : 9.99m;
        }

        public void Store(string sku, decimal price) => Prices[sku] = price;
    }

    private const long Day = 24L * 60 * 60 * 1000;

    [Test]
    public static void CacheHitsMissesAndCount()
    {
        var cache = new LruCache<string, int>(3, 1000, new ManualClock());
        cache.Set("a", 1);
        cache.Set("b", 2);
        Check.True(cache.TryGet("a", out var a) && a == 1, "a cached");
        Check.False(cache.TryGet("zzz", out _), "unknown key");
        Check.Equal(2, cache.Count);
        Check.True(cache.Remove("a"), "remove a");
        Check.False(cache.Remove("a"), "remove a twice");
        Check.Equal(1, cache.Count);
    }

    [Test]
    public static void CacheEvictsLeastRecentlyUsed()
    {
        var cache = new LruCache<string, int>(2, 1000, new ManualClock());
        cache.Set("a", 1);
        cache.Set("b", 2);
        cache.TryGet("a", out _);
        cache.Set("c", 3);
        Check.False(cache.TryGet("b", out _), "b evicted");
        Check.True(cache.TryGet("a", out _) && cache.TryGet("c", out _), "a and c kept");
        Check.Equal(1L, cache.Evictions);
    }

    [Test]
    public static void ReplacingAKeyNeverEvicts()
    {
        var cache = new LruCache<string, int>(2, 1000, new ManualClock());
        cache.Set("a", 1);
        cache.Set("b", 2);
        cache.Set("a", 10);
        cache.Set("a", 11);
        cache.Set("b", 20);
        Check.Equal(0L, cache.Evictions);
        Check.Equal(2, cache.Count);
        Check.True(cache.TryGet("a", out var a) && a == 11, "a has the latest value");
        Check.True(cache.TryGet("b", out var b) && b == 20, "b has the latest value");
    }

    [Test]
    public static void ReplacedKeyBecomesMostRecentlyUsed()
    {
        var cache = new LruCache<string, int>(2, 1000, new ManualClock());
        cache.Set("a", 1);
        cache.Set("b", 2);
        cache.Set("a", 3);
        cache.Set("c", 4);
        Check.True(cache.TryGet("a", out var a) && a == 3, "a kept");
        Check.False(cache.TryGet("b", out _), "b evicted");
        Check.Equal(1L, cache.Evictions);
        Check.Equal(2, cache.Count);
    }

    [Test]
    public static void TtlBoundaryAndRestartOnWrite()
    {
        var clock = new ManualClock(5000);
        var cache = new LruCache<string, int>(5, 1000, clock);
        cache.Set("a", 1);
        clock.Advance(999);
        Check.True(cache.TryGet("a", out _), "served before expiry");
        cache.Set("a", 2);
        clock.Advance(999);
        Check.True(cache.TryGet("a", out var v) && v == 2, "rewrite restarts the TTL");
        clock.Advance(1);
        Check.False(cache.TryGet("a", out _), "expired exactly at write + ttl");
        Check.Equal(0, cache.Count);
        Check.Equal(0L, cache.Evictions);
    }

    [Test]
    public static void CatalogCachesWithThirtyDayTtl()
    {
        var clock = new ManualClock(1_700_000_000_000);
        var source = new FakeSource();
        source.Prices["SKU-1"] = 12.50m;
        var catalog = new PriceCatalog(source, new CacheOptions(5000, 2_592_000), clock);
        Check.Equal(12.50m, catalog.GetPrice("SKU-1"));
        clock.Advance(29 * Day);
        Check.Equal(12.50m, catalog.GetPrice("SKU-1"));
        Check.Equal(1, source.Fetches.Count);
        clock.Advance(Day);
        catalog.GetPrice("SKU-1");
        Check.Equal(2, source.Fetches.Count);
        Check.Equal(new CatalogStats(1, 2, 0, 1), catalog.Stats);
    }

    [Test]
    public static void CatalogWorksWithLargestTtl()
    {
        var clock = new ManualClock(1_700_000_000_000);
        var source = new FakeSource();
        var catalog = new PriceCatalog(source, new CacheOptions(10, int.MaxValue), clock);
        catalog.GetPrice("X");
        clock.Advance(int.MaxValue * 1000L - 1);
        catalog.GetPrice("X");
        Check.SequenceEqual(["X"], source.Fetches);
        clock.Advance(1);
        catalog.GetPrice("X");
        Check.SequenceEqual(["X", "X"], source.Fetches);
    }

    [Test]
    public static void CatalogTtlWithinAnHour()
    {
        var clock = new ManualClock();
        var source = new FakeSource();
        var catalog = new PriceCatalog(source, new CacheOptions(10, 60), clock);
        catalog.GetPrice("X");
        clock.Advance(59_999);
        catalog.GetPrice("X");
        clock.Advance(1);
        catalog.GetPrice("X");
        Check.Equal(2, source.Fetches.Count);
        Check.Equal(new CatalogStats(1, 2, 0, 1), catalog.Stats);
    }

    [Test]
    public static void UpdatedSkusStayCachedWithoutEvictions()
    {
        var source = new FakeSource();
        var catalog = new PriceCatalog(source, new CacheOptions(3, 3600), new ManualClock());
        catalog.GetPrice("A");
        catalog.GetPrice("B");
        catalog.UpdatePrice("A", 1m);
        catalog.UpdatePrice("B", 2m);
        Check.Equal(1m, catalog.GetPrice("A"));
        Check.Equal(2m, catalog.GetPrice("B"));
        Check.SequenceEqual(["A", "B"], source.Fetches);
        Check.Equal(new CatalogStats(2, 2, 0, 2), catalog.Stats);
    }

    [Test]
    public static void NightlyJobOverAFullCatalog()
    {
        var source = new FakeSource();
        var catalog = new PriceCatalog(source, new CacheOptions(3, 3600), new ManualClock());
        foreach (var sku in new[] { "A", "B", "C" }) catalog.GetPrice(sku);
        foreach (var sku in new[] { "A", "B", "C", "A", "C" }) catalog.UpdatePrice(sku, sku[0]);
        foreach (var sku in new[] { "A", "B", "C" }) Check.Equal((decimal)sku[0], catalog.GetPrice(sku), sku);
        Check.Equal(3, source.Fetches.Count);
        Check.Equal(new CatalogStats(3, 3, 0, 3), catalog.Stats);
        Check.Equal((decimal)'C', source.Prices["C"]);
    }

    [Test]
    public static void CatalogEvictsLeastRecentlyUsedSku()
    {
        var source = new FakeSource();
        var catalog = new PriceCatalog(source, new CacheOptions(2, 3600), new ManualClock());
        catalog.GetPrice("A");
        catalog.GetPrice("B");
        catalog.UpdatePrice("A", 5m);
        catalog.GetPrice("C");
        catalog.GetPrice("A");
        catalog.GetPrice("B");
        Check.SequenceEqual(["A", "B", "C", "B"], source.Fetches);
        Check.Equal(new CatalogStats(1, 4, 2, 2), catalog.Stats);
    }

    [Test]
    public static void OptionsAreValidated()
    {
        Check.Throws<ArgumentOutOfRangeException>(() => new CacheOptions(0, 10), "capacity 0");
        Check.Throws<ArgumentOutOfRangeException>(() => new CacheOptions(10, 0), "ttl 0");
        Check.Throws<ArgumentOutOfRangeException>(() => new LruCache<int, int>(0, 10, new ManualClock()), "cache capacity 0");
    }
}
