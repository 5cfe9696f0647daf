using Driftwatch.Core.Scoring;
using Driftwatch.Core.Suites;

namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>
/// Measures a finished trial's change after the hidden tests (docs/scorers.md): named values that
/// become the trial's metrics (each described by an entry of <c>Core.Metrics.ScorerMetrics</c>).
/// A scorer never changes the outcome; what it cannot measure it leaves out, with a note saying why.
/// </summary>
internal interface IScorer
{
    /// <summary>Short name, used in notes ("python-quality", "completion").</summary>
    string Name { get; }

    bool AppliesTo(TaskDefinition task);

    Task<ScorerResult> ScoreAsync(ScoringInput input, CancellationToken cancellationToken);
}

/// <summary>What a scorer measured (metric name → value) and what it could not, and why.</summary>
internal sealed record ScorerResult(IReadOnlyDictionary<string, double> Values, IReadOnlyList<string> Notes)
{
    public static readonly ScorerResult Empty = new(new Dictionary<string, double>(), []);

    public static ScorerResult Note(string note) => new(new Dictionary<string, double>(), [note]);
}

/// <summary>What scorers look at: the task, its reference solution, the agent's change, and where to run tools.</summary>
internal sealed record ScoringInput
{
    public required SuiteDefinition Suite { get; init; }
    public required TaskDefinition Task { get; init; }
    public required ReferenceSolution Reference { get; init; }

    /// <summary>The text files the agent changed, before (the task's workspace) and after.</summary>
    public required IReadOnlyList<FileChange> Agent { get; init; }

    /// <summary>A folder of the trial's own for the scorers' files (removed with the trial).</summary>
    public required string Scratch { get; init; }

    public required ToolSandbox Tools { get; init; }

    /// <summary>The agent's final text of a workspace path (null: it is absent or not text).</summary>
    public string? AgentText(string path) =>
        Agent.FirstOrDefault(f => f.Path == path) is { } changed ? changed.After : Reference.WorkspaceText(path);
}
