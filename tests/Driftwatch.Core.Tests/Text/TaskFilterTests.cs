using Driftwatch.Core.Text;
using Shouldly;

namespace Driftwatch.Core.Tests.Text;

public sealed class TaskFilterTests
{
    [Theory]
    [InlineData("gen-*", "gen-word-frequencies", true)]
    [InlineData("gen-*", "dbg-ledger", false)]
    [InlineData("*-cs-*", "gen-cs-interval-merge", true)]
    [InlineData("dbg-?s-*", "dbg-js-map-limit", true)]
    [InlineData("dbg-[jc]s-*", "dbg-cs-price-cache", true)]
    [InlineData("dbg-[!j]s-*", "dbg-js-map-limit", false)]
    [InlineData("gen-*,dbg-*", "dbg-ledger", true)]
    [InlineData("gen-*,!gen-cs-*", "gen-cs-interval-merge", false)]
    [InlineData("!gen-*", "cmp-unique-slugs", true)]
    [InlineData("exact.id", "exactXid", false)]
    public void Matches_globs_lists_and_exclusions(string expression, string id, bool expected) =>
        new TaskFilter(expression).Matches(id).ShouldBe(expected);

    [Theory]
    [InlineData(",")]
    [InlineData("!")]
    [InlineData("gen-[abc")]
    [InlineData("gen-[]*")]
    [InlineData("gen-[!]*")]
    [InlineData("gen-[z-a]*")]
    public void Rejects_malformed_expressions(string expression) =>
        Should.Throw<InvalidInputException>(() => new TaskFilter(expression)).Message.ShouldStartWith("--tasks:");

    [Fact]
    public void A_reversed_range_is_named_with_its_pattern()
    {
        // Given a set whose range runs backwards
        var expression = "gen-*,dbg-[z-a]*";

        // When it is parsed
        var error = Should.Throw<InvalidInputException>(() => new TaskFilter(expression));

        // Then the message names the range and the expression, on one line
        error.Message.ShouldBe("--tasks: range 'z-a' runs backwards in 'gen-*,dbg-[z-a]*' (write it low to high: 'a-z')");
    }

    [Theory]
    [InlineData("gen-[a-c]*", "gen-b", true)]
    [InlineData("gen-[a-c]*", "gen-d", false)]
    [InlineData("gen-[-a]*", "gen--x", true)]
    [InlineData("gen-[a-]*", "gen--x", true)]
    [InlineData("gen-[a-a]", "gen-a", true)]
    public void Ranges_and_literal_dashes_in_sets(string expression, string id, bool expected) =>
        new TaskFilter(expression).Matches(id).ShouldBe(expected);
}
