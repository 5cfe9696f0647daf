namespace Driftwatch.Core.Detection.Signals;

/// <summary>
/// One false-alarm budget per agent × suite (docs/signals.md): the verdict's ARL0 is split so that
/// the alarm rates add up, 1/ARL0 = 1/ARL0(pass rate) + Σ 1/ARL0(signal). The pass rate keeps a
/// larger share (by default half), the signals split the rest equally; with no signal watched the
/// pass rate has it all, exactly as before signals existed.
/// </summary>
public sealed record FalseAlarmBudget(double Total, double PassRate, double PerSignal, int Signals)
{
    public static FalseAlarmBudget Split(double arl0, int signals, double passRateShare)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(arl0);
        ArgumentOutOfRangeException.ThrowIfNegative(signals);
        if (signals == 0)
            return new FalseAlarmBudget(arl0, arl0, double.PositiveInfinity, 0);
        if (passRateShare is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(passRateShare), passRateShare, "the pass rate's share must be between 0 and 1");
        return new FalseAlarmBudget(arl0, arl0 / passRateShare, arl0 * signals / (1 - passRateShare), signals);
    }

    /// <summary>The verdict's ARL0 the shares make up again: 1 / (1/pass rate + signals/each).</summary>
    public double Recombined => 1 / (1 / PassRate + (Signals == 0 ? 0 : Signals / PerSignal));
}
