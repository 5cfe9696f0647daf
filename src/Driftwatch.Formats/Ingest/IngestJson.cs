using System.Globalization;
using System.Text.Json;
using Driftwatch.Core;

namespace Driftwatch.Formats.Ingest;

/// <summary>
/// Reading another harness's JSON with errors that name the file, the record and the field: every
/// reader of docs/ingest.md goes through here, so a truncated or foreign file says the same kind of
/// thing whatever its format.
/// </summary>
internal static class IngestJson
{
    /// <summary>Parses a whole JSON document; a truncated or non-JSON file names the file and the line.</summary>
    public static JsonDocument Parse(string file, string text)
    {
        try
        {
            return JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? (int)l + 1 : (int?)null;
            throw InvalidInputException.AtLocation(file, line, null, $"not valid JSON ({FirstSentence(e.Message)})");
        }
    }

    /// <summary>Reads and parses a file.</summary>
    public static JsonDocument ParseFile(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{file}: cannot be read ({e.Message})", e);
        }
        return Parse(file, text);
    }

    /// <summary>A property that must be there, of the given kind.</summary>
    public static JsonElement Require(JsonElement parent, string name, JsonValueKind kind, string file, string record)
    {
        if (parent.ValueKind != JsonValueKind.Object)
            throw Bad(file, record, name, $"expected an object around it, found {Kind(parent.ValueKind)}");
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            throw Bad(file, record, name, "missing");
        if (value.ValueKind != kind && !(kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False))
            throw Bad(file, record, name, $"expected {Kind(kind)}, found {Kind(value.ValueKind)}");
        return value;
    }

    /// <summary>An optional property: null when absent or JSON null; of the wrong kind is an error.</summary>
    public static JsonElement? Optional(JsonElement parent, string name, JsonValueKind kind, string file, string record)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != kind && !(kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False))
            throw Bad(file, record, name, $"expected {Kind(kind)}, found {Kind(value.ValueKind)}");
        return value;
    }

    public static string RequireString(JsonElement parent, string name, string file, string record)
    {
        var text = Require(parent, name, JsonValueKind.String, file, record).GetString()!;
        return text.Length == 0 ? throw Bad(file, record, name, "empty") : text;
    }

    public static string? OptionalString(JsonElement parent, string name, string file, string record) =>
        Optional(parent, name, JsonValueKind.String, file, record)?.GetString() is { Length: > 0 } text ? text : null;

    public static long? OptionalLong(JsonElement parent, string name, string file, string record)
    {
        if (Optional(parent, name, JsonValueKind.Number, file, record) is not { } value)
            return null;
        if (value.TryGetInt64(out var whole) && whole >= 0)
            return whole;
        if (value.TryGetDouble(out var real) && real >= 0 && real == Math.Floor(real) && real < long.MaxValue)
            return (long)real;
        throw Bad(file, record, name, $"expected a whole number ≥ 0, found {value.GetRawText()}");
    }

    public static int RequireCount(JsonElement parent, string name, string file, string record)
    {
        var value = Require(parent, name, JsonValueKind.Number, file, record);
        return value.TryGetInt32(out var count) && count >= 0 ? count : throw Bad(file, record, name, $"expected a count ≥ 0, found {value.GetRawText()}");
    }

    public static double? OptionalDouble(JsonElement parent, string name, string file, string record)
    {
        if (Optional(parent, name, JsonValueKind.Number, file, record) is not { } value)
            return null;
        var number = value.GetDouble();
        return double.IsFinite(number) ? number : throw Bad(file, record, name, $"not a finite number: {value.GetRawText()}");
    }

    /// <summary>A duration given in seconds (a fraction allowed), as whole milliseconds; under some thirty years.</summary>
    public static long? OptionalSeconds(JsonElement parent, string name, string file, string record) =>
        OptionalDouble(parent, name, file, record) is { } seconds ? Milliseconds(seconds * 1000, name, file, record, "seconds") : null;

    /// <summary>A duration given in milliseconds (a fraction allowed), as whole milliseconds; under some thirty years.</summary>
    public static long? OptionalMilliseconds(JsonElement parent, string name, string file, string record) =>
        OptionalDouble(parent, name, file, record) is { } ms ? Milliseconds(ms, name, file, record, "milliseconds") : null;

    private static long Milliseconds(double ms, string name, string file, string record, string unit) =>
        ms is >= 0 and < 1e12
            ? (long)Math.Round(ms, MidpointRounding.AwayFromZero)
            : throw Bad(file, record, name, $"not a time in {unit}: {(unit == "seconds" ? ms / 1000 : ms).ToString(CultureInfo.InvariantCulture)}");

    /// <summary>A cost in US dollars, ≥ 0.</summary>
    public static decimal? OptionalCost(JsonElement parent, string name, string file, string record)
    {
        if (OptionalDouble(parent, name, file, record) is not { } cost)
            return null;
        return cost >= 0 ? decimal.Parse(cost.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture)
            : throw Bad(file, record, name, $"a cost cannot be negative: {cost.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>A timestamp (ISO 8601 with an offset, or UTC when it has none).</summary>
    public static DateTimeOffset? OptionalTime(JsonElement parent, string name, string file, string record) =>
        OptionalString(parent, name, file, record) is { } text ? ParseTime(text, file, record, name) : null;

    public static DateTimeOffset ParseTime(string text, string file, string record, string field) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.ToUniversalTime()
            : throw Bad(file, record, field, $"not a date and time: '{text}'");

    /// <summary>"file: record: field: problem" (record and field left out when empty).</summary>
    public static InvalidInputException Bad(string file, string record, string? field, string problem)
    {
        var where = string.IsNullOrEmpty(record) ? file : $"{file}: {record}";
        return InvalidInputException.AtLocation(where, null, field, problem);
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut < 0 ? message.TrimEnd('.') : message[..cut];
    }
}
