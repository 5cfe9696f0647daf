using System.Text.Json;
using System.Text.Json.Nodes;

namespace Driftwatch.Core.Configuration;

/// <summary>
/// A named agent: adapter kind plus its options (as JSON, so that a run stores exactly what it
/// used and a resume rebuilds the same agent). <see cref="Source"/> says where it was defined, for
/// error messages ("driftwatch.yaml:12 agents.fast", "built-in preset").
/// </summary>
public sealed record AgentDefinition(string Name, string Kind, JsonObject Options, string Source)
{
    /// <summary>The configuration file the agent was defined in, if any.</summary>
    public string? File { get; init; }

    /// <summary>The line of each option in <see cref="File"/>, for error messages.</summary>
    public IReadOnlyDictionary<string, int> OptionLines { get; init; } = new Dictionary<string, int>();

    /// <summary>Where options set after the file was read came from (a command-line flag, a schedule entry's line).</summary>
    public IReadOnlyDictionary<string, string> OptionOrigins { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Where an option was given: the flag or entry that set it, else "file:line: agents.name.option"
    /// when its line is known, else "source: option".
    /// </summary>
    public string Locate(string option) =>
        OptionOrigins.TryGetValue(option, out var origin) ? origin
        : File is not null && OptionLines.TryGetValue(option, out var line)
            ? $"{File}:{line}: agents.{Name}.{option}"
            : $"{Source}: {option}";

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public string ToJson() => new JsonObject
    {
        ["name"] = Name,
        ["kind"] = Kind,
        ["options"] = Options.DeepClone(),
    }.ToJsonString(Compact);

    public static AgentDefinition FromJson(string json, string source)
    {
        var node = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidInputException($"{source}: empty agent configuration");
        return new AgentDefinition(
            node["name"]?.GetValue<string>() ?? throw new InvalidInputException($"{source}: agent configuration has no name"),
            node["kind"]?.GetValue<string>() ?? throw new InvalidInputException($"{source}: agent configuration has no kind"),
            node["options"]?.AsObject().DeepClone().AsObject() ?? [],
            source);
    }

    /// <summary>A copy with one option set from <paramref name="origin"/> (a command-line flag, a schedule entry), which errors about it then name.</summary>
    public AgentDefinition With(string option, string? value, string origin)
    {
        var options = Options.DeepClone().AsObject();
        options[option] = value is null ? null : JsonValue.Create(value);
        return this with { Options = options, OptionOrigins = new Dictionary<string, string>(OptionOrigins) { [option] = origin } };
    }
}
