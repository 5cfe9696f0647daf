using Driftwatch.Core.Metrics;
using Driftwatch.Core.Scoring;
using Driftwatch.Core.Suites;

namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>The size of the change (lines added + removed) as a multiple of the reference solution's; every task.</summary>
internal sealed class ChangeSizeScorer : IScorer
{
    public string Name => "change-size";

    public bool AppliesTo(TaskDefinition task) => true;

    public Task<ScorerResult> ScoreAsync(ScoringInput input, CancellationToken cancellationToken)
    {
        if (!input.Agent.Any(f => f.Changed))
            return Task.FromResult(ScorerResult.Note("the agent changed no text file: no change size, lint or complexity"));
        return Task.FromResult(ChangeSize.Ratio(input.Agent, input.Reference.Changes) is { } ratio
            ? new ScorerResult(new Dictionary<string, double> { [ScorerMetrics.ChangeSizeRatio.Name] = ratio }, [])
            : ScorerResult.Note("the reference solution changes no text line: no change size ratio"));
    }
}

/// <summary>Completion tasks: exact match and edit similarity of the filled gap against the reference's.</summary>
internal sealed class CompletionScorer : IScorer
{
    public string Name => "completion";

    public bool AppliesTo(TaskDefinition task) => task.Category == TaskCategory.Completion;

    public Task<ScorerResult> ScoreAsync(ScoringInput input, CancellationToken cancellationToken)
    {
        if (CompletionSimilarity.Measure(input.Reference.Changes, input.AgentText) is not { } score)
            return Task.FromResult(ScorerResult.Note($"completion similarity not measured: the reference has no gap in a text file, or a fill is longer than {CompletionSimilarity.MaxFillChars} characters"));
        return Task.FromResult(new ScorerResult(new Dictionary<string, double>
        {
            [ScorerMetrics.CompletionExactMatch.Name] = score.ExactMatch,
            [ScorerMetrics.CompletionEditSimilarity.Name] = score.EditSimilarity,
        }, []));
    }
}

/// <summary>Debugging tasks: whether the agent's change went where the reference fix goes.</summary>
internal sealed class FaultLocalisationScorer : IScorer
{
    public string Name => "fault-localisation";

    public bool AppliesTo(TaskDefinition task) => task.Category == TaskCategory.Debugging;

    public Task<ScorerResult> ScoreAsync(ScoringInput input, CancellationToken cancellationToken)
    {
        if (FaultLocalisation.Measure(input.Reference.Changes, input.Agent) is not { } score)
            return Task.FromResult(ScorerResult.Note("fault localisation not measured: the reference fix changes no text line"));
        var values = new Dictionary<string, double> { [ScorerMetrics.FaultHunksTouched.Name] = score.HunksTouched };
        if (score.LinesOutside is { } outside)
            values[ScorerMetrics.FaultLinesOutside.Name] = outside;
        return Task.FromResult(new ScorerResult(values, []));
    }
}
