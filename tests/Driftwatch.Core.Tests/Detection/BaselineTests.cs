using Driftwatch.Core.Detection;
using Driftwatch.Core.Statistics;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

public sealed class BaselineTests
{
    private static DayCounts Day(int[] trials, int[] passes) => new(default, trials, passes);

    [Fact]
    public void Task_rates_are_shrunk_toward_the_suite_mean()
    {
        // Given 30 days where task 0 always passed, task 1 never did and the rest are in between
        var rng = new Rng(1);
        var rates = new[] { 1.0, 0.0, 0.5, 0.6, 0.4, 0.7, 0.3, 0.55 };
        var days = Enumerable.Range(0, 30).Select(_ => Day(
            Enumerable.Repeat(1, rates.Length).ToArray(),
            rates.Select(p => rng.NextDouble() < p ? 1 : 0).ToArray())).ToList();

        // When the baseline is fitted
        var baseline = Baseline.Fit(days);

        // Then no task is exactly 0 or 1, and the order is kept
        baseline.Rates[0].ShouldBeInRange(0.9, 0.9999);
        baseline.Rates[1].ShouldBeInRange(0.0001, 0.1);
        baseline.Rates[0].ShouldBeGreaterThan(baseline.Rates[5]);
        baseline.Days.ShouldBe(30);
        baseline.PassRate.ShouldBe(days.Sum(d => d.TotalPasses) / (double)days.Sum(d => d.TotalTrials));
    }

    [Fact]
    public void Its_daily_variance_is_poisson_binomial_not_binomial()
    {
        var baseline = Baseline.Of([0.99, 0.01, 0.6, 0.6]);
        var (mean, variance) = baseline.Expect([1, 1, 1, 1]);

        mean.ShouldBe(2.2, 1e-12);
        variance.ShouldBe(0.0099 + 0.0099 + 0.24 + 0.24, 1e-12);
        baseline.Expect([0, 0, 2, 0]).Variance.ShouldBe(0.48, 1e-12);
    }

    [Fact]
    public void A_day_effect_in_the_data_is_estimated_and_inflates_the_variance()
    {
        // Given 300 days whose logits all move together by N(0, 0.5²) each day
        var rng = new Rng(9);
        var logits = Enumerable.Range(0, 40).Select(i => -1.5 + 3.0 * i / 39).ToArray();
        var trials = Enumerable.Repeat(2, 40).ToArray();
        var days = Enumerable.Range(0, 300).Select(_ =>
        {
            var shock = 0.5 * rng.NextNormal();
            return Day(trials, logits.Select(l => rng.NextBinomial(2, Logit.Inverse(l + shock))).ToArray());
        }).ToList();

        var baseline = Baseline.Fit(days);

        baseline.DayShockSd.ShouldBe(0.5, 0.12);
        var (_, variance) = baseline.Expect(trials);
        variance.ShouldBeGreaterThan(baseline.Rates.Sum(p => 2 * p * (1 - p)) * 1.5);
    }

    [Fact]
    public void No_day_effect_is_modelled_when_the_days_show_none()
    {
        var rng = new Rng(4);
        var found = 0;
        for (var round = 0; round < 50; round++)
        {
            var days = Enumerable.Range(0, 30).Select(_ => Day(Enumerable.Repeat(1, 50).ToArray(),
                Enumerable.Range(0, 50).Select(i => rng.NextDouble() < 0.2 + 0.6 * i / 49 ? 1 : 0).ToArray())).ToList();
            if (Baseline.Fit(days).DayShockSd > 0)
                found++;
        }
        // The gate lets about one baseline in ten through by chance (one-sided 10%).
        found.ShouldBeLessThanOrEqualTo(10);
    }

    [Fact]
    public void The_logit_shift_moves_the_suite_mean_by_exactly_the_drop()
    {
        var rates = new[] { 0.99, 0.01, 0.7, 0.5, 0.3, 0.85 };

        var shift = Logit.ShiftForMeanChange(rates, -0.05);

        rates.Average(p => Logit.Inverse(Logit.Of(p) + shift)).ShouldBe(rates.Average() - 0.05, 1e-9);
        shift.ShouldBeLessThan(0);
    }
}
