using System.Globalization;
using Driftwatch.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Driftwatch.Formats.Yaml;

/// <summary>
/// A YAML mapping read with its positions, so that every error names the file, the line and the
/// field. Unknown fields are errors: a misspelt key must not be silently ignored.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    /// <summary>The fields this mapping may have; null: any (its consumer checks them).</summary>
    private readonly HashSet<string>? _allowed;

    private YamlMap(string file, string path, YamlMappingNode node, IEnumerable<string>? allowed)
    {
        File = file;
        Path = path;
        _node = node;
        _allowed = allowed is null ? null : new HashSet<string>(allowed, StringComparer.Ordinal);
        foreach (var key in node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (_allowed is not null && !_allowed.Contains(name))
                throw Error(key, Qualify(name), $"unknown field (expected one of: {string.Join(", ", _allowed.Order(StringComparer.Ordinal))})");
        }
    }

    public string File { get; }

    /// <summary>The dotted path of this mapping inside the document ("" for the root).</summary>
    public string Path { get; }

    public int Line => (int)_node.Start.Line;

    /// <summary>Parses a whole file whose root must be a mapping with the given fields.</summary>
    public static YamlMap Load(string file, IEnumerable<string> allowedFields)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(file);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidInputException($"{file}: file not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new InvalidInputException($"{file}: file not found");
        }
        catch (IOException ex)
        {
            throw new InvalidInputException($"{file}: cannot read: {ex.Message}");
        }
        return Parse(file, text, allowedFields);
    }

    public static YamlMap Parse(string file, string text, IEnumerable<string> allowedFields)
    {
        var stream = new YamlStream();
        var lastGoodLine = 1;
        try
        {
            // Walk the events first: on input that trips the parser itself (it throws
            // InvalidOperationException on some unclosed flow collections) the last good event
            // still tells the user where to look.
            var parser = new Parser(new StringReader(text));
            while (parser.MoveNext())
                lastGoodLine = (int)(parser.Current?.End.Line ?? lastGoodLine);
            stream.Load(new StringReader(text));
        }
        catch (InvalidOperationException)
        {
            throw InvalidInputException.AtLocation(file, lastGoodLine, null, "invalid YAML: the parser stopped here (an unclosed bracket or quote?)");
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException?.Message ?? ex.Message;
            // YamlDotNet prefixes its messages with the mark; keep only the explanation.
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith('(') && cut > 0)
                message = message[(cut + 3)..];
            throw InvalidInputException.AtLocation(file, (int)ex.Start.Line, null, $"invalid YAML: {message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var line = stream.Documents.Count == 0 ? 1 : (int)stream.Documents[0].RootNode.Start.Line;
            throw InvalidInputException.AtLocation(file, line, null, "expected a mapping of fields at the top level");
        }
        return new YamlMap(file, "", root, allowedFields);
    }

    public bool Has(string field) => Find(field) is not null;

    /// <summary>The line of every field of this mapping.</summary>
    public IReadOnlyDictionary<string, int> FieldLines() => _node.Children.ToDictionary(
        c => (c.Key as YamlScalarNode)?.Value ?? "", c => (int)c.Key.Start.Line, StringComparer.Ordinal);

    public string RequiredString(string field) =>
        OptionalString(field) ?? throw Error(_node, Qualify(field), "required field is missing");

    public string? OptionalString(string field)
    {
        var node = Find(field);
        if (node is null)
            return null;
        if (node is not YamlScalarNode scalar)
            throw Error(node, Qualify(field), "expected a single value");
        if (scalar.Style == ScalarStyle.Plain && scalar.Value is null or "~" or "null" or "")
            return null;
        return scalar.Value;
    }

    public int? OptionalInt(string field, int min, int max)
    {
        var text = OptionalString(field);
        if (text is null)
            return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw Error(Find(field)!, Qualify(field), $"expected a whole number from {min} to {max}, got '{text}'");
        return value;
    }

    public double? OptionalDouble(string field, double min, double max)
    {
        var text = OptionalString(field);
        if (text is null)
            return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max || double.IsNaN(value))
            throw Error(Find(field)!, Qualify(field), $"expected a number from {min} to {max}, got '{text}'");
        return value;
    }

    public bool? OptionalBool(string field)
    {
        var text = OptionalString(field);
        return text switch
        {
            null => null,
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(Find(field)!, Qualify(field), $"expected true or false, got '{text}'"),
        };
    }

    /// <summary>Reads a value that must be one of the names given (case-insensitive).</summary>
    public T? OptionalEnum<T>(string field, IReadOnlyDictionary<string, T> names) where T : struct
    {
        var text = OptionalString(field);
        if (text is null)
            return null;
        if (names.TryGetValue(text.ToLowerInvariant(), out var value))
            return value;
        throw Error(Find(field)!, Qualify(field), $"unknown value '{text}' (expected one of: {string.Join(", ", names.Keys)})");
    }

    /// <summary>One value or a list of them: `paths: runs/` and `paths: [a, b]` alike.</summary>
    public IReadOnlyList<string> StringOrList(string field) =>
        Find(field) is YamlScalarNode { Value: { Length: > 0 } value } ? [value] : StringList(field);

    public IReadOnlyList<string> StringList(string field)
    {
        var node = Find(field);
        switch (node)
        {
            case null:
                return [];
            case YamlScalarNode { Value: null or "" }:
                return [];
            case YamlSequenceNode sequence:
                var items = new List<string>();
                foreach (var item in sequence.Children)
                {
                    if (item is not YamlScalarNode { Value: { } value })
                        throw Error(item, Qualify(field), "expected a list of single values");
                    items.Add(value);
                }
                return items;
            default:
                throw Error(node, Qualify(field), "expected a list");
        }
    }

    public YamlMap? OptionalMap(string field, IEnumerable<string> allowedFields)
    {
        var node = Find(field);
        return node switch
        {
            null => null,
            YamlScalarNode { Value: null or "" } => null,
            YamlMappingNode mapping => new YamlMap(File, Qualify(field), mapping, allowedFields),
            _ => throw Error(node, Qualify(field), "expected a mapping of fields"),
        };
    }

    /// <summary>A mapping of names chosen by the user to single values (e.g. suite name → folder).</summary>
    public IReadOnlyList<(string Key, string Value, int Line)> NamedStrings(string field)
    {
        var node = Find(field);
        if (node is null or YamlScalarNode { Value: null or "" })
            return [];
        if (node is not YamlMappingNode mapping)
            throw Error(node, Qualify(field), "expected a mapping of names to values");
        var result = new List<(string, string, int)>();
        foreach (var (key, value) in mapping.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (value is not YamlScalarNode { Value: { Length: > 0 } text })
                throw Error(value, $"{Qualify(field)}.{name}", "expected a single value");
            result.Add((name, text, (int)value.Start.Line));
        }
        return result;
    }

    /// <summary>A mapping whose keys are names chosen by the user (agents, languages...).</summary>
    /// <remarks>With null <c>allowedFields</c>, any field is accepted (its consumer checks them).</remarks>
    public IReadOnlyList<(string Key, YamlMap Value)> NamedMaps(string field, IEnumerable<string>? allowedFields)
    {
        var node = Find(field);
        if (node is null or YamlScalarNode { Value: null or "" })
            return [];
        if (node is not YamlMappingNode mapping)
            throw Error(node, Qualify(field), "expected a mapping of names");
        var allowed = allowedFields?.ToList();
        var result = new List<(string, YamlMap)>();
        foreach (var (key, value) in mapping.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            var path = $"{Qualify(field)}.{name}";
            if (value is not YamlMappingNode child)
                throw Error(value, path, "expected a mapping of fields");
            result.Add((name, new YamlMap(File, path, child, allowed)));
        }
        return result;
    }

    /// <summary>A list of mappings (schedule entries, alert sinks), each named "field[i]" in errors.</summary>
    public IReadOnlyList<YamlMap> MapList(string field, IEnumerable<string> allowedFields)
    {
        var node = Find(field);
        if (node is null or YamlScalarNode { Value: null or "" })
            return [];
        if (node is not YamlSequenceNode sequence)
            throw Error(node, Qualify(field), "expected a list (items start with '- ')");
        var allowed = allowedFields.ToList();
        var result = new List<YamlMap>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"{Qualify(field)}[{i}]";
            if (sequence.Children[i] is not YamlMappingNode child)
                throw Error(sequence.Children[i], path, "expected a mapping of fields");
            result.Add(new YamlMap(File, path, child, allowed));
        }
        return result;
    }

    /// <summary>The mapping as JSON, every scalar a string, except the fields named in <paramref name="skip"/>.</summary>
    public System.Text.Json.Nodes.JsonObject ToJson(params string[] skip)
    {
        var json = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, value) in _node.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (!skip.Contains(name))
                json[name] = ToJson(value);
        }
        return json;
    }

    private static System.Text.Json.Nodes.JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "~" or "null" } => null,
        YamlScalarNode scalar => System.Text.Json.Nodes.JsonValue.Create(scalar.Value),
        YamlSequenceNode sequence => new System.Text.Json.Nodes.JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlMappingNode mapping => new System.Text.Json.Nodes.JsonObject(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", ToJson(c.Value)))),
        _ => null,
    };

    /// <summary>An error about a field of this mapping, at the field's line.</summary>
    public InvalidInputException ErrorAt(string field, string problem) =>
        Error(Find(field) ?? _node, Qualify(field), problem);

    private YamlNode? Find(string field)
    {
        if (_allowed is not null && !_allowed.Contains(field))
            throw new InvalidOperationException($"field '{field}' was not declared as allowed");
        return _node.Children.TryGetValue(new YamlScalarNode(field), out var value) ? value : null;
    }

    private string Qualify(string field) => Path.Length == 0 ? field : $"{Path}.{field}";

    private InvalidInputException Error(YamlNode node, string field, string problem) =>
        InvalidInputException.AtLocation(File, (int)node.Start.Line, field, problem);
}
