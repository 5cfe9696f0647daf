using System.Text;
using System.Text.RegularExpressions;

namespace Driftwatch.Core.Text;

/// <summary>
/// Selects task ids with shell-style globs: <c>*</c> (any run of characters), <c>?</c> (one),
/// <c>[abc]</c> (a set). Several patterns are separated by commas; a pattern starting with
/// <c>!</c> excludes. An id is selected when it matches an including pattern (or there is none)
/// and no excluding one.
/// </summary>
public sealed class TaskFilter
{
    private readonly List<Regex> _include = [];
    private readonly List<Regex> _exclude = [];

    public TaskFilter(string expression)
    {
        Expression = expression;
        foreach (var raw in expression.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var exclude = raw.StartsWith('!');
            var pattern = exclude ? raw[1..] : raw;
            if (pattern.Length == 0)
                throw new InvalidInputException($"--tasks: empty pattern in '{expression}'");
            (exclude ? _exclude : _include).Add(ToRegex(pattern, expression));
        }
        if (_include.Count == 0 && _exclude.Count == 0)
            throw new InvalidInputException($"--tasks: no pattern in '{expression}'");
    }

    public string Expression { get; }

    /// <summary>What is wrong with <paramref name="expression"/> (one line naming --tasks), or null when it is a valid filter or absent.</summary>
    public static string? Check(string? expression)
    {
        if (expression is null)
            return null;
        try
        {
            _ = new TaskFilter(expression);
            return null;
        }
        catch (InvalidInputException ex)
        {
            return ex.Message;
        }
    }

    public bool Matches(string id) =>
        (_include.Count == 0 || _include.Any(r => r.IsMatch(id))) && !_exclude.Any(r => r.IsMatch(id));

    private static Regex ToRegex(string glob, string expression)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = glob.IndexOf(']', i + 1);
                    if (close < 0)
                        throw new InvalidInputException($"--tasks: unclosed '[' in '{expression}'");
                    var set = glob[(i + 1)..close];
                    var negated = set.StartsWith('!');
                    var members = negated ? set[1..] : set;
                    CheckSet(members, glob[i..(close + 1)], expression);
                    regex.Append('[').Append(negated ? "^" : "").Append(Regex.Escape(members)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        try
        {
            return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
        }
        catch (RegexParseException ex)
        {
            // Whatever CheckSet missed is still the user's pattern, not our failure.
            throw new InvalidInputException($"--tasks: '{glob}' is not a valid pattern in '{expression}' ({ex.Error})", ex);
        }
    }

    /// <summary>
    /// A set must hold something, and its ranges run low to high; a '-' first or last is a
    /// literal dash.
    /// </summary>
    private static void CheckSet(string members, string written, string expression)
    {
        if (members.Length == 0)
            throw new InvalidInputException($"--tasks: empty set '{written}' in '{expression}'");
        for (var j = 1; j + 1 < members.Length; j++)
        {
            if (members[j] == '-' && members[j - 1] > members[j + 1])
            {
                throw new InvalidInputException(
                    $"--tasks: range '{members[j - 1]}-{members[j + 1]}' runs backwards in '{expression}' (write it low to high: '{members[j + 1]}-{members[j - 1]}')");
            }
        }
    }
}
