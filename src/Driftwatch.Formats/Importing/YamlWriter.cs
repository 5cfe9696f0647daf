using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// Writes the few YAML shapes suite.yaml and task.yaml need through YamlDotNet's emitter, which
/// does the escaping: fields in the order given, two-space indents, LF, plain scalars only where
/// YAML cannot read them as anything else (a word the emitter would leave plain but a reader would
/// take for a boolean, null or number is quoted), literal blocks for readable multi-line text, and
/// double quotes for the rest. Whatever it writes, <see cref="Yaml.YamlMap"/> reads back as the
/// same string (YamlWriterTests).
/// </summary>
internal sealed partial class YamlWriter
{
    private readonly List<ParsingEvent> _events = [];

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_./: -]*\z")]
    private static partial Regex PlainPattern();

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    };

    public YamlWriter Comment(string text)
    {
        foreach (var line in text.Split('\n'))
            _events.Add(new YamlDotNet.Core.Events.Comment(line, isInline: false));
        return this;
    }

    public YamlWriter Field(string name, string value)
    {
        _events.Add(Key(name));
        _events.Add(IsBlockSafe(value) ? new Scalar(null, null, value, ScalarStyle.Literal, true, true) : Value(value));
        return this;
    }

    public YamlWriter Field(string name, int value)
    {
        _events.Add(Key(name));
        _events.Add(new Scalar(null, null, value.ToString(CultureInfo.InvariantCulture), ScalarStyle.Plain, true, false));
        return this;
    }

    /// <summary>A list of strings in flow style: <c>tags: [a, b]</c>.</summary>
    public YamlWriter Field(string name, IEnumerable<string> values)
    {
        _events.Add(Key(name));
        _events.Add(new SequenceStart(null, null, true, SequenceStyle.Flow));
        _events.AddRange(values.Select(Value));
        _events.Add(new SequenceEnd());
        return this;
    }

    /// <summary>A nested mapping; its fields are written by <paramref name="body"/>.</summary>
    public YamlWriter Map(string name, Action<YamlWriter> body)
    {
        _events.Add(Key(name));
        _events.Add(new MappingStart());
        body(this);
        _events.Add(new MappingEnd());
        return this;
    }

    public override string ToString()
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings(2, int.MaxValue, false, 1024, newLine: "\n"));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        emitter.Emit(new MappingStart());
        foreach (var item in _events)
            emitter.Emit(item);
        emitter.Emit(new MappingEnd());
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static Scalar Key(string name) => new(null, null, name, ScalarStyle.Plain, true, false);

    /// <summary>A single-line scalar: plain when unambiguous, else double-quoted (escaped by the emitter).</summary>
    private static Scalar Value(string value) => new(null, null, value, IsPlain(value) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted, true, true);

    private static bool IsPlain(string value) =>
        PlainPattern().IsMatch(value) && !value.EndsWith(' ') && !value.EndsWith(':') && !value.Contains(": ", StringComparison.Ordinal)
        && !Reserved.Contains(value) && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>Characters YAML does not allow raw, or reads differently (line separators, BOM, non-characters).</summary>
    private static bool NeedsEscape(Rune rune) =>
        Rune.IsControl(rune) || rune.Value is 0x2028 or 0x2029 or 0xFEFF or 0xFFFE or 0xFFFF;

    /// <summary>
    /// Literal blocks keep text readable; they are asked for only where YAML reads them back exactly:
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
