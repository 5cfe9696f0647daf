using System.Globalization;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Detection;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Pages;

/// <summary>
/// An <see cref="EvidenceFilter"/> to and from a query string (<c>?from=2026-04-01&amp;to=…&amp;category=debugging&amp;outcome=fail&amp;agent=a&amp;agent=b&amp;window=7</c>),
/// so that a page's filters are a plain GET form that works without script, and every view has a link.
/// </summary>
internal static class EvidenceQuery
{
    public static readonly IReadOnlyList<string> Categories = ["generation", "completion", "debugging"];

    /// <summary>The query string of <paramref name="filter"/> ("" for none), starting with '?'.</summary>
    public static string Format(EvidenceFilter? filter)
    {
        if (filter is null)
            return "";
        var parts = new List<string>();
        if (filter.From is { } from)
            parts.Add("from=" + from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (filter.To is { } to)
            parts.Add("to=" + to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (filter.Category is { } category)
            parts.Add("category=" + Uri.EscapeDataString(category));
        if (filter.Outcome is { } outcome)
            parts.Add("outcome=" + outcome.Name());
        parts.AddRange(filter.Agents.Select(a => "agent=" + Uri.EscapeDataString(a)));
        if (filter.Window > 1)
            parts.Add("window=" + filter.Window.ToString(CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    /// <summary>
    /// Reads a filter from query values (empty values count as absent, as a form sends them).
    /// Returns the filter, or the reason it cannot be read, naming the field.
    /// </summary>
    public static (EvidenceFilter? Filter, string? Error) Parse(Func<string, IReadOnlyList<string>> values)
    {
        string? One(string name) => Last(values, name);
        var filter = EvidenceFilter.All;
        foreach (var field in new[] { "from", "to" })
        {
            if (One(field) is not { } text)
                continue;
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return (null, $"{field}: '{text}' is not a date (YYYY-MM-DD)");
            filter = field == "from" ? filter with { From = day } : filter with { To = day };
        }
        if (filter.From is { } f && filter.To is { } t && f > t)
            return (null, $"from: {f:yyyy-MM-dd} is after to: {t:yyyy-MM-dd}");
        if (One("category") is { } category)
        {
            if (!Categories.Contains(category, StringComparer.Ordinal))
                return (null, $"category: '{category}' is not one of {string.Join(", ", Categories)}");
            filter = filter with { Category = category };
        }
        if (One("outcome") is { } outcomeText)
        {
            var outcome = Enum.GetValues<TrialOutcome>().Cast<TrialOutcome?>().FirstOrDefault(o => o!.Value.Name() == outcomeText);
            if (outcome is null)
                return (null, $"outcome: '{outcomeText}' is not one of {string.Join(", ", Enum.GetValues<TrialOutcome>().Select(o => o.Name()))}");
            filter = filter with { Outcome = outcome };
        }
        var agents = values("agent").Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (agents.Count > 0)
            filter = filter with { Agents = agents };
        if (One("window") is { } windowText)
        {
            if (!int.TryParse(windowText, NumberStyles.None, CultureInfo.InvariantCulture, out var window) || !EvidenceFilter.Windows.Contains(window))
                return (null, $"window: '{windowText}' is not one of {string.Join(", ", EvidenceFilter.Windows)} (days)");
            filter = filter with { Window = window };
        }
        return (filter, null);
    }

    /// <summary>Reads the overview's filter (<c>?agent=A&amp;suite=S&amp;status=degraded</c>), or the reason it cannot, naming the field.</summary>
    public static (OverviewFilter? Filter, string? Error) ParseOverview(Func<string, IReadOnlyList<string>> values)
    {
        string? One(string name) => Last(values, name);
        VerdictStatus? status = null;
        if (One("status") is { } text)
        {
            var byName = Enum.GetValues<VerdictStatus>().ToDictionary(s => s.ToString().ToLowerInvariant(), s => s, StringComparer.Ordinal);
            if (!byName.TryGetValue(text, out var chosen))
                return (null, $"status: '{text}' is not one of {string.Join(", ", byName.Keys)}");
            status = chosen;
        }
        return (new OverviewFilter(One("agent"), One("suite"), status), null);
    }

    /// <summary>A field's last non-empty value, trimmed (a form sends empty fields; a repeated one counts once, the last).</summary>
    private static string? Last(Func<string, IReadOnlyList<string>> values, string name) =>
        values(name).LastOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
