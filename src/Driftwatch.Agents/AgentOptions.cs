using System.Globalization;
using System.Text.Json.Nodes;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;

namespace Driftwatch.Agents;

/// <summary>Reads an agent's options, naming the definition and the field in every error.</summary>
internal sealed class AgentOptions
{
    private readonly AgentDefinition _definition;

    public AgentOptions(AgentDefinition definition, IEnumerable<string> knownFields)
    {
        _definition = definition;
        var known = knownFields.ToHashSet(StringComparer.Ordinal);
        foreach (var (name, _) in definition.Options)
        {
            if (!known.Contains(name))
                throw Error(name, $"unknown option for a {definition.Kind} agent (expected one of: {string.Join(", ", known.Order(StringComparer.Ordinal))})");
        }
    }

    public string? String(string field) => _definition.Options[field] switch
    {
        null => null,
        JsonValue value => value.ToString(),
        _ => throw Error(field, "expected a single value"),
    };

    public double? Double(string field, double min, double max)
    {
        var text = String(field);
        if (text is null)
            return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || value < min || value > max)
            throw Error(field, $"expected a number from {min} to {max}, got '{text}'");
        return value;
    }

    public int? Int(string field, int min, int max)
    {
        var text = String(field);
        if (text is null)
            return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw Error(field, $"expected a whole number from {min} to {max}, got '{text}'");
        return value;
    }

    /// <summary>A list of strings (a YAML list, or one comma-separated value).</summary>
    public IReadOnlyList<string> Strings(string field) => _definition.Options[field] switch
    {
        null => [],
        JsonArray array => [.. array.Select(item => item?.ToString() ?? throw Error(field, "expected a list of values"))],
        JsonValue value => [.. value.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
        _ => throw Error(field, "expected a list"),
    };

    public bool? Bool(string field) => String(field) switch
    {
        null => null,
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        var other => throw Error(field, $"expected true or false, got '{other}'"),
    };

    public JsonArray? Array(string field) => _definition.Options[field] switch
    {
        null => null,
        JsonArray array => array,
        _ => throw Error(field, "expected a list"),
    };

    public InvalidInputException Error(string field, string problem) =>
        new($"{_definition.Locate(field)}: {problem}");
}
