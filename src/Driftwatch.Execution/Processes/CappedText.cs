using System.Text;

namespace Driftwatch.Execution.Processes;

/// <summary>
/// Collects a stream's bytes up to a cap: past it, the first half of the cap and the last half are
/// kept (the end of an output holds its verdict: a test summary, an agent's result event), the
/// middle is read and dropped (so the writer never blocks) and counted, and a note says where.
/// </summary>
internal sealed class CappedText(int capBytes)
{
    private readonly int _headBytes = capBytes / 2;

    // A List, not a MemoryStream: nothing to dispose.
    private readonly List<byte> _head = [];
    private readonly byte[] _ring = new byte[capBytes - capBytes / 2];
    private long _ringWritten;
    private long _tailTotal;

    /// <summary>More was written than the cap kept.</summary>
    public bool Truncated => Dropped > 0;

    private long Dropped => Math.Max(0, _tailTotal - _ring.Length);

    public async Task DrainAsync(Stream stream)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            var keep = Math.Min(Math.Max(0, _headBytes - _head.Count), span.Length);
            _head.AddRange(span[..keep]);
            WriteTail(span[keep..]);
        }
    }

    /// <summary>Appends to the ring of the last bytes.</summary>
    private void WriteTail(ReadOnlySpan<byte> bytes)
    {
        _tailTotal += bytes.Length;
        if (_ring.Length == 0)
            return;
        foreach (var b in bytes.Length > _ring.Length ? bytes[^_ring.Length..] : bytes)
        {
            _ring[_ringWritten % _ring.Length] = b;
            _ringWritten++;
        }
    }

    private byte[] Tail()
    {
        if (_ringWritten <= _ring.Length)
            return _ring[..(int)_ringWritten];
        var start = (int)(_ringWritten % _ring.Length);
        return [.. _ring[start..], .. _ring[..start]];
    }

    public override string ToString()
    {
        if (Dropped == 0)
            return Encoding.UTF8.GetString([.. _head, .. Tail()]);
        var head = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_head));
        return $"{head}\n[driftwatch: output longer than {capBytes} bytes; {Dropped} bytes dropped here]\n{Encoding.UTF8.GetString(Tail())}";
    }
}
