using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// Writes the few YAML shapes suite.yaml and task.yaml need, byte-stable: fields in the order
/// given, two-space indents, LF, plain scalars only where YAML cannot read them as anything else,
/// literal blocks for readable multi-line text, and double quotes (with escapes) for the rest.
/// Whatever it writes, <see cref="Yaml.YamlMap"/> reads back as the same string.
/// </summary>
internal sealed partial class YamlWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_./: -]*$")]
    private static partial Regex PlainPattern();

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    };

    public YamlWriter Comment(string text)
    {
        foreach (var line in text.Split('\n'))
            Line(line.Length == 0 ? "#" : "# " + line);
        return this;
    }

    public YamlWriter Field(string name, string value)
    {
        if (IsBlockSafe(value))
        {
            Line($"{name}: |{(value.EndsWith('\n') ? "" : "-")}");
            foreach (var line in value.TrimEnd('\n').Split('\n'))
                _text.Append(line.Length == 0 ? "" : new string(' ', (_indent + 1) * 2) + line).Append('\n');
            return this;
        }
        return Line($"{name}: {Scalar(value)}");
    }

    public YamlWriter Field(string name, int value) => Line($"{name}: {value.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>A list of strings in flow style: <c>tags: [a, b]</c>.</summary>
    public YamlWriter Field(string name, IEnumerable<string> values) =>
        Line($"{name}: [{string.Join(", ", values.Select(Scalar))}]");

    /// <summary>A nested mapping; its fields are written by <paramref name="body"/>.</summary>
    public YamlWriter Map(string name, Action<YamlWriter> body)
    {
        Line($"{name}:");
        _indent++;
        body(this);
        _indent--;
        return this;
    }

    public override string ToString() => _text.ToString();

    private YamlWriter Line(string line)
    {
        _text.Append(' ', _indent * 2).Append(line).Append('\n');
        return this;
    }

    /// <summary>A single-line scalar: plain when unambiguous, else double-quoted.</summary>
    public static string Scalar(string value)
    {
        if (PlainPattern().IsMatch(value) && !value.EndsWith(' ') && !value.EndsWith(':') && !value.Contains(": ", StringComparison.Ordinal)
            && !Reserved.Contains(value) && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            return value;
        var quoted = new StringBuilder("\"");
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case '\n':
                    quoted.Append("\\n");
                    break;
                case '\t':
                    quoted.Append("\\t");
                    break;
                default:
                    if (NeedsEscape(rune))
                        quoted.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}");
                    else
                        quoted.Append(rune.ToString());
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>Characters YAML does not allow raw, or reads differently (line separators, BOM, non-characters).</summary>
    private static bool NeedsEscape(Rune rune) =>
        Rune.IsControl(rune) || rune.Value is 0x2028 or 0x2029 or 0xFEFF or 0xFFFE or 0xFFFF;

    /// <summary>
    /// Literal blocks keep text readable; they are used only where YAML reads them back exactly:
    /// several lines, at most one final newline, no leading spaces on the first line, no
    /// whitespace-only or trailing-space lines, no tabs or control characters.
    /// </summary>
    private static bool IsBlockSafe(string value)
    {
        if (!value.Contains('\n') || value.StartsWith(' ') || value.StartsWith('\n') || value.EndsWith("\n\n", StringComparison.Ordinal))
            return false;
        foreach (var line in value.TrimEnd('\n').Split('\n'))
        {
            if (line.Length > 0 && (line.Trim().Length == 0 || char.IsWhiteSpace(line[^1])))
                return false;
            if (line.EnumerateRunes().Any(NeedsEscape) || line.Any(char.IsSurrogate) && line.EnumerateRunes().Any(r => r == Rune.ReplacementChar))
                return false;
        }
        return true;
    }
}
