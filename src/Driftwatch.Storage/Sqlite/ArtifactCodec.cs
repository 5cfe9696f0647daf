using System.IO.Compression;

namespace Driftwatch.Storage.Sqlite;

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

    public static string Decompress(byte[] content, string encoding)
    {
        if (encoding != Encoding)
            throw new InvalidDataException($"unknown artifact encoding '{encoding}'");
        using var input = new MemoryStream(content);
        using var brotli = new BrotliStream(input, CompressionMode.Decompress);
        using var reader = new StreamReader(brotli, System.Text.Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static int ByteCount(string text) => System.Text.Encoding.UTF8.GetByteCount(text);
}
