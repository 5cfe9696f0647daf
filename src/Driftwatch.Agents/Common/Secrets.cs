using System.Collections.Immutable;
using Driftwatch.Core;

namespace Driftwatch.Agents.Common;

/// <summary>
/// Credentials an agent needs, read from environment variables named in the configuration (never
/// from files), handed only to the agent's own process or client, and scrubbed from everything
/// Driftwatch keeps.
/// </summary>
public sealed class Secrets
{
    private readonly ImmutableDictionary<string, string> _values;

    private readonly Driftwatch.Core.Text.Redactor _redactor;

    private Secrets(ImmutableDictionary<string, string> values)
    {
        _values = values;
        _redactor = new Driftwatch.Core.Text.Redactor(values.Values);
    }

    public static readonly Secrets None = new(ImmutableDictionary<string, string>.Empty);

    /// <summary>Reads the named variables; <paramref name="required"/> ones must be set.</summary>
    public static Secrets FromEnvironment(IEnumerable<string> names, IEnumerable<string> required, string source)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                builder[name] = value;
        }
        foreach (var name in required)
        {
            if (!builder.ContainsKey(name))
                throw new InvalidInputException($"{source}: the environment variable {name} is not set (the agent's credentials are read from it)");
        }
        return new Secrets(builder.ToImmutable());
    }

    /// <summary>The variables to add to the agent's environment.</summary>
    public IReadOnlyDictionary<string, string> Variables => _values;

    public string? Get(string name) => _values.GetValueOrDefault(name);

    /// <summary>Replaces every secret value in <paramref name="text"/>, and anything shaped like a credential, with a marker.</summary>
    public string? Redact(string? text) => string.IsNullOrEmpty(text) ? text : _redactor.Redact(text);
}
