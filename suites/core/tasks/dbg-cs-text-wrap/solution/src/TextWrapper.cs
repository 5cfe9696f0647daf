using System.Text;
using System.Text.RegularExpressions;

namespace Formatting;

/// <summary>Greedy word wrapping for plain-text e-mails and console output.</summary>
public static partial class TextWrapper
{
    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex ParagraphBreak();

    private static readonly char[] Blanks = [' ', '\t', '\n'];

    /// <summary>
    /// Wraps <paramref name="text"/> into lines of at most <paramref name="width"/> characters,
    /// each starting with <paramref name="indent"/>.
    /// </summary>
    public static List<string> Wrap(string text, int width, string indent = "")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(indent);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (indent.Length >= width)
            throw new ArgumentException("indent must be shorter than width", nameof(indent));

        var lines = new List<string>();
        var normalized = text.Replace("\r\n", "\n").Trim();
        if (normalized.Length == 0) return lines;

        var room = width - indent.Length;
        var paragraphs = ParagraphBreak().Split(normalized);
        for (var p = 0; p < paragraphs.Length; p++)
        {
            if (p > 0) lines.Add("");
            var line = new StringBuilder(indent);
            var lineHasWords = false;
            foreach (var word in paragraphs[p].Split(Blanks, StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var piece in Pieces(word, room))
                {
                    if (!lineHasWords)
                    {
                        line.Append(piece);
                        lineHasWords = true;
                    }
                    else if (line.Length + 1 + piece.Length <= width) // a line may be exactly `width` long
                    {
                        line.Append(' ').Append(piece);
                    }
                    else
                    {
                        lines.Add(line.ToString());
                        line.Clear().Append(indent).Append(piece);
                    }
                }
            }
            if (lineHasWords) lines.Add(line.ToString());
        }
        return lines;
    }

    /// <summary>A word longer than the room on a line is cut into pieces that fit.</summary>
    private static IEnumerable<string> Pieces(string word, int room)
    {
        for (var start = 0; start < word.Length; start += room)
            yield return word.Substring(start, Math.Min(room, word.Length - start));
    }
}
