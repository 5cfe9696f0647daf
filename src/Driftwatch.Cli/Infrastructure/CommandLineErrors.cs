using System.Reflection;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>
/// Spectre's parse errors in the words of the command line that was typed: a value that does not
/// convert names its option and points at the command's help; a mistyped option gets the nearest
/// real one offered.
/// </summary>
internal static partial class CommandLineErrors
{
    [GeneratedRegex(@"^Failed to convert '(?<value>.*)' to [^ ]+\.$", RegexOptions.Singleline)]
    private static partial Regex ConversionFailed();

    [GeneratedRegex(@"^Unknown option '(?<name>[^']+)'\.$")]
    private static partial Regex UnknownOption();

    public static string Explain(string message, IReadOnlyList<string> arguments)
    {
        if (ConversionFailed().Match(message) is { Success: true } conversion)
        {
            var value = conversion.Groups["value"].Value;
            if (OptionGiven(value, arguments) is { } option)
                return $"{option}: '{value}' is not a valid value (see: driftwatch {string.Join(' ', CommandPath(arguments))} --help)";
        }
        if (UnknownOption().Match(message) is { Success: true } unknown && Nearest(unknown.Groups["name"].Value) is { } nearest)
            return $"{message} Did you mean --{nearest}?";
        return message;
    }

    /// <summary>The option a value was given to, as typed: `--trials abc`, `-k abc` or `--trials=abc`.</summary>
    private static string? OptionGiven(string value, IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == value && i > 0 && arguments[i - 1].StartsWith('-'))
                return arguments[i - 1];
            var equals = arguments[i].IndexOf('=', StringComparison.Ordinal);
            if (arguments[i].StartsWith('-') && equals > 0 && arguments[i][(equals + 1)..] == value)
                return arguments[i][..equals];
        }
        return null;
    }

    /// <summary>The command words before the first option (`run`, `suite import`).</summary>
    private static IEnumerable<string> CommandPath(IReadOnlyList<string> arguments) =>
        arguments.TakeWhile(a => !a.StartsWith('-')).Take(2).Where(a => a.All(c => char.IsAsciiLetterLower(c) || c == '-'));

    private static readonly Lazy<IReadOnlyList<string>> LongNames = new(() =>
    [
        .. typeof(CommandLineErrors).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(CommandSettings)))
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .OfType<CommandOptionAttribute>()
            .SelectMany(o => o.LongNames)
            .Distinct(StringComparer.Ordinal),
    ]);

    /// <summary>The option name closest to <paramref name="typed"/>, within two edits.</summary>
    private static string? Nearest(string typed) =>
        LongNames.Value
            .Select(name => (Name: name, Distance: Distance(typed, name)))
            .Where(c => c.Distance <= 2)
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
