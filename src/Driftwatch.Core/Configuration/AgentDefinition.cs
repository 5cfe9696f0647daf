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

    /// <summary>"file:line: agents.name.option" when the option's line is known, else "source: option".</summary>
    public string Locate(string option) =>
        File is not null && OptionLines.TryGetValue(option, out var line)
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

    /// <summary>A copy with one option set (from a command-line flag).</summary>
    public AgentDefinition With(string option, string? value)
    {
        var options = Options.DeepClone().AsObject();
        options[option] = value is null ? null : JsonValue.Create(value);
        return this with { Options = options };
    }
}
