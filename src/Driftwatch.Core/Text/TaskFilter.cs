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
                    regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
