using System.Text.RegularExpressions;

namespace Driftwatch.Core.Text;

/// <summary>
/// Takes credentials out of text before it is kept or shown: the values it was given (an agent's
/// key, every secret-looking variable of Driftwatch's environment), and whatever carries a
/// credential by its shape — the password of a URL (scheme://user:PASSWORD@host), and tokens whose
/// prefix says what they are (sk-…, ghp_…, github_pat_…, xox?-…, glpat-…, AKIA…, AIza…).
/// </summary>
public sealed partial class Redactor
{
    public const string Marker = "[redacted]";

    /// <summary>Shorter values are not redacted: they would hit ordinary words and numbers.</summary>
    public const int MinimumLength = 6;

    private readonly string[] _values;

    public Redactor(IEnumerable<string> values) =>
        _values = [.. values.Where(v => v.Length >= MinimumLength).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length)];

    /// <summary>Redacts credentials by their shape only.</summary>
    public static readonly Redactor Shapes = new([]);

    /// <summary>This redactor with <paramref name="values"/> added.</summary>
    public Redactor With(IEnumerable<string> values) => new(_values.Concat(values));

    /// <summary>Whether a value carries a credential whatever it is called.</summary>
    public static bool LooksLikeCredential(string value) => UrlPassword().IsMatch(value) || Token().IsMatch(value);

    public string Redact(string text)
    {
        if (text.Length == 0)
            return text;
        foreach (var value in _values)
            text = text.Replace(value, Marker, StringComparison.Ordinal);
        text = UrlPassword().Replace(text, match => match.Groups["password"].Value == Marker ? match.Value : $"{match.Groups["head"].Value}{Marker}@");
        return Token().Replace(text, Marker);
    }

    public string? RedactNullable(string? text) => text is null ? null : Redact(text);

    [GeneratedRegex(@"(?<head>\b[a-z][a-z0-9+.-]*://[^\s/:@""'<>]+:)(?<password>[^\s/@""'<>]+)@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})")]
    private static partial Regex Token();
}
