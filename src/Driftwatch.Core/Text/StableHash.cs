using System.Security.Cryptography;
using System.Text;

namespace Driftwatch.Core.Text;

/// <summary>
/// Deterministic hashing of a tuple of values to numbers, identical on every machine and run
/// (unlike string.GetHashCode). Used for seeded decisions that must be reproducible.
/// </summary>
public static class StableHash
{
    public static ulong Of(params object[] parts)
    {
        var text = string.Join('\u001f', parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture)));
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return BitConverter.ToUInt64(digest[..8]);
    }

    /// <summary>A uniform number in [0, 1) from the parts.</summary>
    public static double Unit(params object[] parts) => (Of(parts) >> 11) * (1.0 / (1UL << 53));
}
