using System.Collections.Immutable;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

/// <summary>
/// On the same daily totals, the tracker-windows rule reproduces the public Claude Code tracker's
/// per-window figures: accuracy, 95% Wilson interval, one-sided exact binomial p-values, the
/// "±X% threshold for significance", and which windows fire.
/// </summary>
/// <remarks>
/// Every expected number below was computed by tracker_vectors.py (next to this file: exact rationals
/// for the binomial tails, 60-digit decimals for Wilson, none of Driftwatch's code) and written in by
/// hand; run it to regenerate them. docs/detection.md says how the threshold is read from the
/// tracker's published figures.
/// </remarks>
public sealed class TrackerAgreementTests
{
    private const double Tolerance = 1e-9;
    private const double Alpha = 0.05;

    /// <summary>One window as the script prints it.</summary>
    private sealed record Expected(
        int Days, int Trials, int Passes, double Accuracy, double WilsonLow, double WilsonHigh, double PLower, double PUpper,
        double? DropThreshold, double? RiseThreshold, double? Threshold, bool Worse, bool Better);

    /// <summary>Daily totals (passes, trials), oldest first, the baseline p₀, and the windows on the last day.</summary>
    private static (double P0, (int Passes, int Trials)[] Days, Expected[] Windows) Scenario(string name) => name switch
    {
        "OneDayOfFiftyAtTheBaseline" => (0.58, [(27, 50)],
        [
            new(1, 50, 27, 0.54, 0.40398871399157477, 0.6703034780777565, 0.3316050520958963, 0.7640894877424678, 0.14, 0.14, 0.14, false, false),
        ]),
        "OneDayOfFiftyFarBelow" => (0.58, [(20, 50)],
        [
            new(1, 50, 20, 0.4, 0.2760838973025654, 0.5381856225241063, 0.007799544459208446, 0.9965588723802146, 0.14, 0.14, 0.14, true, false),
        ]),
        "AWeekOfRunsWithABadLastDay" => (0.58, [(29, 50), (30, 50), (0, 0), (28, 50), (27, 50), (31, 50), (18, 50)],
        [
            new(1, 50, 18, 0.36, 0.2413874965184674, 0.49858983123887307, 0.0014049373277301607, 0.9994705367310307, 0.14, 0.14, 0.14, true, false),
            new(7, 300, 163, 0.5433333333333333, 0.48677384505565635, 0.5987970974382163, 0.10993487429458496, 0.9103721354407069, 0.05, 0.05, 0.05, false, false),
        ]),
        // The published example: 655 evaluations in 30 days, 53.9% against a baseline of 58%, a significant drop.
        "ThirtyDaysOf655EvaluationsDown" => (0.58, [.. Repeat((12, 22), 23), (12, 22), (11, 22), (11, 21), (10, 21), (12, 21), (11, 21), (10, 21)],
        [
            new(1, 21, 10, 0.47619047619047616, 0.28344006101534175, 0.6763046541715557, 0.22758486010771298, 0.881420358622404, 0.24666666666666667, 0.22952380952380952, 0.24666666666666667, false, false),
            new(7, 149, 77, 0.5167785234899329, 0.4371324111709112, 0.5955812258133166, 0.06992109001101272, 0.9495681382654361, 0.07664429530201343, 0.07100671140939598, 0.07664429530201343, false, false),
            new(30, 655, 353, 0.5389312977099237, 0.5006402641310439, 0.5767683435350378, 0.018587174025677444, 0.9847075870751768, 0.033435114503816796, 0.03374045801526718, 0.03374045801526718, true, false),
        ]),
        "ThirtyDaysAboveABaselineOfForty" => (0.4, [.. Repeat((22, 45), 29), (31, 50)],
        [
            new(1, 50, 31, 0.62, 0.48150446930992985, 0.7413721068980641, 0.9994806987686334, 0.0013737616920150631, 0.14, 0.14, 0.14, false, true),
            new(7, 320, 163, 0.509375, 0.45481648284685294, 0.56371110167506, 0.9999695799584126, 4.86084621829464e-05, 0.046875, 0.046875, 0.046875, false, true),
            new(30, 1355, 669, 0.49372693726937267, 0.4671619391674159, 0.5203274033974232, 0.9999999999987428, 1.8530659909173675e-12, 0.022878228782287822, 0.022878228782287822, 0.022878228782287822, false, true),
        ]),
        // A day without trials has no 1-day window; the week still has one.
        "ALastDayWithoutTrials" => (0.58, [.. Repeat((29, 50), 6), (0, 0)],
        [
            new(7, 300, 174, 0.58, 0.5234831499847111, 0.6344939746193615, 0.522073438735731, 0.5245534253123773, 0.05, 0.05, 0.05, false, false),
        ]),
        "NoPassesAtAll" => (0.58, Repeat((0, 50), 7),
        [
            new(1, 50, 0, 0.0, 0.0, 0.07134759913335871, 1.4536656221467718e-19, 1.0, 0.14, 0.14, 0.14, true, false),
            new(7, 350, 0, 0.0, 0.0, 0.01085644071640782, 1.3716763137694726e-132, 1.0, 0.045714285714285714, 0.045714285714285714, 0.045714285714285714, true, false),
        ]),
        "EveryTrialPasses" => (0.58, [(50, 50)],
        [
            new(1, 50, 50, 1.0, 0.9286524008666412, 1.0, 1.0, 1.4838830640714296e-12, 0.14, 0.14, 0.14, false, true),
        ]),
        // At p₀ = 0.97 twenty trials that all pass are not significant (0.97²⁰ ≈ 0.54): no rise threshold, so no "±".
        "AHighBaselineNoRiseCanBeSignificant" => (0.97, Repeat((17, 20), 7),
        [
            new(1, 20, 17, 0.85, 0.6395811352592431, 0.9476312541037833, 0.021008356378342884, 0.9973311692516311, 0.12, null, null, true, false),
            new(7, 140, 119, 0.85, 0.7815562129072435, 0.8997494468341674, 1.5797025800582279e-09, 0.9999999997383605, 0.03428571428571429, 0.03, 0.03428571428571429, true, false),
        ]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such scenario"),
    };

    [Theory]
    [InlineData("OneDayOfFiftyAtTheBaseline")]
    [InlineData("OneDayOfFiftyFarBelow")]
    [InlineData("AWeekOfRunsWithABadLastDay")]
    [InlineData("ThirtyDaysOf655EvaluationsDown")]
    [InlineData("ThirtyDaysAboveABaselineOfForty")]
    [InlineData("ALastDayWithoutTrials")]
    [InlineData("NoPassesAtAll")]
    [InlineData("EveryTrialPasses")]
    [InlineData("AHighBaselineNoRiseCanBeSignificant")]
    public void Each_window_matches_the_trackers_published_method(string scenario)
    {
        // Given the daily totals of a scenario and its baseline
        var (p0, totals, expected) = Scenario(scenario);
        var days = Days(totals);

        // When the rule's windows are taken on the last day
        var windows = TrackerRule.Windows(days, days.Count - 1, p0, Alpha);

        // Then each quantity agrees with the independent computation to 1e-9, and the same windows fire
        windows.Count.ShouldBe(expected.Length);
        for (var i = 0; i < expected.Length; i++)
            ShouldAgree(windows[i], expected[i]);
        TrackerRule.Evaluate(days, days.Count - 1, p0, Alpha).ShouldBe((expected.Any(w => w.Worse), expected.Any(w => w.Better)));
    }

    /// <summary>
    /// The tracker's page published "±14.0%" for 50 evaluations and "±7.3%" for 150 (the daily and
    /// 7-day windows of one day), and "with 655 evaluations, ±3.4% is the threshold for
    /// significance" (the 30-day window of another), all against a baseline of 58%.
    /// </summary>
    [Theory]
    [InlineData(50, 0.58, 0.14, 0.14, 0.14, 14.0)]
    [InlineData(150, 0.58, 0.07333333333333333, 0.07333333333333333, 0.07333333333333333, 7.3)]
    [InlineData(655, 0.58, 0.033435114503816796, 0.03374045801526718, 0.03374045801526718, 3.4)]
    public void The_threshold_reproduces_the_published_figures(int evaluations, double p0, double drop, double rise, double threshold, double published)
    {
        // Given one day of that many evaluations
        var days = Days([(0, evaluations)]);

        // When its window is taken
        var window = TrackerRule.Windows(days, 0, p0, Alpha).Single();

        // Then the thresholds are the script's, and the "±" rounds to the published figure
        window.DropThreshold!.Value.ShouldBe(drop, Tolerance);
        window.RiseThreshold!.Value.ShouldBe(rise, Tolerance);
        window.Threshold!.Value.ShouldBe(threshold, Tolerance);
        Math.Round(window.Threshold.Value * 100, 1, MidpointRounding.AwayFromZero).ShouldBe(published);
    }

    [Theory]
    [InlineData(300, 2.2425715375209804e-10, 0.999999999864396)]
    [InlineData(353, 0.018587174025677444, 0.9847075870751768)]
    [InlineData(358, 0.04545164984649605, 0.9615801538070425)]
    [InlineData(359, 0.05348519870813925, 0.9545483501535039)]
    [InlineData(403, 0.9695525929852352, 0.036376441341571836)]
    [InlineData(404, 0.9746597809697127, 0.030447407014764727)]
    [InlineData(420, 0.9993986303964807, 0.0007952034670339469)]
    public void The_binomial_tails_are_exact_to_1e_9_at_655_evaluations(int passes, double lower, double upper)
    {
        // Given 655 evaluations against p₀ = 0.58 (exact sums from the script)
        // Then both one-sided p-values agree with them
        Binomial.TestLower(passes, 655, 0.58).ShouldBe(lower, Tolerance);
        Binomial.TestUpper(passes, 655, 0.58).ShouldBe(upper, Tolerance);
    }

    [Fact]
    public void The_verdict_carries_the_windows_of_the_last_day()
    {
        // Given 30 days of 29 passes in 50, then 10 days of 20 in 50 (the pinned baseline: the first 24 days, p₀ = 0.58)
        var history = DailyTotals("agent", "suite", [.. Repeat((29, 50), 30), .. Repeat((20, 50), 10)]);

        // When it is checked with the trackers' rule
        var verdict = Checker.Check(history, new CheckOptions { Detector = DetectorCatalog.TrackerWindows });

        // Then the verdict carries the three windows the script computed, and they are why it is degraded
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        verdict.BaselinePassRate.ShouldBe(0.58);
        Expected[] expected =
        [
            new(1, 50, 20, 0.4, 0.2760838973025654, 0.5381856225241063, 0.007799544459208446, 0.9965588723802146, 0.14, 0.14, 0.14, true, false),
            new(7, 350, 140, 0.4, 0.350029553396892, 0.4521417347463895, 9.566911501836189e-12, 0.9999999999954513, 0.045714285714285714, 0.045714285714285714, 0.045714285714285714, true, false),
            new(30, 1500, 780, 0.52, 0.4946983961868163, 0.5451994265843764, 1.5916485412082735e-06, 0.9999987641422708, 0.021333333333333333, 0.021333333333333333, 0.021333333333333333, true, false),
        ];
        verdict.TrackerWindows.Count.ShouldBe(expected.Length);
        for (var i = 0; i < expected.Length; i++)
            ShouldAgree(verdict.TrackerWindows[i], expected[i]);
    }

    private static void ShouldAgree(TrackerWindow actual, Expected expected)
    {
        var window = $"the {expected.Days}-day window";
        actual.Days.ShouldBe(expected.Days, window);
        actual.Trials.ShouldBe(expected.Trials, window);
        actual.Passes.ShouldBe(expected.Passes, window);
        actual.Accuracy.ShouldBe(expected.Accuracy, Tolerance, window);
        actual.WilsonLow.ShouldBe(expected.WilsonLow, Tolerance, window);
        actual.WilsonHigh.ShouldBe(expected.WilsonHigh, Tolerance, window);
        actual.PLower.ShouldBe(expected.PLower, Tolerance, window);
        actual.PUpper.ShouldBe(expected.PUpper, Tolerance, window);
        ShouldAgree(actual.DropThreshold, expected.DropThreshold, window + ": drop threshold");
        ShouldAgree(actual.RiseThreshold, expected.RiseThreshold, window + ": rise threshold");
        ShouldAgree(actual.Threshold, expected.Threshold, window + ": ± threshold");
        actual.Worse.ShouldBe(expected.Worse, window + ": worse");
        actual.Better.ShouldBe(expected.Better, window + ": better");
    }

    private static void ShouldAgree(double? actual, double? expected, string what)
    {
        if (expected is { } value)
            actual.ShouldNotBeNull(what).ShouldBe(value, Tolerance, what);
        else
            actual.ShouldBeNull(what);
    }

    private static (int, int)[] Repeat((int Passes, int Trials) day, int count) => [.. Enumerable.Repeat(day, count)];

    private static List<DayCounts> Days((int Passes, int Trials)[] totals) =>
        [.. totals.Select((t, i) => new DayCounts(HistoryBuilder.Start.AddDays(i), [t.Trials], [t.Passes]))];

    /// <summary>One run a day of <c>trials</c> tasks, once each, the first <c>passes</c> of them passing.</summary>
    private static History DailyTotals(string agent, string suite, (int Passes, int Trials)[] totals)
    {
        var fingerprint = new RunFingerprint { AgentVersion = "1.0", Models = ImmutableArray.Create("model-a"), SuiteRevision = "rev1" };
        var runs = totals.Select((t, d) => new HistoryRun(d + 1, HistoryBuilder.Start.AddDays(d), "rev1", "cfg", fingerprint,
            [.. Enumerable.Range(0, t.Trials).Select(i => ($"task-{i:00}", i < t.Passes ? TrialOutcome.Pass : TrialOutcome.Fail))]));
        return new History(agent, suite, [.. runs]);
    }
}
