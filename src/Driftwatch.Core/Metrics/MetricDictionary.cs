using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Driftwatch.Core.Metrics;

/// <summary>
/// A trial's measured metrics by name. Equal when they hold the same names and values, so that a
/// <see cref="Runs.Trial"/> read back from a store equals the one recorded.
/// </summary>
public sealed class MetricDictionary : IReadOnlyDictionary<string, double>, IEquatable<MetricDictionary>
{
    public static readonly MetricDictionary None = new([], []);

    // Names in ordinal order and their values: a history holds one of these per trial (100,000 at a
    // time, #20), so it is two small arrays searched by bisection, not a tree of nodes.
    private readonly string[] _names;
    private readonly double[] _values;

    private MetricDictionary(string[] names, double[] values)
    {
        _names = names;
        _values = values;
    }

    /// <summary>The metrics of <paramref name="values"/>; a name given twice with two values is an error, as in any dictionary.</summary>
    public static MetricDictionary Of(IEnumerable<KeyValuePair<string, double>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var pairs = values.ToArray();
        if (pairs.Length == 0)
            return None;
        Array.Sort(pairs, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var names = new List<string>(pairs.Length);
        var numbers = new List<double>(pairs.Length);
        foreach (var (name, value) in pairs)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(values));
            if (names.Count > 0 && names[^1] == name)
            {
                if (!numbers[^1].Equals(value))
                    throw new ArgumentException($"metric {name} is given twice, as {numbers[^1]} and {value}", nameof(values));
                continue;
            }
            names.Add(name);
            numbers.Add(value);
        }
        return new MetricDictionary([.. names], [.. numbers]);
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Array.BinarySearch(_names, key, StringComparer.Ordinal);
    }

    public double this[string key] => IndexOf(key) is var i and >= 0 ? _values[i] : throw new KeyNotFoundException($"no metric {key}");

    public IEnumerable<string> Keys => Array.AsReadOnly(_names);

    public IEnumerable<double> Values => Array.AsReadOnly(_values);

    public int Count => _names.Length;

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _values[i] : 0;
        return i >= 0;
    }

    /// <summary>The value of a metric, or null when the trial does not have it.</summary>
    public double? Get(string name) => IndexOf(name) is var i and >= 0 ? _values[i] : null;

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (var i = 0; i < _names.Length; i++)
            yield return KeyValuePair.Create(_names[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(MetricDictionary? other) =>
        other is not null && _names.AsSpan().SequenceEqual(other._names) && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as MetricDictionary);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (var i = 0; i < _names.Length; i++)
        {
            hash.Add(_names[i]);
            hash.Add(_values[i]);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", this.Select(v => $"{v.Key}={v.Value}"));
}
