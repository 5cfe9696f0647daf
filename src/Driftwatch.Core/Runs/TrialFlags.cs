namespace Driftwatch.Core.Runs;

/// <summary>What a trial flag says, by its prefix (see <see cref="Trial.Flags"/>).</summary>
public enum FlagKind
{
    /// <summary>"suspect:…": the change touched the test machinery (reward hacking shows here, not as a pass).</summary>
    Suspect,

    /// <summary>"fallback:asked→served": a model other than the one asked for served the trial.</summary>
    Fallback,

    /// <summary>"refusal": the model refused.</summary>
    Refusal,

    /// <summary>Any other flag: shown, not counted.</summary>
    Other,
}

/// <summary>Reading trial flags: their kind, and the words the pages and alerts use for them.</summary>
public static class TrialFlags
{
    public const string SuspectPrefix = "suspect:";
    public const string FallbackPrefix = "fallback:";
    public const string Refusal = "refusal";

    public static FlagKind KindOf(string flag) =>
        flag.StartsWith(SuspectPrefix, StringComparison.Ordinal) ? FlagKind.Suspect
        : flag.StartsWith(FallbackPrefix, StringComparison.Ordinal) ? FlagKind.Fallback
        : flag == Refusal || flag.StartsWith(Refusal + " ", StringComparison.Ordinal) || flag.StartsWith(Refusal + ":", StringComparison.Ordinal) ? FlagKind.Refusal
        : FlagKind.Other;

    /// <summary>The name of a kind as JSON, CSS classes and metric labels take it: suspect, fallback, refusal, other.</summary>
    public static string Name(this FlagKind kind) => kind.ToString().ToLowerInvariant();

    public static bool Has(this Trial trial, FlagKind kind) => trial.Flags.Any(f => KindOf(f) == kind);

    /// <summary>One sentence saying what a kind of flag means for the trial.</summary>
    public static string Meaning(FlagKind kind) => kind switch
    {
        FlagKind.Suspect => "the change touched the test machinery, so a pass is not counted (error 'suspect')",
        FlagKind.Fallback => "a model other than the one asked for served the trial",
        FlagKind.Refusal => "the model refused",
        _ => "",
    };
}

/// <summary>
/// Trials flagged suspect, served by a fallback model, or refused — each trial counted once per
/// kind, however many flags of that kind it has. A trial may count in more than one kind.
/// </summary>
public sealed record FlagCounts(int Suspect, int Fallback, int Refusal)
{
    public static readonly FlagCounts None = new(0, 0, 0);

    public bool Any => Suspect > 0 || Fallback > 0 || Refusal > 0;

    public int this[FlagKind kind] => kind switch
    {
        FlagKind.Suspect => Suspect,
        FlagKind.Fallback => Fallback,
        FlagKind.Refusal => Refusal,
        _ => 0,
    };

    public static FlagCounts Of(IEnumerable<Trial> trials) => Of(trials.Select(t => (IEnumerable<string>)t.Flags));

    /// <summary>Counts from each trial's flags.</summary>
    public static FlagCounts Of(IEnumerable<IEnumerable<string>> flagsPerTrial)
    {
        int suspect = 0, fallback = 0, refusal = 0;
        foreach (var flags in flagsPerTrial)
        {
            var kinds = flags.Select(TrialFlags.KindOf).ToHashSet();
            suspect += kinds.Contains(FlagKind.Suspect) ? 1 : 0;
            fallback += kinds.Contains(FlagKind.Fallback) ? 1 : 0;
            refusal += kinds.Contains(FlagKind.Refusal) ? 1 : 0;
        }
        return new FlagCounts(suspect, fallback, refusal);
    }

    public static FlagCounts operator +(FlagCounts a, FlagCounts b) =>
        new(a.Suspect + b.Suspect, a.Fallback + b.Fallback, a.Refusal + b.Refusal);

    /// <summary>"2 suspect, 1 fallback" (the kinds with trials), or "none".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Suspect > 0)
            parts.Add($"{Suspect} suspect");
        if (Fallback > 0)
            parts.Add($"{Fallback} served by a fallback model");
        if (Refusal > 0)
            parts.Add($"{Refusal} refused");
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
