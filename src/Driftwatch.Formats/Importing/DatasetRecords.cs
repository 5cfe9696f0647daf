using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Driftwatch.Core;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// One record of a dataset file (a JSON object), with where it came from, so that every problem
/// names the file, the line and the field: "HumanEval.jsonl.gz:12: HumanEval/11: prompt: …".
/// </summary>
internal sealed class DatasetRecord
{
    internal DatasetRecord(string file, int line, JsonElement json, string rawText)
    {
        File = file;
        Line = line;
        Json = json;
        RawText = rawText;
    }

    /// <summary>The file as the user named it.</summary>
    public string File { get; }

    /// <summary>1-based line of the record (its first line in a JSON array).</summary>
    public int Line { get; }

    public JsonElement Json { get; }

    /// <summary>The record's text exactly as in the file: what its revision hashes.</summary>
    public string RawText { get; }

    /// <summary>The record's id when it has one (for messages), else "record N".</summary>
    public string Label { get; private set; } = "";

    /// <summary>SHA-256 of the record's text: changes whenever upstream edits the record.</summary>
    public string Revision => Hashing.Sha256(RawText);

    /// <summary>Names the record by the value of <paramref name="field"/> in messages from now on.</summary>
    public string Identify(string field)
    {
        var id = Json.TryGetProperty(field, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? value.ToString()
            : throw Error(field, "required field is missing (every record needs an id)");
        if (id.Trim().Length == 0)
            throw Error(field, "must not be empty");
        Label = id;
        return id;
    }

    public string RequiredString(string field) =>
        OptionalString(field) ?? throw Error(field, "required field is missing");

    public string? OptionalString(string field)
    {
        if (!Json.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Error(field, $"expected a string, got {Describe(value)}");
    }

    /// <summary>A list of strings; a missing field is an empty list only when <paramref name="required"/> is false.</summary>
    public IReadOnlyList<string> StringList(string field, bool required)
    {
        if (!Json.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw Error(field, "required field is missing") : [];
        if (value.ValueKind != JsonValueKind.Array)
            throw Error(field, $"expected a list of strings, got {Describe(value)}");
        var items = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw Error($"{field}[{items.Count}]", $"expected a string, got {Describe(item)}");
            items.Add(item.GetString()!);
        }
        return items;
    }

    /// <summary>An error about a field of this record: "file:line: id: field: problem".</summary>
    public InvalidInputException Error(string field, string problem) =>
        InvalidInputException.AtLocation(File, Line, Label.Length > 0 ? $"{Label}: {field}" : field, problem);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}

/// <summary>The records of one dataset file, and the file's revision (a hash of its text).</summary>
internal sealed record DatasetFile(IReadOnlyList<DatasetRecord> Records, string Revision);

/// <summary>
/// Reads dataset files: JSON Lines (plain or gzip-compressed, told by the content, not the name)
/// and JSON arrays of objects. A truncated or malformed line is an error naming its line.
/// </summary>
internal static class DatasetRecords
{
    /// <summary>The whole file as text, gunzipped when it starts with the gzip magic bytes.</summary>
    /// <summary>
    /// GZipStream stops quietly at the end of a cut file. A whole file ends with its last member's
    /// trailer (RFC 1952 §2.3.1): CRC-32 and length (ISIZE) of that member's data, which is the end
    /// of what was inflated — the whole of it for one member, its tail when members were
    /// concatenated (`cat a.gz b.gz`, pigz). A cut file ends in compressed bytes instead.
    /// </summary>
    private static bool EndsWithCompleteMember(byte[] file, ReadOnlySpan<byte> inflated)
    {
        if (file.Length < 18)
            return false;
        var crc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 8));
        var size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4));
        // ISIZE is the length modulo 2^32; the member is the tail of that length (or one 4 GiB longer, not supported here).
        if (size > inflated.Length)
            return false;
        return System.IO.Hashing.Crc32.HashToUInt32(inflated[^(int)size..]) == crc;
    }

    public static string ReadText(string path)
    {
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException($"{path}: file not found");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read: {ex.Message}");
        }
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            try
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var inflated = new MemoryStream();
                gzip.CopyTo(inflated);
                if (!EndsWithCompleteMember(bytes, inflated.GetBuffer().AsSpan(0, (int)inflated.Length)))
                    throw new InvalidInputException($"{path}: the gzip file is truncated or corrupt (its length trailer does not match)");
                bytes = inflated.ToArray();
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidInputException($"{path}: not a readable gzip file ({ex.Message})");
            }
            catch (EndOfStreamException)
            {
                throw new InvalidInputException($"{path}: the gzip file is truncated");
            }
        }
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidInputException($"{path}: not UTF-8 text");
        }
    }

    /// <summary>
    /// Every record of a JSON Lines file or a JSON array file (whichever the content is), in file
    /// order. Blank lines are skipped; every record must be a JSON object.
    /// </summary>
    public static DatasetFile Read(string path)
    {
        var text = ReadText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        var records = text.TrimStart().StartsWith('[') ? ReadArray(path, text) : ReadLines(path, text);
        if (records.Count == 0)
            throw new InvalidInputException($"{path}: no records");
        return new DatasetFile(records, Hashing.Sha256(text));
    }

    private static List<DatasetRecord> ReadLines(string path, string text)
    {
        var records = new List<DatasetRecord>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0)
                continue;
            JsonElement json;
            try
            {
                using var document = JsonDocument.Parse(line);
                json = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw InvalidInputException.AtLocation(path, i + 1, null,
                    $"not a complete JSON record (a truncated line?): {ShortJsonError(ex)}");
            }
            if (json.ValueKind != JsonValueKind.Object)
                throw InvalidInputException.AtLocation(path, i + 1, null, "expected a JSON object on each line");
            records.Add(new DatasetRecord(path, i + 1, json, line));
        }
        return records;
    }

    private static List<DatasetRecord> ReadArray(string path, string text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw InvalidInputException.AtLocation(path, (int)(ex.LineNumber ?? 0) + 1, null, $"invalid JSON: {ShortJsonError(ex)}");
        }
        if (root.ValueKind != JsonValueKind.Array)
            throw InvalidInputException.AtLocation(path, 1, null, "expected a JSON array of records or JSON Lines");

        // Lines of the records: the array's elements are found again in the text, in order, so
        // that messages point at the record's first line.
        var records = new List<DatasetRecord>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var lineStarts = LineStarts(Encoding.UTF8.GetBytes(text));
        reader.Read();
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            var element = root[index];
            reader.Skip();
            var line = UpperBound(lineStarts, start);
            if (element.ValueKind != JsonValueKind.Object)
                throw InvalidInputException.AtLocation(path, line, null, $"record {index + 1}: expected a JSON object");
            records.Add(new DatasetRecord(path, line, element, element.GetRawText()));
            index++;
        }
        return records;
    }

    private static List<int> LineStarts(byte[] bytes)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
                starts.Add(i + 1);
        }
        return starts;
    }

    /// <summary>1-based line containing byte <paramref name="offset"/>.</summary>
    private static int UpperBound(List<int> lineStarts, int offset)
    {
        var found = lineStarts.BinarySearch(offset);
        return found >= 0 ? found + 1 : ~found;
    }

    private static string ShortJsonError(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}

/// <summary>Content hashes for source revisions.</summary>
internal static class Hashing
{
    public static string Sha256(string text) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A hash over named parts (file names and contents), in the order given.</summary>
    public static string Sha256(IEnumerable<(string Name, string Content)> parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, content) in parts)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(content));
            hash.AppendData([0]);
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
