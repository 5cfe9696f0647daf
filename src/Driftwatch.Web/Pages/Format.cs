using System.Globalization;

namespace Driftwatch.Web.Pages;

/// <summary>How pages write numbers, money, times and rates (invariant culture, "–" for unknown).</summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Percent(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString("0.0%", Invariant) : "–";

    public static string Number(long? value) => value?.ToString("N0", Invariant) ?? "–";

    public static string Money(decimal? value) => value is { } v ? v.ToString("$0.0000", Invariant) : "–";

    public static string Duration(long ms) =>
        ms >= 60_000 ? TimeSpan.FromMilliseconds(ms).ToString(@"m\m\ ss\s", Invariant) : (ms / 1000.0).ToString("0.0 's'", Invariant);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", Invariant);

    public static string Points(double? change) => change is { } c ? (c * 100).ToString("+0.0;−0.0;0.0", Invariant) + " pts" : "–";

    /// <summary>A cell background from red (0%) through yellow to green (100%), light enough for dark text.</summary>
    public static string RateBackground(double rate) =>
        double.IsNaN(rate) ? "background:#eeeeee" : string.Create(Invariant, $"background:hsl({rate * 120:0},60%,82%)");

    /// <summary>"a fail", "an error".</summary>
    public static string WithArticle(string noun) => (noun.Length > 0 && "aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an " : "a ") + noun;

    /// <summary>A short axis label for a count: 1.2k, 3.4M.</summary>
    public static string Compact(double value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.#", Invariant) + "M",
        >= 1_000 => (value / 1_000).ToString("0.#", Invariant) + "k",
        _ => value.ToString("0.##", Invariant),
    };
}
