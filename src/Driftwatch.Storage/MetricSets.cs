using System.Buffers.Binary;
using System.Data.Common;
using Driftwatch.Core;

namespace Driftwatch.Storage;

/// <summary>
/// A trial's metrics as one value (#20): the metric names live once in metric_names, and each
/// trial's values in one row of trial_metric_sets, packed as 10 bytes per metric — the name's id
/// (unsigned 16-bit, big-endian) and the value (IEEE 754 double, big-endian), in id order. The
/// same bytes in both stores: PostgreSQL's own int2send(id) || float8send(value) gives them, which
/// is how its migration packs the old rows. One row of about 100 bytes per trial instead of one
/// row per metric, each repeating the trial's key and the name (about 440 bytes per trial).
/// </summary>
internal static class MetricSets
{
    private const int EntrySize = 10;

    /// <summary>The highest id a packed entry can hold.</summary>
    internal const int MaxId = ushort.MaxValue;

    /// <summary>The packed bytes of <paramref name="values"/> by name id.</summary>
    internal static byte[] Pack(IEnumerable<(int Id, double Value)> values)
    {
        var sorted = values.OrderBy(v => v.Id).ToList();
        var bytes = new byte[sorted.Count * EntrySize];
        for (var i = 0; i < sorted.Count; i++)
        {
            var (id, value) = sorted[i];
            if (id is < 0 or > MaxId)
                throw new InvalidOperationException($"metric name id {id} does not fit a packed metric set (at most {MaxId} names)");
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i * EntrySize), (ushort)id);
            BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(i * EntrySize + 2), value);
        }
        return bytes;
    }

    /// <summary>
    /// The named values packed in <paramref name="bytes"/>; bad input naming <paramref name="what"/>
    /// when the bytes are not whole entries or name an id the store does not know.
    /// </summary>
    internal static List<KeyValuePair<string, double>> Unpack(byte[] bytes, IReadOnlyDictionary<int, string> names, string what)
    {
        if (bytes.Length % EntrySize != 0)
            throw new InvalidInputException($"{what}: a stored metric set is {bytes.Length} bytes, not a whole number of {EntrySize}-byte entries; restore the database from a backup");
        var values = new List<KeyValuePair<string, double>>(bytes.Length / EntrySize);
        for (var offset = 0; offset < bytes.Length; offset += EntrySize)
        {
            int id = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(offset));
            if (!names.TryGetValue(id, out var name))
                throw new InvalidInputException($"{what}: a stored metric set names metric id {id}, which metric_names does not hold; restore the database from a backup");
            values.Add(KeyValuePair.Create(name, BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(offset + 2))));
        }
        return values;
    }

    /// <summary>The metric names by id, from rows of (id, name).</summary>
    internal static Dictionary<int, string> Names(DbDataReader reader)
    {
        var names = new Dictionary<int, string>();
        while (reader.Read())
            AddName(reader, names);
        return names;
    }

    /// <summary>The current row of (id, name), added to <paramref name="names"/>.</summary>
    internal static void AddName(DbDataReader reader, Dictionary<int, string> names) =>
        names[checked((int)reader.GetInt64(0))] = reader.GetString(1);

    /// <summary>The trial and its metrics of the current row of (run_id, task_id, trial_index, metrics), in either store.</summary>
    internal static ((long Run, string Task, int Index) Trial, List<KeyValuePair<string, double>> Values) Row(
        DbDataReader reader, IReadOnlyDictionary<int, string> names, string what) =>
        ((reader.GetInt64(0), reader.GetString(1), checked((int)reader.GetInt64(2))), Unpack((byte[])reader.GetValue(3), names, what));

    /// <summary>Each trial's metrics from rows of (run_id, task_id, trial_index, metrics), by trial.</summary>
    internal static Dictionary<(long Run, string Task, int Index), List<KeyValuePair<string, double>>> ByTrial(DbDataReader reader, IReadOnlyDictionary<int, string> names, string what)
    {
        var metrics = new Dictionary<(long Run, string Task, int Index), List<KeyValuePair<string, double>>>();
        while (reader.Read())
        {
            var (trial, values) = Row(reader, names, what);
            metrics[trial] = values;
        }
        return metrics;
    }
}
