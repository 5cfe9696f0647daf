using System.IO.Compression;
using System.Text;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Formats.Fingerprints;
using Shouldly;

namespace Driftwatch.Formats.Tests.Fingerprints;

public sealed class HarnessReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> ClaudeHeaders = new(StringComparer.Ordinal)
    {
        ["user-agent"] = "claude-cli/2.1.332 (external, sdk-cli)",
        ["anthropic-version"] = "2023-06-01",
        ["anthropic-beta"] = "interleaved-thinking-2025-05-14, claude-code-20250219,effort-2025-11-24",
        ["x-api-key"] = "sk-ant-secret-value",
        ["authorization"] = "Bearer sk-ant-secret-value",
    };

    private static string MessagesBody(string workspace, string day, string effort = "high") => $$"""
        {
          "model": "claude-opus-5-5",
          "max_tokens": 128000,
          "stream": true,
          "metadata": {"user_id": "{\"device_id\":\"abc\",\"session_id\":\"{{Guid.NewGuid()}}\"}"},
          "thinking": {"type": "adaptive", "display": "updates"} ,
          "output_config": {"effort": "{{effort}}" },
          "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.332.a21;"},
            {"type": "text", "text": "You are a Claude agent.", "cache_control": {"type": "ephemeral"} }
          ],
          "tools": [
            {"name": "Read", "description": "Reads a file.", "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"} } } },
            {"name": "Write", "description": "Writes a file.", "input_schema": {"type": "object"} }
          ],
          "messages": [
            {"role": "user", "content": [
              {"type": "text", "text": "<system-reminder>\nBe careful.\n</system-reminder>\n"},
              {"type": "text", "text": "Implement add() in calc.py"}
            ]},
            {"role": "system", "content": [{"type": "text", "text": "Primary working directory: {{workspace}}\nToday's date is {{day}}."}] },
            {"role": "assistant", "content": [{"type": "text", "text": "Reading."}] },
            {"role": "user", "content": [{"type": "text", "text": "<system-reminder>later reminder</system-reminder>"}] }
          ]
        }
        """;

    private static (HarnessRequest Request, IReadOnlyList<HarnessText> Texts) Read(string body, string workspace = "/tmp/t1/workspace") =>
        HarnessRequestReader.Read("POST", "/v1/messages?beta=true", ClaudeHeaders, Encoding.UTF8.GetBytes(body), [(workspace, "<workspace>")], Now, 0);

    [Fact]
    public void A_Messages_request_gives_model_prompts_tools_parameters_betas_and_client()
    {
        var (request, texts) = Read(MessagesBody("/tmp/t1/workspace", "2026-11-26"));

        request.Api.ShouldBe("anthropic-messages");
        request.Model.ShouldBe("claude-opus-5-5");
        request.Streamed.ShouldBeTrue();
        request.IsMainLoop.ShouldBeTrue();
        request.ToolNames.ShouldBe(["Read", "Write"]);
        request.UserAgent.ShouldBe("claude-cli/2.1.332 (external, sdk-cli)");
        request.ApiVersion.ShouldBe("2023-06-01");
        request.Betas.ShouldBe(["claude-code-20250219", "effort-2025-11-24", "interleaved-thinking-2025-05-14"]);
        request.Parameters["output_config.effort"].ShouldBe("\"high\"");
        request.Parameters["thinking.type"].ShouldBe("\"adaptive\"");
        request.Parameters["max_tokens"].ShouldBe("128000");
        request.Parameters.Keys.ShouldNotContain("metadata.user_id");
        request.Parameters.Keys.ShouldNotContain("stream");

        var system = texts.Single(t => t.Kind == HarnessTextKind.SystemPrompt);
        system.Hash.ShouldBe(request.SystemHash);
        system.Text.ShouldBe("x-anthropic-billing-header: cc_version=2.1.332.a21;\n\nYou are a Claude agent.");
        var context = texts.Single(t => t.Kind == HarnessTextKind.Context).Text;
        context.ShouldContain("Be careful.");
        context.ShouldContain("Primary working directory: <workspace>");
        context.ShouldContain("Today's date is <date>.");
        context.ShouldNotContain("Implement add()");
        context.ShouldNotContain("later reminder");
        texts.Single(t => t.Kind == HarnessTextKind.Tools).Text.ShouldContain("\"file_path\"");
    }

    [Fact]
    public void Credentials_are_never_part_of_what_is_recorded()
    {
        var (request, texts) = Read(MessagesBody("/tmp/t1/workspace", "2026-11-26"));

        var everything = System.Text.Json.JsonSerializer.Serialize(request) + string.Join("", texts.Select(t => t.Text));
        everything.ShouldNotContain("sk-ant-secret-value");
    }

    [Fact]
    public void Trials_differing_only_in_workspace_date_and_session_share_one_fingerprint()
    {
        var (first, _) = Read(MessagesBody("/tmp/t1/workspace", "2026-11-26"), "/tmp/t1/workspace");
        var (second, _) = Read(MessagesBody("/tmp/t2/workspace", "2026-11-27"), "/tmp/t2/workspace");
        var (slower, _) = Read(MessagesBody("/tmp/t3/workspace", "2026-11-27", effort: "medium"), "/tmp/t3/workspace");

        second.Fingerprint.ShouldBe(first.Fingerprint);
        second.ContextHash.ShouldBe(first.ContextHash);
        slower.Fingerprint.ShouldNotBe(first.Fingerprint);
        slower.SystemHash.ShouldBe(first.SystemHash);
    }

    [Fact]
    public void An_OpenAI_chat_request_gives_its_system_messages_and_function_tools()
    {
        var body = """
            {"model": "gpt-5", "temperature": 0.2, "stream": true, "stream_options": {"include_usage": true},
             "messages": [{"role": "developer", "content": "You are Codex."}, {"role": "user", "content": "task"}],
             "tools": [{"type": "function", "function": {"name": "shell", "parameters": {}}}]}
            """;

        var (request, texts) = HarnessRequestReader.Read("POST", "/v1/chat/completions", new Dictionary<string, string>(), Encoding.UTF8.GetBytes(body), [], Now, 3);

        request.Api.ShouldBe("openai-chat");
        request.Sequence.ShouldBe(3);
        request.Model.ShouldBe("gpt-5");
        request.ToolNames.ShouldBe(["shell"]);
        request.Parameters.Keys.ShouldBe(["temperature"]);
        texts.Single(t => t.Kind == HarnessTextKind.SystemPrompt).Text.ShouldBe("You are Codex.");
    }

    [Fact]
    public void A_body_that_is_not_JSON_is_recorded_by_path_only()
    {
        var (request, texts) = HarnessRequestReader.Read("GET", "/v1/models", new Dictionary<string, string>(), "not json"u8, [], Now, 0);

        request.Api.ShouldBe("other");
        request.Model.ShouldBeNull();
        texts.ShouldBeEmpty();
    }

    [Fact]
    public void A_streamed_Anthropic_response_gives_model_usage_and_stop_reason()
    {
        var events = """
            event: message_start
            data: {"type":"message_start","message":{"id":"m","model":"claude-opus-5-5","usage":{"input_tokens":1000,"output_tokens":1,"cache_read_input_tokens":50,"cache_creation_input_tokens":7}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":200}}

            event: message_stop
            data: {"type":"message_stop"}

            """;

        var response = HarnessResponseReader.Read(Encoding.UTF8.GetBytes(events), "text/event-stream; charset=utf-8", null);

        response.ShouldBe(new HarnessResponse("claude-opus-5-5", 1000, 200, 50, 7, "tool_use", Streamed: true));
    }

    [Fact]
    public void A_compressed_OpenAI_response_is_read_after_decompression()
    {
        var json = """{"model":"gpt-5","choices":[{"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}}}""";
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(json));

        var response = HarnessResponseReader.Read(compressed.ToArray(), "application/json", "gzip");

        response.ShouldBe(new HarnessResponse("gpt-5", 12, 5, 4, null, "stop", Streamed: false));
    }
}
