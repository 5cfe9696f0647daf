using Driftwatch.Core.Detection;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

/// <summary>
/// Calibrations reused while their inputs are unchanged (#20): a new day like the days before
/// leaves every calibration's key as it was, a hit gives the verdict recalibrating gives, and a
/// changed baseline simulates again.
/// </summary>
public sealed class CalibrationMemoTests
{
    private static History Tokens(int days, ulong seed = 3) => new HistoryBuilder(20, seed).Days(days, tokens: 1).Build();

    private static History WithoutLastRun(History history) => history with { Runs = [.. history.Runs.Take(history.Runs.Count - 1)] };

    [Fact]
    public void One_more_day_allocated_as_before_reuses_every_calibration_and_judges_as_recalibrating()
    {
        // Given a 60-day history with a watched signal, judged with a memo
        var full = Tokens(61);
        var memo = new CalibrationMemo();
        var before = Checker.Check(WithoutLastRun(full), new CheckOptions(), memo);
        before.Signals.Count(s => s.Watched).ShouldBe(1);
        var calibrations = memo.Misses;

        // When the history with one more day (the same tasks) is judged with the same memo
        var after = Checker.Check(full, new CheckOptions(), memo);

        // Then every calibration (the pass rate's and the signal's) is a hit, and the verdict is the one recalibrating gives
        calibrations.ShouldBe(2);
        memo.Hits.ShouldBe(2);
        memo.Misses.ShouldBe(2);
        after.MonitoredDays.ShouldBe(before.MonitoredDays + 1);
        KeptVerdictJson.Serialize(after).ShouldBe(KeptVerdictJson.Serialize(Checker.Check(full, new CheckOptions())));
    }

    [Fact]
    public void A_hit_is_used_as_kept()
    {
        // Given a memo whose kept limits were replaced by others
        var history = Tokens(50);
        var planted = new PlantedMemo();
        Checker.Check(history, new CheckOptions(), planted);
        planted.Replace(limits => [.. limits.Select(x => x + 1.25)]);

        // When the same history is judged with it
        var verdict = Checker.Check(history, new CheckOptions(), planted);

        // Then the limits are the kept ones, not simulated again
        var fresh = Checker.Check(history, new CheckOptions());
        verdict.Threshold.ShouldBe(fresh.Threshold + 1.25);
        verdict.Signals.Single(s => s.Watched).Threshold.ShouldBe(fresh.Signals.Single(s => s.Watched).Threshold + 1.25);
    }

    [Fact]
    public void A_changed_baseline_or_a_new_segment_calibrates_again()
    {
        // Given a memo holding the calibrations of one history
        var memo = new CalibrationMemo();
        Checker.Check(Tokens(50), new CheckOptions(), memo);

        // When a history with other first days, then one whose current segment is a new suite revision, is judged
        Checker.Check(Tokens(50, seed: 4), new CheckOptions(), memo);
        var misses = memo.Misses;
        var revised = new HistoryBuilder(20, 3).Days(50, tokens: 1).Days(40, tokens: 1, revision: "rev2").Build();
        Checker.Check(revised, new CheckOptions(), memo);

        // Then nothing is reused
        misses.ShouldBe(4);
        memo.Misses.ShouldBe(6);
        memo.Hits.ShouldBe(0);
    }

    [Fact]
    public void Other_options_calibrate_again()
    {
        // Given a memo holding the calibrations of one history under the default options
        var history = Tokens(50);
        var memo = new CalibrationMemo();
        Checker.Check(history, new CheckOptions(), memo);

        // When it is judged with another false-alarm budget
        Checker.Check(history, new CheckOptions { Detection = new DetectorOptions { Arl0 = 200 } }, memo);

        // Then both calibrations are simulated again
        memo.Hits.ShouldBe(0);
        memo.Misses.ShouldBe(4);
    }

    [Fact]
    public void Limits_round_trip_exactly_as_text()
    {
        double[] limits = [0.1 + 0.2, 1.0 / 3, double.Epsilon, 1e300, -0.0, double.NaN, 12.345678901234567, double.PositiveInfinity];

        var back = CalibrationLimits.Parse(CalibrationLimits.Format(limits)).ShouldNotBeNull();

        back.Select(BitConverter.DoubleToInt64Bits).ShouldBe(limits.Select(BitConverter.DoubleToInt64Bits));
        CalibrationLimits.Parse("").ShouldBeNull();
        CalibrationLimits.Parse("1.5 x").ShouldBeNull();
    }

    /// <summary>A memo whose kept limits a test can replace.</summary>
    private sealed class PlantedMemo : ICalibrationMemo
    {
        private readonly Dictionary<string, IReadOnlyList<double>> _limits = [];

        public IReadOnlyList<double>? Get(string key) => _limits.GetValueOrDefault(key);

        public void Put(string key, IReadOnlyList<double> limits) => _limits[key] = limits;

        public void Replace(Func<IReadOnlyList<double>, IReadOnlyList<double>> change)
        {
            foreach (var key in _limits.Keys.ToList())
                _limits[key] = change(_limits[key]);
        }
    }
}
