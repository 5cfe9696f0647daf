using System.Collections.Immutable;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Ingest;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;
using Shouldly;

namespace Driftwatch.Core.Tests.Detection;

/// <summary>Histories with runs known by their counts only (ingested per-run aggregates): judged on daily totals.</summary>
public sealed class DailyTotalsCheckTests
{
    private static readonly CheckOptions Options = new() { Detection = new DetectorOptions { CalibrationPaths = 200 }, BaselineDays = 30 };

    /// <summary>One run a day of <paramref name="trials"/> trials with pass probability <paramref name="rate"/>(day), as counts only.</summary>
    private static History TotalsHistory(int days, int trials, Func<int, double> rate, ulong seed, int errorsPerDay = 0)
    {
        var rng = new Rng(seed);
        var runs = new List<HistoryRun>();
        for (var d = 0; d < days; d++)
        {
            var passes = Enumerable.Range(0, trials).Count(_ => rng.NextDouble() < rate(d));
            var totals = new RunTotals(passes, trials - passes, 0, errorsPerDay);
            runs.Add(new HistoryRun(d + 1, HistoryBuilder.Start.AddDays(d), "ingested:margin", IngestedRuns.AgentConfig("margin"),
                new RunFingerprint { Models = ImmutableArray.Create("model-a") }, HistoryRun.FromTotals(totals)) { TotalsOnly = true });
        }
        return new History("tracker-agent", "swe", runs);
    }

    [Fact]
    public void A_drop_in_daily_totals_is_found_and_the_verdict_says_it_was_judged_on_totals()
    {
        // Given 30 days at 58% of 50 a day, then 14 days at 40%, known by counts only
        var history = TotalsHistory(44, 50, d => d < 30 ? 0.58 : 0.40, seed: 11, errorsPerDay: 2);

        // When it is checked
        var verdict = Checker.Check(history, Options);

        // Then it is degraded, on daily totals, with no task named (there are none to name)
        verdict.Status.ShouldBe(VerdictStatus.Degraded);
        verdict.DailyTotals.ShouldBeTrue();
        verdict.FlippedTasks.ShouldBeEmpty();
        verdict.BaselinePassRate!.Value.ShouldBe(0.58, 0.05);
        verdict.Effect!.Value.ShouldBe(-0.18, 0.06);
        verdict.High!.Value.ShouldBeLessThan(0);
        var changeDay = verdict.ChangeDay!.Value.DayNumber - HistoryBuilder.Start.DayNumber;
        changeDay.ShouldBeInRange(28, 33);
    }

    [Fact]
    public void Steady_daily_totals_are_not_an_alarm()
    {
        var history = TotalsHistory(44, 50, _ => 0.58, seed: 12);

        var verdict = Checker.Check(history, Options);

        verdict.Status.ShouldBeOneOf(VerdictStatus.Ok, VerdictStatus.Warning);
        verdict.DailyTotals.ShouldBeTrue();
    }

    [Fact]
    public void Runs_with_tasks_mixed_with_runs_of_totals_are_pooled_into_totals()
    {
        // Given per-task days followed by days known by counts only
        var perTask = new HistoryBuilder(20, seed: 4).Days(20).Build();
        var totals = TotalsHistory(20, 20, _ => 0.6, seed: 13).Runs
            .Select((r, i) => r with { Id = 100 + i, Day = HistoryBuilder.Start.AddDays(20 + i), SuiteRevision = "rev1", AgentConfig = "cfg" });
        var history = perTask with { Runs = [.. perTask.Runs, .. totals] };

        // When it is checked
        var verdict = Checker.Check(history, Options);

        // Then every day counts (none is lost to a task the totals do not have), judged on totals
        verdict.DailyTotals.ShouldBeTrue();
        (verdict.BaselineDays + verdict.MonitoredDays).ShouldBe(40);
    }

    [Fact]
    public void A_history_with_tasks_is_judged_per_task()
    {
        var verdict = Checker.Check(new HistoryBuilder(20, seed: 4).Days(20).Build(), Options);

        verdict.DailyTotals.ShouldBeFalse();
    }
}
