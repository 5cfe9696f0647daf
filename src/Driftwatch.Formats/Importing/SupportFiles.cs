using System.Collections.Immutable;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// The test runners an imported suite carries in support/ (copied into each workspace as
/// .driftwatch/ with the hidden tests): embedded in this assembly, so imports need no repository.
/// </summary>
internal static class SupportFiles
{
    /// <summary>The built-in suite's unittest runner that writes JUnit XML (partial credit).</summary>
    public const string UnittestRunner = "unittest_junit.py";

    /// <summary>Dataset assertions and input/output cases as unittest cases, one per assertion.</summary>
    public const string CheckCases = "check_cases.py";

    /// <summary>Jest's globals (describe, test, expect…) on node:test, for Exercism's JavaScript tests.</summary>
    public const string JestGlobals = "jest_globals.mjs";

    /// <summary>The module resolution hook jest_globals.mjs registers (extensionless imports, '@jest/globals').</summary>
    public const string ExtensionlessResolver = "extensionless.mjs";

    /// <summary>Runs JSON Lines cases against a Java method by reflection and writes JUnit XML.</summary>
    public const string JavaCaseRunner = "java/CaseRunner.java";

    public static string Read(string name)
    {
        using var stream = typeof(SupportFiles).Assembly.GetManifestResourceStream("support/" + name)
            ?? throw new InvalidOperationException($"support file '{name}' is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>The named support files, by their path inside support/.</summary>
    public static ImmutableSortedDictionary<string, string> Of(params string[] names) =>
        names.ToImmutableSortedDictionary(n => n, Read, StringComparer.Ordinal);
}
