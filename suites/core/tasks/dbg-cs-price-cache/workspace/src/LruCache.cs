namespace Pricing;

/// <summary>
/// A least-recently-used cache with a time to live. An entry written at time t is served while
/// the clock is before t + ttl. When a write takes the cache over capacity, the least recently
/// used entry is evicted.
/// </summary>
public sealed class LruCache<TKey, TValue> where TKey : notnull
{
    private sealed record Entry(TKey Key, TValue Value, long ExpiresAt);

    private readonly int _capacity;
    private readonly long _ttlMillis;
    private readonly IClock _clock;
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _map = new();
    private readonly LinkedList<Entry> _order = new(); // most recently used first

    public LruCache(int capacity, long ttlMillis, IClock clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _ttlMillis = ttlMillis;
        _clock = clock;
    }

    public int Count => _map.Count;

    public long Evictions { get; private set; }

    public bool TryGet(TKey key, out TValue value)
    {
        if (_map.TryGetValue(key, out var node))
        {
            if (_clock.NowMillis < node.Value.ExpiresAt)
            {
                _order.Remove(node);
                _order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
            _order.Remove(node);
            _map.Remove(key);
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        var node = _order.AddFirst(new Entry(key, value, _clock.NowMillis + _ttlMillis));
        _map[key] = node;
        while (_order.Count > _capacity)
        {
            var oldest = _order.Last!;
            _order.RemoveLast();
            _map.Remove(oldest.Value.Key);
            Evictions++;
        }
    }

    public bool Remove(TKey key)
    {
        if (!_map.Remove(key, out var node)) return false;
        _order.Remove(node);
        return true;
    }
}
