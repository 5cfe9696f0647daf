using Driftwatch.Core.Detection.Signals;
using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Metrics;

/// <summary>
/// A metric a scorer measures after the hidden tests (code quality, completion similarity, fault
/// localisation): not computable from the trial record, so the trial runner puts the scorer's value
/// into <see cref="Trial.Metrics"/> and this entry of the catalog describes it and reads it back.
/// </summary>
public sealed class ScorerMetric(string name, string unit, string label, SignalPolarity polarity, bool relative) : ITrialMetric
{
    public string Name => name;

    public string Unit => unit;

    public string Label => label;

    public SignalKind Kind => SignalKind.Quality;

    public SignalPolarity Polarity => polarity;

    public bool Relative => relative;

    /// <summary>The value the scorer recorded, or null when it measured none for the trial (the tool was missing, the task has no such figure).</summary>
    public double? Measure(Trial trial) => trial.Metrics.Get(Name);
}

/// <summary>The scorers' metrics (docs/scorers.md), each relative to the task's reference solution.</summary>
public static class ScorerMetrics
{
    /// <summary>Lint findings in the files of the change, minus the reference solution's in the same files.</summary>
    public static readonly ScorerMetric LintBeyondReference =
        new("lintBeyondReference", "findings", "lint findings beyond the reference's", SignalPolarity.HigherIsWorse, relative: false);

    /// <summary>Cyclomatic complexity (summed over the functions) of the files of the change, minus the reference's.</summary>
    public static readonly ScorerMetric ComplexityBeyondReference =
        new("complexityBeyondReference", "complexity", "cyclomatic complexity beyond the reference's", SignalPolarity.HigherIsWorse, relative: false);

    /// <summary>Lines added plus removed, as a multiple of the reference solution's.</summary>
    public static readonly ScorerMetric ChangeSizeRatio =
        new("changeSizeRatio", "× reference", "change size (× the reference's)", SignalPolarity.HigherIsWorse, relative: true);

    /// <summary>Completion tasks: 1 when the filled gap equals the reference's (whitespace normalised), else 0.</summary>
    public static readonly ScorerMetric CompletionExactMatch =
        new("completionExactMatch", "share", "completions equal to the reference", SignalPolarity.LowerIsWorse, relative: false);

    /// <summary>Completion tasks: 1 − Levenshtein distance / longer length between the filled gap and the reference's.</summary>
    public static readonly ScorerMetric CompletionEditSimilarity =
        new("completionEditSimilarity", "share", "completion edit similarity", SignalPolarity.LowerIsWorse, relative: false);

    /// <summary>Debugging tasks: the share of the reference fix's changed blocks the agent's change touched.</summary>
    public static readonly ScorerMetric FaultHunksTouched =
        new("faultHunksTouched", "share", "reference fix blocks touched", SignalPolarity.LowerIsWorse, relative: false);

    /// <summary>Debugging tasks: the share of the agent's changed lines outside the reference fix's blocks.</summary>
    public static readonly ScorerMetric FaultLinesOutside =
        new("faultLinesOutside", "share", "changed lines away from the fault", SignalPolarity.HigherIsWorse, relative: false);

    public static readonly IReadOnlyList<ScorerMetric> All =
    [
        LintBeyondReference, ComplexityBeyondReference, ChangeSizeRatio,
        CompletionExactMatch, CompletionEditSimilarity,
        FaultHunksTouched, FaultLinesOutside,
    ];
}
