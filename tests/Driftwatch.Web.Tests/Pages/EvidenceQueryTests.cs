using Driftwatch.Core.Runs;
using Driftwatch.Web.Pages;
using Driftwatch.Web.Views;
using Shouldly;

namespace Driftwatch.Web.Tests.Pages;

public sealed class EvidenceQueryTests
{
    private static (EvidenceFilter? Filter, string? Error) Parse(params (string Name, string Value)[] query) =>
        EvidenceQuery.Parse(name => [.. query.Where(q => q.Name == name).Select(q => q.Value)]);

    [Fact]
    public void A_filter_written_as_a_query_string_reads_back_equal()
    {
        var filter = new EvidenceFilter
        {
            From = new DateOnly(2026, 3, 2),
            To = new DateOnly(2026, 3, 20),
            Category = "debugging",
            Outcome = TrialOutcome.Timeout,
            Agents = ["a b", "c&d"],
            Window = 7,
        };

        var query = EvidenceQuery.Format(filter);

        query.ShouldBe("?from=2026-03-02&to=2026-03-20&category=debugging&outcome=timeout&agent=a%20b&agent=c%26d&window=7");
        var pairs = query[1..].Split('&').Select(p => p.Split('=')).Select(p => (p[0], Uri.UnescapeDataString(p[1]))).ToArray();
        var (back, error) = Parse(pairs);
        error.ShouldBeNull();
        back!.From.ShouldBe(filter.From);
        back.To.ShouldBe(filter.To);
        back.Category.ShouldBe(filter.Category);
        back.Outcome.ShouldBe(filter.Outcome);
        back.Agents.ShouldBe(filter.Agents);
        back.Window.ShouldBe(7);
        EvidenceQuery.Format(EvidenceFilter.All).ShouldBe("");
    }

    [Fact]
    public void Empty_fields_as_a_form_sends_them_mean_no_filter()
    {
        var (filter, error) = Parse(("from", ""), ("to", " "), ("category", ""), ("outcome", ""), ("agent", ""));

        error.ShouldBeNull();
        filter!.Any.ShouldBeFalse();
        filter.Window.ShouldBe(1);
    }

    [Theory]
    [InlineData("from", "03/02/2026", "from: '03/02/2026' is not a date (YYYY-MM-DD)")]
    [InlineData("to", "yesterday", "to: 'yesterday' is not a date (YYYY-MM-DD)")]
    [InlineData("category", "refactoring", "category: 'refactoring' is not one of generation, completion, debugging")]
    [InlineData("outcome", "maybe", "outcome: 'maybe' is not one of pass, fail, timeout, error")]
    [InlineData("window", "14", "window: '14' is not one of 1, 7, 30 (days)")]
    public void A_value_that_cannot_be_read_is_refused_naming_its_field(string field, string value, string message)
    {
        var (filter, error) = Parse((field, value));

        filter.ShouldBeNull();
        error.ShouldBe(message);
    }

    [Fact]
    public void A_range_that_ends_before_it_starts_is_refused()
    {
        var (filter, error) = Parse(("from", "2026-03-10"), ("to", "2026-03-01"));

        filter.ShouldBeNull();
        error.ShouldBe("from: 2026-03-10 is after to: 2026-03-01");
    }
}
