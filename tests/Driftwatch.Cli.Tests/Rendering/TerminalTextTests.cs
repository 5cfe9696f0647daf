using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Shouldly;
using Spectre.Console;
using Spectre.Console.Testing;

namespace Driftwatch.Cli.Tests.Rendering;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("plain text, unchanged", "plain text, unchanged")]
    [InlineData("\u001b]0;title\u0007", "␛]0;title␇")]
    [InlineData("\u001b[2J\u001b[1;32mOK\u001b[0m", "␛[2J␛[1;32mOK␛[0m")]
    [InlineData("a\u0000b\u0008c\u007fd", "a␀b␈c␡d")]
    [InlineData("8-bit CSI \u009b2J and NEL \u0085", "8-bit CSI �2J and NEL �")]
    [InlineData("lines\nand\ttabs\r\nstay", "lines\nand\ttabs\r\nstay")]
    [InlineData("a lone CR\roverwrites", "a lone CR␍overwrites")]
    [InlineData("ALL PASSED \u202Edeliaf 3\u202C", "ALL PASSED �deliaf 3�")]
    [InlineData("isolates \u2066a\u2067b\u2068c\u2069 and embeddings \u202A\u202B\u202D", "isolates �a�b�c� and embeddings ���")]
    public void Control_characters_are_shown_as_visible_symbols_and_newlines_tabs_and_crlf_are_kept(string text, string shown) =>
        TerminalText.Clean(text).ShouldBe(shown);

    [Fact]
    public void Escape_cleans_and_escapes_markup() =>
        TerminalText.Escape("[red]\u001b]52;c;eA==\u0007[/]").ShouldBe("[[red]]␛]]52;c;eA==␇[[/]]");

    [Fact]
    public async Task Every_way_to_the_terminal_shows_control_characters_as_symbols_even_without_the_helper()
    {
        // Given a CLI context on a console and an error writer
        var console = new TestConsole().Width(200);
        var error = new StringWriter();
        var cli = new CliContext { Out = console, Error = error, WorkingDirectory = ".", GetEnvironmentVariable = _ => null };

        // When text with escape sequences is written without TerminalText: as console text, in a table, raw, and as an error
        cli.Out.WriteLine("title \u001b]0;pwned\u0007");
        cli.Out.Write(new Table().AddColumn("model").AddRow(new Text("m\u001b[2J")));
        cli.RawOut.WriteLine("alert \u001b]52;c;eA==\u0007");
        await cli.RawOut.WriteLineAsync("console sink \u001b[2J".AsMemory(), TestContext.Current.CancellationToken);
        cli.WriteRaw("raw \u009b2J");
        cli.Error.WriteLine("error: \u001b[1;32mALL PASSED\u001b[0m");

        // Then no control character reaches either stream, and the sequences are there to see
        console.Output.ShouldNotContain('\u001b');
        console.Output.ShouldNotContain('\u009b');
        console.Output.ShouldContain("title ␛]0;pwned␇");
        console.Output.ShouldContain("alert ␛]52;c;eA==␇");
        console.Output.ShouldContain("raw �2J");
        console.Output.ShouldContain("console sink ␛[2J");
        error.ToString().ShouldBe("error: ␛[1;32mALL PASSED␛[0m\n");
    }
}
