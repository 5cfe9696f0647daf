using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Driftwatch.Core.Metrics;

/// <summary>
/// A trial's measured metrics by name. Equal when they hold the same names and values, so that a
/// <see cref="Runs.Trial"/> read back from a store equals the one recorded.
/// </summary>
public sealed class MetricDictionary : IReadOnlyDictionary<string, double>, IEquatable<MetricDictionary>
{
    public static readonly MetricDictionary None = new(ImmutableSortedDictionary<string, double>.Empty.WithComparers(StringComparer.Ordinal));

    private readonly ImmutableSortedDictionary<string, double> _values;

    private MetricDictionary(ImmutableSortedDictionary<string, double> values) => _values = values;

    public static MetricDictionary Of(IEnumerable<KeyValuePair<string, double>> values) => new(None._values.AddRange(values));

    public double this[string key] => _values[key];

    public IEnumerable<string> Keys => _values.Keys;

    public IEnumerable<double> Values => _values.Values;

    public int Count => _values.Count;

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value) => _values.TryGetValue(key, out value);

    /// <summary>The value of a metric, or null when the trial does not have it.</summary>
    public double? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(MetricDictionary? other) => other is not null && _values.SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as MetricDictionary);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (name, value) in _values)
        {
            hash.Add(name);
            hash.Add(value);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", _values.Select(v => $"{v.Key}={v.Value}"));
}
