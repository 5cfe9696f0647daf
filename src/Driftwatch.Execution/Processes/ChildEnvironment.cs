using System.Collections;
using System.Collections.Immutable;
using Driftwatch.Core.Text;
using Driftwatch.Execution.Sandbox;

namespace Driftwatch.Execution.Processes;

/// <summary>
/// The environment handed to agents and test commands: this process's environment without
/// anything that looks like a credential (by its name or by its value) and without what would make
/// a trial depend on the operator's shell (agent settings such as ANTHROPIC_MODEL or CLAUDE_CODE_*,
/// interpreter hooks such as PYTHONSTARTUP or NODE_OPTIONS), plus what the trial sets. An agent
/// adapter adds back exactly the variables its configuration names.
/// </summary>
public static class ChildEnvironment
{
    private static readonly string[] SecretMarkers = ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "COOKIE", "SESSION", "DSN"];

    /// <summary>Prefixes of variables that configure an agent or Driftwatch itself: a trial never inherits them.</summary>
    private static readonly string[] AgentPrefixes = ["ANTHROPIC_", "CLAUDE_", "CLAUDECODE", "OPENAI_", "GEMINI_", "GOOGLE_", "CODEX_", "AIDER_", "DRIFTWATCH_", "MCP_"];

    /// <summary>Variables that run code or load libraries into every process that starts.</summary>
    private static readonly HashSet<string> Hooks = new(StringComparer.Ordinal)
    {
        "LD_PRELOAD", "LD_AUDIT", "BASH_ENV", "ENV", "PROMPT_COMMAND", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONUSERBASE", "PYTHONINSPECT",
        "NODE_OPTIONS", "NODE_PATH", "PERL5OPT", "PERL5LIB", "RUBYOPT", "RUBYLIB", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",
        "DOTNET_STARTUP_HOOKS", "CORECLR_ENABLE_PROFILING", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_GLOBAL",
    };

    private static readonly HashSet<string> ProxyVariables = new(StringComparer.OrdinalIgnoreCase)
    {
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "FTP_PROXY",
    };

    public static bool LooksSecret(string name)
    {
        var upper = name.ToUpperInvariant();
        return SecretMarkers.Any(marker => upper.Contains(marker, StringComparison.Ordinal));
    }

    /// <summary>A value that carries a credential whatever its variable is called: a URL with a password, a well-known token.</summary>
    public static bool LooksSecretValue(string value) => Core.Text.Redactor.LooksLikeCredential(value);

    private static readonly Lazy<Redactor> EnvironmentRedactor = new(() => new Redactor(
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Where(e => e.Value is string value && value.Length >= 8 && (LooksSecret((string)e.Key) || LooksSecretValue(value)))
            .Select(e => (string)e.Value!)));

    /// <summary>Redacts the values of every credential in this process's environment (by name or by value), and credentials by their shape.</summary>
    public static Redactor Redactor() => EnvironmentRedactor.Value;

    /// <summary>This process's environment without credentials, agent settings and interpreter hooks.</summary>
    public static ImmutableDictionary<string, string> Inherited()
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (entry.Value is string value && Keeps(name, value))
                builder[name] = value;
        }
        return builder.ToImmutable();
    }

    private static bool Keeps(string name, string value) =>
        !LooksSecret(name) && !LooksSecretValue(value) && !Hooks.Contains(name)
        && !AgentPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>Settings that keep tool chains quiet, offline-friendly and writing only in the trial's folders (as the process sees them).</summary>
    public static ImmutableDictionary<string, string> ForTrial(SandboxView view)
    {
        var home = view.Home ?? view.Temp;
        // PWD and OLDPWD are Driftwatch's own folders on the host: the process gets its own.
        var environment = Inherited().Remove("OLDPWD").SetItems(new Dictionary<string, string>
        {
            ["PWD"] = view.Workspace,
            ["HOME"] = home,
            ["TMPDIR"] = view.Temp,
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["PYTHONUNBUFFERED"] = "1",
            ["DOTNET_CLI_HOME"] = home,
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["NODE_NO_WARNINGS"] = "1",
            ["NO_COLOR"] = "1",
            ["CI"] = "true",
        });
        if (view.EndpointAddress is not null)
        {
            // Its one endpoint is on loopback: a proxy variable would send the request elsewhere.
            environment = environment.RemoveRange(environment.Keys.Where(ProxyVariables.Contains).ToList())
                .SetItem("NO_PROXY", "127.0.0.1,localhost").SetItem("no_proxy", "127.0.0.1,localhost");
        }
        return environment;
    }

    /// <summary>
    /// The hidden tests' environment: <see cref="ForTrial"/> in the test phase's own fresh folders,
    /// Python without user site-packages and without the script's folder on its path, the JUnit
    /// report's path, and the hidden test files (so runners run those, not whatever else matches).
    /// </summary>
    public static ImmutableDictionary<string, string> ForTests(SandboxView view, IReadOnlyList<string> testFiles)
    {
        var environment = ForTrial(view).SetItems(new Dictionary<string, string>
        {
            ["PYTHONNOUSERSITE"] = "1",
            ["PYTHONSAFEPATH"] = "1",
            ["DRIFTWATCH_TESTS"] = string.Join(' ', testFiles),
        });
        if (view.Reports is { } reports)
            environment = environment.SetItem("DRIFTWATCH_JUNIT", reports.TrimEnd('/') + "/junit.xml");
        return environment;
    }

}
