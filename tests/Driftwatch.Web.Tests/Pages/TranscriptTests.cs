using Driftwatch.Web.Pages;
using Driftwatch.Web.Pages.Components;
using Shouldly;

namespace Driftwatch.Web.Tests.Pages;

public sealed class TranscriptTests
{
    [Fact]
    public async Task Stream_json_becomes_turns_with_tool_calls_and_results()
    {
        var transcript = string.Join('\n',
            """{"type":"assistant","message":{"content":[{"type":"text","text":"Reading <main.py>"},{"type":"tool_use","name":"Read","input":{"file_path":"main.py"}}]}}""",
            """{"type":"user","message":{"content":[{"type":"tool_result","content":[{"type":"text","text":"print(1)"}],"is_error":true}]}}""",
            """{"type":"result","subtype":"error_max_turns","num_turns":50}""");

        var html = await Render(transcript);

        html.ShouldContain("<div class=\"turn assistant\"><div class=\"who\">assistant</div><pre>Reading &lt;main.py&gt;</pre></div>");
        html.ShouldContain("tool call: Read");
        html.ShouldContain("tool result (error)");
        html.ShouldContain("print(1)");
        html.ShouldContain("subtype: error_max_turns");
        html.ShouldContain("num_turns: 50");
    }

    [Fact]
    public async Task Plain_text_is_shown_as_recorded_and_escaped()
    {
        var html = await Render("aider> fix it\n<script>alert(1)</script>\n");

        html.ShouldStartWith("<pre class=\"transcript\">");
        html.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        html.ShouldNotContain("<script>");
    }

    /// <summary>The transcript component alone, rendered to HTML as a page renders it.</summary>
    private static Task<string> Render(string transcript) =>
        PageRenderer.RenderAsync<Transcript>(new Dictionary<string, object?> { ["Text"] = transcript });
}
