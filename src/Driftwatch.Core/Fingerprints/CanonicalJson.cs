using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Driftwatch.Core.Fingerprints;

/// <summary>
/// JSON with object keys sorted (ordinal) at every level, so that equal content has equal text
/// and equal hashes whatever order a client wrote it in.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    public static string Write(JsonNode? node, bool indented = false) =>
        node is null ? "null" : Sorted(node)!.ToJsonString(indented ? Indented : Compact);

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Sorted)]),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>
    /// Flattens an object to dotted paths ("thinking.type", "output_config.effort") with canonical
    /// JSON values; arrays stay whole values. Keys in <paramref name="skip"/> (top level) are left out.
    /// </summary>
    public static ImmutableSortedDictionary<string, string> Flatten(JsonObject obj, IReadOnlySet<string> skip)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        void Walk(string prefix, JsonNode? value)
        {
            if (value is JsonObject inner && inner.Count > 0)
            {
                foreach (var (key, child) in inner)
                    Walk(prefix.Length == 0 ? key : $"{prefix}.{key}", child);
            }
            else
            {
                result[prefix] = Write(value);
            }
        }
        foreach (var (key, value) in obj)
        {
            if (!skip.Contains(key))
                Walk(key, value);
        }
        return result.ToImmutable();
    }

    /// <summary>A canonical JSON value as people read it: strings without quotes.</summary>
    public static string Display(string canonicalValue)
    {
        if (canonicalValue.Length >= 2 && canonicalValue[0] == '"')
        {
            try
            {
                return JsonSerializer.Deserialize<string>(canonicalValue) ?? canonicalValue;
            }
            catch (JsonException)
            {
                return canonicalValue;
            }
        }
        return canonicalValue;
    }
}
