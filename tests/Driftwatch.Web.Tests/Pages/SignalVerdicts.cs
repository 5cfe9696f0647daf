using Driftwatch.Core.Detection;
using Driftwatch.Core.Detection.Signals;
using Driftwatch.Web.Views;

namespace Driftwatch.Web.Tests.Pages;

/// <summary>
/// A verdict with signals, as #16's detectors will fill it, for the seeded history: the checker's
/// verdict (degraded on the pass rate) plus three signals over the seeded days — lint findings up
/// by 2.5 since the drop and degraded (with the pass rate, what set the verdict), output tokens down
/// 34% (a behaviour change: warning) and cost unchanged (ok).
/// </summary>
public static class SignalVerdicts
{
    public static readonly DateOnly First = DateOnly.FromDateTime(SeededDatabase.Start.UtcDateTime);
    public static readonly DateOnly ChangeDay = First.AddDays(SeededDatabase.DropDay);
    public static readonly DateOnly AlarmDay = ChangeDay.AddDays(3);
    public const int BaselineDays = 14;

    public static readonly VerdictSource Judge = (history, options) => With(Checker.Check(history, options));

    public static Verdict With(Verdict verdict) => verdict with
    {
        Status = VerdictStatus.Degraded,
        Signals = [LintFindings, OutputTokens, Cost],
        TriggeredBy = ["passRate", "lintFindings"],
    };

    public static SignalVerdict LintFindings { get; } = new()
    {
        Signal = "lintFindings",
        Label = "lint findings",
        Kind = SignalKind.Quality,
        Polarity = SignalPolarity.HigherIsWorse,
        Unit = "findings",
        Status = VerdictStatus.Degraded,
        Direction = "up",
        BaselineValue = 1.5,
        RecentValue = 4,
        Change = 2.5,
        Low = 1.75,
        High = 3.25,
        ChangeDay = ChangeDay,
        AlarmDay = AlarmDay,
        Statistic = 18.9,
        Threshold = 6.12,
        Arl0 = 1095,
        Days = Days(day => day < SeededDatabase.DropDay ? 1.5 : 4, 1.0, 2.0, rising: "up"),
    };

    public static SignalVerdict OutputTokens { get; } = new()
    {
        Signal = "outputTokens",
        Label = "output tokens",
        Kind = SignalKind.Behaviour,
        Polarity = SignalPolarity.Neutral,
        Unit = "tokens",
        Status = VerdictStatus.Warning,
        Direction = "down",
        BaselineValue = 1200,
        RecentValue = 792,
        Change = -0.34,
        Low = -0.40,
        High = -0.28,
        Relative = true,
        ChangeDay = ChangeDay,
        AlarmDay = AlarmDay.AddDays(1),
        Statistic = 18.9,
        Threshold = 7.5,
        Arl0 = 1095,
        Days = Days(day => day < SeededDatabase.DropDay ? 1200 : 792, 1100, 1300, rising: "down"),
    };

    public static SignalVerdict Cost { get; } = new()
    {
        Signal = "costUsd",
        Label = "cost",
        Kind = SignalKind.Cost,
        Polarity = SignalPolarity.HigherIsWorse,
        Unit = "USD",
        Status = VerdictStatus.Ok,
        BaselineValue = 0.042,
        RecentValue = 0.043,
        Relative = true,
        Statistic = 0.2,
        Threshold = 4.8,
        Arl0 = 1095,
        Days = Days(_ => 0.042, 0.035, 0.049, rising: null),
    };

    /// <summary>A day per seeded day: the band on every day, the statistics after the baseline days, the <paramref name="rising"/> one climbing from the drop (past each alarming signal's limit on its alarm day).</summary>
    private static SignalDay[] Days(Func<int, double> value, double low, double high, string? rising) =>
    [
        .. Enumerable.Range(0, SeededDatabase.Days).Select(i =>
        {
            double? Statistic(string direction) => i < BaselineDays ? null : direction == rising ? Math.Max(0, i - SeededDatabase.DropDay) * 2.1 : 0.2;
            return new SignalDay(First.AddDays(i), value(i), SeededDatabase.Tasks.Length, low, high, Statistic("down"), Statistic("up"));
        }),
    ];
}
