using Driftwatch.Core.Detection;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

public sealed class DetectorCatalogTests
{
    [Theory]
    [InlineData("cusum", "cusum")]
    [InlineData("EWMA", "ewma")]
    [InlineData("tracker-windows", "tracker-windows")]
    [InlineData("tracker", "tracker-windows")]
    public void A_detector_is_found_by_its_name_or_alias_in_any_case(string asked, string name)
    {
        DetectorCatalog.Find(asked).Name.ShouldBe(name);
    }

    [Fact]
    public void An_unknown_name_is_refused_with_every_known_name()
    {
        var error = Should.Throw<InvalidInputException>(() => DetectorCatalog.Find("astrology"));

        error.Message.ShouldStartWith("--detector: unknown detector 'astrology' (expected ");
        foreach (var detector in DetectorCatalog.All)
            error.Message.ShouldContain(detector.Name);
    }

    [Fact]
    public void Names_are_unique_across_names_and_aliases()
    {
        var names = DetectorCatalog.All.SelectMany(d => d.Aliases.Prepend(d.Name)).Select(n => n.ToLowerInvariant()).ToList();

        names.Distinct().Count().ShouldBe(names.Count);
    }

    [Fact]
    public void Check_runs_any_detector_through_the_seam_and_names_it_in_the_verdict()
    {
        // Given a detector outside the catalog whose "worse" statistic counts the monitored days
        var history = new HistoryBuilder(20, seed: 2).Days(20).Build();
        var counting = new DayCounter(limit: 3.5);

        // When a stable history is checked with it
        var verdict = Checker.Check(history, new CheckOptions { Detector = counting });

        // Then its own statistic and limit decide: degraded since its fourth monitored day
        verdict.Detector.ShouldBe("day-counter");
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        verdict.Threshold.ShouldBe(3.5);
        verdict.Statistic.ShouldBe(verdict.MonitoredDays);
        verdict.AlarmDay.ShouldBe(verdict.Trace[3].Day);
        verdict.ChangeDay.ShouldBe(verdict.Trace[3].Day);
    }

    /// <summary>Counts monitored days; alarms past a fixed limit. Its change day is its alarm's first day.</summary>
    private sealed class DayCounter(double limit) : IDetector
    {
        public string Name => "day-counter";

        public bool LocatesChangeInEvidence => false;

        public DetectorLimits Limits(DetectorCalibration calibration) => new(limit, double.PositiveInfinity);

        public IDetectorRun Start(DetectorContext context, DetectorLimits limits) => new Run();

        private sealed class Run : IDetectorRun
        {
            private int _days;

            public DetectorStep Observe(DayCounts day, DayEvidence evidence) => new(++_days, 0);
        }
    }
}
