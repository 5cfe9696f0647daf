using System.Text;

namespace Driftwatch.Execution.Processes;

/// <summary>
/// Collects a stream's bytes up to a cap; the rest is read and dropped (so the writer never
/// blocks) and counted, and a note says how much was cut.
/// </summary>
internal sealed class CappedText(int capBytes)
{
    // A List, not a MemoryStream: nothing to dispose.
    private readonly List<byte> _kept = [];
    private long _dropped;

    public async Task DrainAsync(Stream stream)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = Math.Max(0, capBytes - _kept.Count);
            var keep = Math.Min(room, read);
            _kept.AddRange(buffer.AsSpan(0, keep));
            _dropped += read - keep;
        }
    }

    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_kept));
        return _dropped == 0 ? text : $"{text}\n[driftwatch: output truncated at {capBytes} bytes; {_dropped} more bytes dropped]\n";
    }
}
