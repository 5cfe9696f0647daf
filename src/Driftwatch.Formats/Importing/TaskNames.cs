using System.Text;
using Driftwatch.Core;
using Driftwatch.Formats.Suites;

namespace Driftwatch.Formats.Importing;

/// <summary>
/// Task ids made from dataset ids ("HumanEval/0" → "humaneval-0"): lower-case letters, digits,
/// '.', '-' and '_' only, so a hostile id ("../../x", "/etc", "a\0b") can never name a folder
/// outside the suite. Two records that end up with the same id are an error, never a silent merge.
/// </summary>
internal static class TaskNames
{
    public const int MaxLength = 80;

    /// <summary>The safe form of <paramref name="raw"/>, or null when nothing usable is left.</summary>
    public static string? Sanitize(string raw)
    {
        var text = new StringBuilder(raw.Length);
        foreach (var c in raw.Normalize(NormalizationForm.FormKD).ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_')
                text.Append(c);
            else if (c == '.' && text.Length > 0 && char.IsAsciiLetterOrDigit(text[^1]))
                text.Append(c);
            else if (text.Length > 0 && text[^1] != '-')
                text.Append('-');
        }
        var name = text.ToString().Trim('-', '.', '_');
        if (name.Length > MaxLength)
        {
            // Long ids keep a hash of the whole, so that two that share a prefix stay apart.
            var hash = Hashing.Sha256(raw)["sha256:".Length..][..8];
            name = name[..(MaxLength - 9)].TrimEnd('-', '.', '_') + "-" + hash;
        }
        return name.Length > 0 && SuiteLoader.IsValidName(name) ? name : null;
    }

    /// <summary>Hands out ids, failing on the second record that would get one already given.</summary>
    public sealed class Registry
    {
        private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);

        /// <summary>The id for <paramref name="raw"/> (after <paramref name="prefix"/>-, if any), or an error from <paramref name="error"/>.</summary>
        public string Claim(string? prefix, string raw, string owner, Func<string, InvalidInputException> error)
        {
            var name = Sanitize(raw) ?? throw error($"'{raw}' has no letters or digits to make a task id from");
            var id = prefix is null ? name : Sanitize($"{prefix}-{name}")!;
            if (_owners.TryGetValue(id, out var first))
                throw error($"'{raw}' gives the task id '{id}', already taken by {first}");
            _owners[id] = owner;
            return id;
        }
    }
}
