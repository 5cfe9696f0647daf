using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Driftwatch.Core.Fingerprints;

namespace Driftwatch.Formats.Fingerprints;

/// <summary>
/// Reads usage from a response body as the client received it — one JSON document or a stream of
/// server-sent events — for the Anthropic, OpenAI and Gemini shapes. Compressed bodies are
/// decompressed for reading only.
/// </summary>
public static class HarnessResponseReader
{
    public static HarnessResponse Read(byte[] body, string? contentType, string? contentEncoding)
    {
        byte[] plain;
        try
        {
            plain = Decompress(body, contentEncoding);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return HarnessResponse.None;
        }
        if (plain.Length == 0)
            return HarnessResponse.None;
        var accumulator = new Accumulator();
        var streamed = contentType?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
        if (streamed)
        {
            foreach (var line in Encoding.UTF8.GetString(plain).Split('\n'))
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                    continue;
                var data = line[5..].Trim();
                if (data.Length > 0 && data[0] == '{')
                    accumulator.Add(data);
            }
        }
        else
        {
            accumulator.Add(Encoding.UTF8.GetString(plain));
        }
        return accumulator.Result(streamed);
    }

    private static byte[] Decompress(byte[] body, string? encoding)
    {
        Stream? decoder = encoding?.Trim().ToLowerInvariant() switch
        {
            "gzip" => new GZipStream(new MemoryStream(body), CompressionMode.Decompress),
            "br" => new BrotliStream(new MemoryStream(body), CompressionMode.Decompress),
            "deflate" => new ZLibStream(new MemoryStream(body), CompressionMode.Decompress),
            null or "" or "identity" => null,
            _ => throw new InvalidDataException($"cannot read content encoding {encoding}"),
        };
        if (decoder is null)
            return body;
        using (decoder)
        {
            using var output = new MemoryStream();
            decoder.CopyTo(output);
            return output.ToArray();
        }
    }

    private sealed class Accumulator
    {
        private string? _model;
        private long? _input, _output, _cacheRead, _cacheWrite;
        private string? _stop;

        public void Add(string json)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                Visit(document.RootElement);
            }
            catch (JsonException)
            {
                // a line that is not JSON: nothing to learn from it
            }
        }

        public HarnessResponse Result(bool streamed) => new(_model, _input, _output, _cacheRead, _cacheWrite, _stop, streamed);

        private void Visit(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
                return;
            // Anthropic: message_start carries the message; message_delta the stop reason and final output tokens.
            if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
                Visit(message);
            // OpenAI responses: response.completed carries the response.
            if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object)
                Visit(response);
            if (root.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object && String(delta, "stop_reason") is { } deltaStop)
                _stop = deltaStop;

            _model = String(root, "model") ?? String(root, "modelVersion") ?? _model;
            _stop = String(root, "stop_reason") ?? _stop;
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                    _stop = String(choice, "finish_reason") ?? _stop;
            }
            if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
            {
                foreach (var candidate in candidates.EnumerateArray())
                    _stop = String(candidate, "finishReason") ?? _stop;
            }
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                _input = Long(usage, "input_tokens") ?? Long(usage, "prompt_tokens") ?? _input;
                _output = Long(usage, "output_tokens") ?? Long(usage, "completion_tokens") ?? _output;
                _cacheRead = Long(usage, "cache_read_input_tokens")
                    ?? (usage.TryGetProperty("prompt_tokens_details", out var details) ? Long(details, "cached_tokens") : null)
                    ?? (usage.TryGetProperty("input_tokens_details", out var inputDetails) ? Long(inputDetails, "cached_tokens") : null)
                    ?? _cacheRead;
                _cacheWrite = Long(usage, "cache_creation_input_tokens") ?? _cacheWrite;
            }
            if (root.TryGetProperty("usageMetadata", out var gemini) && gemini.ValueKind == JsonValueKind.Object)
            {
                _input = Long(gemini, "promptTokenCount") ?? _input;
                _output = Long(gemini, "candidatesTokenCount") ?? _output;
                _cacheRead = Long(gemini, "cachedContentTokenCount") ?? _cacheRead;
            }
        }

        private static string? String(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static long? Long(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
    }
}
