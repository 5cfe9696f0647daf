using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Driftwatch.Cli.Rendering;

/// <summary>
/// Text from agents and from the database is data, never terminal control: a model name, a
/// transcript or an error message could otherwise set the window title, clear the screen, write
/// the clipboard (OSC 52) or print a fake green line. Every control character but newline and
/// tab — C0, DEL, C1, and so every escape sequence — is shown as a visible symbol instead
/// (ESC as ␛, BEL as ␇; C1 as �), and so is every bidirectional override, embedding and isolate
/// (as �), which would reorder what is shown. A CR is kept only before a LF (CSV's line ends).
/// </summary>
internal static class TerminalText
{
    /// <summary>Whether <paramref name="text"/> holds a character a terminal would act on.</summary>
    public static bool HasControl(string? text)
    {
        if (text is null)
            return false;
        for (var i = 0; i < text.Length; i++)
        {
            if (IsControl(text, i))
                return true;
        }
        return false;
    }

    /// <summary><paramref name="text"/> with its control characters made visible (the same string when it has none).</summary>
    public static string Clean(string? text)
    {
        if (text is null)
            return "";
        if (!HasControl(text))
            return text;
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
            clean.Append(IsControl(text, i) ? Visible(text[i]) : text[i]);
        return clean.ToString();
    }

    /// <summary>For Spectre markup: the text cleaned, then markup-escaped. Every string from an agent or the database goes through this.</summary>
    public static string Escape(string? text) => Markup.Escape(Clean(text));

    private static bool IsControl(string text, int i) => text[i] switch
    {
        '\n' or '\t' => false,
        '\r' => i + 1 >= text.Length || text[i + 1] != '\n',
        < ' ' => true,
        >= '\u007f' and <= '\u009f' => true,
        // Bidirectional embeddings, overrides and isolates reorder what the terminal shows
        // ("Trojan Source"): a failing line could read as a passing one.
        >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' => true,
        _ => false,
    };

    /// <summary>The Unicode control picture of a C0 character (U+2400…), ␡ for DEL, � for C1 and bidirectional controls.</summary>
    private static char Visible(char c) => c switch
    {
        < ' ' => (char)(0x2400 + c),
        '\u007f' => '\u2421',
        _ => '\uFFFD',
    };
}

/// <summary>
/// The console every command writes to: anything it renders has the control characters in its
/// text made visible, so that a string that reached the screen without <see cref="TerminalText.Escape"/>
/// still cannot act on the terminal. Spectre's own control codes (colours, cursor moves of the
/// live progress) are not text and pass unchanged.
/// </summary>
internal sealed class TerminalSafeConsole : IAnsiConsole
{
    private readonly IAnsiConsole _inner;

    private TerminalSafeConsole(IAnsiConsole inner) => _inner = inner;

    public static IAnsiConsole Wrap(IAnsiConsole console) => console as TerminalSafeConsole ?? new TerminalSafeConsole(console);

    public Profile Profile => _inner.Profile;
    public IAnsiConsoleCursor Cursor => _inner.Cursor;
    public IAnsiConsoleInput Input => _inner.Input;
    public IExclusivityMode ExclusivityMode => _inner.ExclusivityMode;
    public RenderPipeline Pipeline => _inner.Pipeline;

    public void Clear(bool home) => _inner.Clear(home);

    public void Write(IRenderable renderable) => _inner.Write(new Inert(renderable));

    public void WriteAnsi(Action<AnsiWriter> action) => _inner.WriteAnsi(action);

    private sealed class Inert(IRenderable inner) : IRenderable
    {
        public Measurement Measure(RenderOptions options, int maxWidth) => inner.Measure(options, maxWidth);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth) =>
            inner.Render(options, maxWidth).Select(s => s.IsControlCode || s.IsLineBreak || !TerminalText.HasControl(s.Text) ? s : new Segment(TerminalText.Clean(s.Text), s.Style));
    }
}

/// <summary>A writer of plain text (errors, JSON, exports, alerts) to the terminal, with control characters made visible.</summary>
internal sealed class TerminalSafeWriter : TextWriter
{
    private readonly TextWriter _inner;

    private TerminalSafeWriter(TextWriter inner) => _inner = inner;

    public static TextWriter Wrap(TextWriter writer) => writer as TerminalSafeWriter ?? new TerminalSafeWriter(writer);

    public override Encoding Encoding => _inner.Encoding;

    public override void Write(char value) => _inner.Write(TerminalText.Clean(value.ToString()));

    public override void Write(string? value) => _inner.Write(TerminalText.Clean(value));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => _inner.WriteLine(TerminalText.Clean(value));

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync() => _inner.FlushAsync();

    public override Task WriteAsync(string? value) => _inner.WriteAsync(TerminalText.Clean(value));
}
