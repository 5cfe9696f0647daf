using System.IO.Compression;

namespace Driftwatch.Storage;

/// <summary>Artifacts (transcripts, diffs, test output) are stored Brotli-compressed.</summary>
internal static class ArtifactCodec
{
    public const string Encoding = "br";

    public static byte[] Compress(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true))
            brotli.Write(bytes);
        return output.ToArray();
    }

    /// <summary>
    /// The text stored as <paramref name="content"/>, which must come out at the size recorded
    /// with it: a damaged stream either fails to decode or (cut short) decodes to less.
    /// </summary>
    public static string Decompress(byte[] content, string encoding, long size)
    {
        if (encoding != Encoding)
            throw new InvalidDataException($"unknown artifact encoding '{encoding}'");
        using var input = new MemoryStream(content);
        using var brotli = new BrotliStream(input, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        try
        {
            brotli.CopyTo(bytes);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"compressed text does not decode ({ex.Message.TrimEnd('.')})", ex);
        }
        if (bytes.Length != size)
            throw new InvalidDataException($"compressed text decodes to {bytes.Length} bytes, {size} were stored");
        return System.Text.Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
    }

    public static int ByteCount(string text) => System.Text.Encoding.UTF8.GetByteCount(text);

    /// <summary>The content address of an artifact: SHA-256 of its UTF-8 text, lower-case hex.</summary>
    public static string Hash(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
