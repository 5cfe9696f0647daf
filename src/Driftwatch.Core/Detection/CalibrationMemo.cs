using System.Buffers.Binary;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Driftwatch.Core.Detection;

/// <summary>
/// Calibrated limits kept by the key of everything they were simulated from (#20), so that a
/// verdict judged again after a new day of data reuses the calibration of an unchanged baseline
/// instead of simulating it again. A hit gives exactly the limits the simulation gave.
/// </summary>
public interface ICalibrationMemo
{
    /// <summary>The limits kept under <paramref name="key"/>, or null.</summary>
    IReadOnlyList<double>? Get(string key);

    /// <summary>Keeps <paramref name="limits"/> under <paramref name="key"/>.</summary>
    void Put(string key, IReadOnlyList<double> limits);
}

/// <summary>A memo in memory, counting its hits and misses.</summary>
public sealed class CalibrationMemo : ICalibrationMemo
{
    private readonly Dictionary<string, double[]> _limits = new(StringComparer.Ordinal);

    public int Hits { get; private set; }
    public int Misses { get; private set; }
    public int Count => _limits.Count;

    public IReadOnlyList<double>? Get(string key)
    {
        if (_limits.TryGetValue(key, out var limits))
        {
            Hits++;
            return limits;
        }
        Misses++;
        return null;
    }

    public void Put(string key, IReadOnlyList<double> limits) => _limits[key] = [.. limits];
}

/// <summary>A calibration as a store keeps it: its key, its limits as text (<see cref="CalibrationLimits"/>) and when it was computed.</summary>
public sealed record StoredCalibration(string Key, string Limits, DateTimeOffset ComputedAt)
{
    /// <summary>
    /// A store drops calibrations computed longer ago than this when it keeps a new one: a
    /// baseline still in use is then calibrated again, once, and the table stays bounded.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);
}

/// <summary>The calibrations a store keeps (the table `calibrations`, a cache).</summary>
public interface ICalibrationStore
{
    /// <summary>The calibration kept under <paramref name="key"/>, or null.</summary>
    Task<StoredCalibration?> GetCalibrationAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Keeps the calibration (in place of one under the same key) and drops those older than <see cref="StoredCalibration.Retention"/> before it.</summary>
    Task PutCalibrationAsync(StoredCalibration calibration, CancellationToken cancellationToken = default);
}

/// <summary>Limits as text and back, exactly (each double in its round-trip form).</summary>
public static class CalibrationLimits
{
    public static string Format(IReadOnlyList<double> limits) =>
        string.Join(' ', limits.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>The limits <paramref name="text"/> holds, or null when it does not read as limits.</summary>
    public static double[]? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var limits = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out limits[i]))
                return null;
        }
        return parts.Length == 0 ? null : limits;
    }
}

/// <summary>
/// The SHA-256 key of one calibration: what is calibrated, the build, and every input the
/// simulation reads, appended in order (numbers by their bits, texts with their lengths).
/// </summary>
internal sealed class CalibrationKey : IDisposable
{
    /// <summary>The build that calibrates: another build may simulate differently.</summary>
    internal static readonly string Build =
        typeof(CalibrationKey).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CalibrationKey).Assembly.ManifestModule.ModuleVersionId.ToString();

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public CalibrationKey(string kind)
    {
        Add(kind);
        Add(Build);
    }

    public CalibrationKey Add(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Add(bytes.Length);
        _hash.AppendData(bytes);
        return this;
    }

    public CalibrationKey Add(int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
        _hash.AppendData(buffer);
        return this;
    }

    public CalibrationKey Add(ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        _hash.AppendData(buffer);
        return this;
    }

    public CalibrationKey Add(double value) => Add(BitConverter.DoubleToUInt64Bits(value));

    public CalibrationKey Add(int[] values)
    {
        Add(values.Length);
        _hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return this;
    }

    public CalibrationKey Add(double[] values)
    {
        Add(values.Length);
        _hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return this;
    }

    public CalibrationKey Add(IReadOnlyList<int[]> rows)
    {
        Add(rows.Count);
        foreach (var row in rows)
            Add(row);
        return this;
    }

    /// <summary>Options by value (a record's public properties, as JSON).</summary>
    public CalibrationKey AddOptions<T>(T options) => Add(JsonSerializer.Serialize(options));

    public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();
}

internal static class Calibrations
{
    /// <summary>
    /// The limits under the key <paramref name="key"/> gives, from the memo when it has them, else
    /// computed and kept; without a memo simply computed.
    /// </summary>
    public static double[] Memoised(ICalibrationMemo? memo, int length, Func<string> key, Func<double[]> compute)
    {
        if (memo is null)
            return compute();
        var k = key();
        if (memo.Get(k) is { } kept && kept.Count == length)
            return [.. kept];
        var limits = compute();
        memo.Put(k, limits);
        return limits;
    }

    /// <summary>A calibration cycles through at most this many distinct monitored days (allocations, task lists).</summary>
    public const int MaximumPatterns = 32;

    /// <summary>
    /// The first <see cref="MaximumPatterns"/> distinct rows, in the order they were first seen:
    /// what a calibration cycles through. One more day like one before, or any day once that many
    /// were seen, leaves the calibration's inputs unchanged: a day with a trial lost to an
    /// infrastructure error is a new pattern, so without the bound the inputs would change most days.
    /// </summary>
    public static List<int[]> Distinct(IEnumerable<int[]> rows)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var distinct = new List<int[]>();
        foreach (var row in rows)
        {
            if (seen.Add(string.Join(',', row)) && distinct.Count < MaximumPatterns)
                distinct.Add(row);
            if (distinct.Count == MaximumPatterns)
                break;
        }
        return distinct;
    }
}
