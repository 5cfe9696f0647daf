using System.Text.Json;
using System.Text.Json.Serialization;

namespace Driftwatch.Core.Detection;

/// <summary>
/// A verdict as JSON and back, whole (its trace, signals and tracker windows too), for the verdicts
/// a store keeps. Not an output format: `check --json` and the API have their own, stable shapes.
/// </summary>
public static class KeptVerdictJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(Verdict verdict) => JsonSerializer.Serialize(verdict, Options);

    /// <summary>The verdict <paramref name="json"/> holds, or null when it does not read as one (kept by another build, say).</summary>
    public static Verdict? Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Verdict>(json, Options);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The options a verdict depends on, as text: the detector by name, everything else by value.</summary>
    internal static string Describe(CheckOptions options) => JsonSerializer.Serialize(new
    {
        Detector = options.Detector.Name,
        options.Detection,
        options.BaselineDays,
        options.Baseline,
        options.RollingWindow,
        options.Signals,
    }, Options);
}
