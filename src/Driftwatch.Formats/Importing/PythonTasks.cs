using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// What imported Python tasks share: the test command (the built-in suite's unittest runner, so
/// partial credit comes from its JUnit report), the support files, and the hidden test modules
/// that hand a dataset's checks to check_cases.py.
/// </summary>
internal static partial class PythonTasks
{
    public const string Language = "python";

    /// <summary>The module every generated workspace holds; the hidden tests import it.</summary>
    public const string Module = "solution";

    public const string ModuleFile = Module + ".py";

    public const string TestFile = "test_" + Module + ".py";

    public static LanguageDefaults Defaults { get; } = new($"python3 .driftwatch/{SupportFiles.UnittestRunner}");

    public static ImmutableSortedDictionary<string, string> Support { get; } = SupportFiles.Of(SupportFiles.UnittestRunner, SupportFiles.CheckCases);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();

    /// <summary>True for a Python identifier: the only data ever written into generated code.</summary>
    public static bool IsIdentifier(string name) => IdentifierPattern().IsMatch(name) && !Keywords.Contains(name);

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
        "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
        "pass", "raise", "return", "try", "while", "with", "yield",
    };

    /// <summary>
    /// The hidden test module: its docstring says what it checks; its cases come from
    /// check_cases.py. Arguments are identifiers or file names checked by the caller.
    /// </summary>
    public static string TestModule(string docstring, string call) => $$""""
        """{{docstring.Replace("\"\"\"", "'''", StringComparison.Ordinal).Replace("\\", "\\\\", StringComparison.Ordinal)}}"""
        import os
        import sys

        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".driftwatch"))

        import check_cases  # noqa: E402


        def load_tests(loader, tests, pattern):
            return check_cases.{{call}}

        """";

    /// <summary>The indentation of the last non-blank line (a function body after its docstring).</summary>
    public static string BodyIndent(string code)
    {
        var last = code.Split('\n').LastOrDefault(l => l.Trim().Length > 0) ?? "";
        var indent = last[..(last.Length - last.TrimStart().Length)];
        return indent.Length == 0 ? "    " : indent;
    }
}
