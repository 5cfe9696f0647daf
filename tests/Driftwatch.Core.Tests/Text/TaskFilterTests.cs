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
    public void Rejects_malformed_expressions(string expression) =>
        Should.Throw<InvalidInputException>(() => new TaskFilter(expression)).Message.ShouldStartWith("--tasks:");
}
