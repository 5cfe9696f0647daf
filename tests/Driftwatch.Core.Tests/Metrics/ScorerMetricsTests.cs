using Driftwatch.Core.Detection.Signals;
using Driftwatch.Core.Metrics;
using Shouldly;

namespace Driftwatch.Core.Tests.Metrics;

public sealed class ScorerMetricsTests
{
    [Fact]
    public void Every_scorer_metric_is_in_the_catalog_as_a_quality_signal()
    {
        // Given the scorers' metrics
        // Then each is listed in the catalog (so stored, exported and watched) and is a quality signal
        foreach (var metric in ScorerMetrics.All)
        {
            TrialMetrics.All.ShouldContain(metric);
            metric.Kind.ShouldBe(SignalKind.Quality);
        }
    }

    [Fact]
    public void Differences_and_shares_are_absolute_and_only_the_size_ratio_is_relative()
    {
        // Figures that can be zero or negative are judged absolutely; the size ratio is a positive, skewed multiple
        ScorerMetrics.All.Where(m => m.Relative).ShouldBe([ScorerMetrics.ChangeSizeRatio]);
        ScorerMetrics.LintBeyondReference.Polarity.ShouldBe(SignalPolarity.HigherIsWorse);
        ScorerMetrics.ComplexityBeyondReference.Polarity.ShouldBe(SignalPolarity.HigherIsWorse);
        ScorerMetrics.CompletionEditSimilarity.Polarity.ShouldBe(SignalPolarity.LowerIsWorse);
        ScorerMetrics.FaultHunksTouched.Polarity.ShouldBe(SignalPolarity.LowerIsWorse);
        ScorerMetrics.FaultLinesOutside.Polarity.ShouldBe(SignalPolarity.HigherIsWorse);
    }

    [Fact]
    public void A_scorer_metric_reads_back_the_value_the_runner_recorded_and_is_absent_without_one()
    {
        // Given a trial with a recorded lint figure and no completion figure
        var trial = SampleTrial.Finished() with { Metrics = MetricDictionary.Of([new("lintBeyondReference", -2)]) };

        // When the catalog measures it
        var values = TrialMetrics.Measure(trial);

        // Then the recorded value is kept (even negative) and the missing one stays absent, not zero
        values.Get("lintBeyondReference").ShouldBe(-2);
        values.ContainsKey("completionEditSimilarity").ShouldBeFalse();
    }
}
