using System.Globalization;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Api;

/// <summary>
/// A page of /api/runs (#20): at most <see cref="MaxSize"/> runs, <see cref="DefaultSize"/> unless
/// asked, the next older page named by its cursor (the oldest run of this one).
/// </summary>
internal static class RunPage
{
    public const int DefaultSize = 100;
    public const int MaxSize = 1000;

    /// <summary>The address of the page of <paramref name="size"/> runs before run <paramref name="before"/>, with the same filters.</summary>
    public static string Next(string? agent, string? suite, int size, long before)
    {
        var parts = new List<string>();
        if (agent is not null)
            parts.Add("agent=" + Uri.EscapeDataString(agent));
        if (suite is not null)
            parts.Add("suite=" + Uri.EscapeDataString(suite));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"limit={size}"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"before={before}"));
        return "/api/runs?" + string.Join("&", parts);
    }
}

/// <summary>
/// The days of /api/overview and /api/verdicts (#20): the last <see cref="Days"/> calendar days of
/// each history, up to its latest day (<see cref="DefaultDays"/> unless asked), or every day when null.
/// </summary>
internal sealed record DayWindow(int? Days)
{
    public const int DefaultDays = 90;

    /// <summary>The first day shown of <paramref name="series"/>, or null for every day.</summary>
    public DateOnly? From(SeriesView series) =>
        Days is { } days && series.Days.Count > 0 ? series.Days[^1].Day.AddDays(1 - days) : null;
}
