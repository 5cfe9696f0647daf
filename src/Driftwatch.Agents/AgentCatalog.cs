using System.Text.Json.Nodes;
using Driftwatch.Agents.Api;
using Driftwatch.Agents.ClaudeCode;
using Driftwatch.Agents.Command;
using Driftwatch.Agents.Simulated;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Execution.Agents;

namespace Driftwatch.Agents;

/// <summary>
/// Turns an agent name into an agent: the built-in presets (README § Agents), overridden or extended by
/// the named agents of driftwatch.yaml; and an agent definition into a working adapter.
/// </summary>
public static class AgentCatalog
{
    private static readonly Dictionary<string, Func<AgentDefinition, IAgent>> Factories = new(StringComparer.Ordinal)
    {
        [SimulatedAgent.KindName] = definition => new SimulatedAgent(definition.Name, SimulatedAgentSettings.From(definition)),
        [ClaudeCodeAgent.KindName] = definition => new ClaudeCodeAgent(definition),
        [CommandAgent.KindName] = definition => new CommandAgent(definition),
        ["codex"] = definition => new CommandAgent(definition, CommandAgent.Presets["codex"]),
        ["gemini"] = definition => new CommandAgent(definition, CommandAgent.Presets["gemini"]),
        ["aider"] = definition => new CommandAgent(definition, CommandAgent.Presets["aider"]),
        [AnthropicAgent.KindName] = definition => new AnthropicAgent(definition),
        [OpenAiAgent.KindName] = definition => new OpenAiAgent(definition),
    };

    /// <summary>Agents that work with no configuration file (README § Agents); `--model` sets their model.</summary>
    public static IReadOnlyDictionary<string, AgentDefinition> Presets { get; } = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal)
    {
        ["simulated"] = Preset("simulated", SimulatedAgent.KindName),
        ["claude-code"] = Preset("claude-code", ClaudeCodeAgent.KindName),
        ["codex"] = Preset("codex", "codex"),
        ["gemini"] = Preset("gemini", "gemini"),
        ["aider"] = Preset("aider", "aider"),
    };

    private static AgentDefinition Preset(string name, string kind) => new(name, kind, new JsonObject(), $"built-in preset '{name}'");

    public static IEnumerable<string> Kinds => Factories.Keys;

    /// <summary>Finds a named agent: driftwatch.yaml first, then the presets.</summary>
    public static AgentDefinition Resolve(string name, DriftwatchConfig config)
    {
        if (config.Agents.TryGetValue(name, out var configured))
            return configured;
        if (Presets.TryGetValue(name, out var preset))
            return preset;
        var known = config.Agents.Keys.Concat(Presets.Keys).Distinct().Order(StringComparer.Ordinal);
        var where = config.File is null ? "no driftwatch.yaml found" : $"not defined in {config.File}";
        throw new InvalidInputException($"--agent: unknown agent '{name}' ({where}; available: {string.Join(", ", known)})");
    }

    /// <summary>Builds the adapter for a definition; unknown kinds and bad options are bad input.</summary>
    public static IAgent Create(AgentDefinition definition)
    {
        if (!Factories.TryGetValue(definition.Kind, out var factory))
        {
            throw new InvalidInputException(
                $"{definition.Locate("kind")}: unknown agent kind '{definition.Kind}' (available: {string.Join(", ", Factories.Keys.Order(StringComparer.Ordinal))})");
        }
        return factory(definition);
    }
}
