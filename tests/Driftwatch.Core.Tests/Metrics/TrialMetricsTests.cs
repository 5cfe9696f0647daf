using Driftwatch.Core.Metrics;
using Driftwatch.Core.Runs;
using Shouldly;

namespace Driftwatch.Core.Tests.Metrics;

public sealed class TrialMetricsTests
{
    private sealed class Fixed(string name, double? value) : ITrialMetric
    {
        public string Name => name;

        public string Unit => "count";

        public double? Measure(Trial trial) => value;
    }

    [Fact]
    public void Every_catalog_metric_has_a_unique_camel_case_name_and_a_unit()
    {
        // Given the catalog
        var names = TrialMetrics.All.Select(m => m.Name).ToList();

        // Then the names are distinct, camelCase identifiers (JSON keys, CSV column suffixes) and each metric says its unit
        names.ShouldBeUnique();
        names.ShouldAllBe(n => n.Length > 0 && char.IsAsciiLetterLower(n[0]) && n.All(char.IsAsciiLetterOrDigit));
        TrialMetrics.All.ShouldAllBe(m => m.Unit.Length > 0);
    }

    [Fact]
    public void Measuring_keeps_each_metric_that_has_a_value_by_its_name_and_leaves_out_those_without()
    {
        // Given two metrics with a value and one the trial does not have
        ITrialMetric[] metrics = [new Fixed("turnsPerTest", 2.5), new Fixed("unknown", null), new Fixed("zero", 0)];

        // When a trial is measured
        var values = TrialMetrics.Measure(SampleTrial.Finished(), metrics);

        // Then the two values are there by name and the missing one is absent, not zero
        values.Count.ShouldBe(2);
        values.Get("turnsPerTest").ShouldBe(2.5);
        values.Get("zero").ShouldBe(0);
        values.ContainsKey("unknown").ShouldBeFalse();
    }

    [Fact]
    public void Trials_with_the_same_metric_values_are_equal_and_with_different_ones_are_not()
    {
        // Given one trial measured twice, and once with another value
        var trial = SampleTrial.Finished();
        var first = trial with { Metrics = MetricDictionary.Of([new("a", 1), new("b", 2)]) };
        var second = trial with { Metrics = MetricDictionary.Of([new("b", 2), new("a", 1)]) };
        var other = trial with { Metrics = MetricDictionary.Of([new("a", 1), new("b", 3)]) };

        // Then equal values make equal trials, whatever the order they were given in
        second.ShouldBe(first);
        second.GetHashCode().ShouldBe(first.GetHashCode());
        other.ShouldNotBe(first);
    }

    [Fact]
    public void A_metric_dictionary_finds_each_name_in_ordinal_order_and_refuses_a_name_given_two_values()
    {
        // Given metrics given out of order, one of them twice with the same value
        var metrics = MetricDictionary.Of([new("outputTokens", 7), new("Zeta", 1), new("costUsd", 0.1), new("outputTokens", 7), new("a", double.NaN)]);

        // Then each is found by its name, the names are in ordinal order, and a missing one is absent
        metrics.Count.ShouldBe(4);
        metrics.Keys.ShouldBe(["Zeta", "a", "costUsd", "outputTokens"]);
        metrics["costUsd"].ShouldBe(0.1);
        metrics.Get("outputTokens").ShouldBe(7);
        metrics.Get("outputtokens").ShouldBeNull();
        metrics.ContainsKey("b").ShouldBeFalse();
        Should.Throw<KeyNotFoundException>(() => metrics["b"]);
        metrics.ShouldBe(MetricDictionary.Of([new("a", double.NaN), new("costUsd", 0.1), new("Zeta", 1), new("outputTokens", 7)]));
        MetricDictionary.Of([]).ShouldBeSameAs(MetricDictionary.None);

        // And one name with two values is an error
        Should.Throw<ArgumentException>(() => MetricDictionary.Of([new("a", 1), new("a", 2)]));
    }
}
