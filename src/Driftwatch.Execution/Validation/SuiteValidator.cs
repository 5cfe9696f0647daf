using System.Collections.Immutable;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Scoring;
using Driftwatch.Execution.Workspaces;

namespace Driftwatch.Execution.Validation;

/// <summary>The verdict on one task: sound when its reference passes and its bare workspace fails.</summary>
public sealed record TaskValidation(TaskDefinition Task, HiddenTestResult Bare, HiddenTestResult Reference, ImmutableArray<string> Problems)
{
    public bool Sound => Problems.IsEmpty;

    /// <summary>How many plausible mistakes were tried (null: not checked).</summary>
    public int? MistakesChecked { get; init; }

    /// <summary>Plausible mistakes in the reference that the hidden tests do not catch: weak tests.</summary>
    public ImmutableArray<PlausibleMistakes.Site> SurvivingMistakes { get; init; } = [];
}

/// <summary>
/// Proves the tasks of a suite sound (docs/suite-format.md): the reference solution passes its hidden tests,
/// the untouched workspace fails them, and both finish inside the task's test timeout.
/// </summary>
public sealed class SuiteValidator(ISandbox sandbox, string workRoot, bool checkMistakes = false)
{
    private readonly string _workRoot = WorkRoot.ForThisProcess(workRoot);

    public async Task<IReadOnlyList<TaskValidation>> ValidateAsync(SuiteDefinition suite, IReadOnlyList<TaskDefinition> tasks, int parallelism,
        IProgress<TaskValidation>? progress, CancellationToken cancellationToken)
    {
        var results = new TaskValidation[tasks.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, tasks.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                results[index] = await ValidateTaskAsync(suite, tasks[index], token).ConfigureAwait(false);
                progress?.Report(results[index]);
            }).ConfigureAwait(false);
        return results;
    }

    public async Task<TaskValidation> ValidateTaskAsync(SuiteDefinition suite, TaskDefinition task, CancellationToken cancellationToken)
    {
        var scorer = new TestScorer(sandbox);
        HiddenTestResult bare, reference;
        using (var workspace = TrialWorkspace.Create(task, _workRoot, $"validate-{task.Id}-bare", keep: false))
            bare = await scorer.ScoreAsync(suite, task, workspace, cancellationToken).ConfigureAwait(false);
        using (var workspace = TrialWorkspace.Create(task, _workRoot, $"validate-{task.Id}-ref", keep: false))
        {
            workspace.Overlay(task.SolutionDirectory);
            reference = await scorer.ScoreAsync(suite, task, workspace, cancellationToken).ConfigureAwait(false);
        }

        var problems = ImmutableArray.CreateBuilder<string>();
        switch (reference.Outcome)
        {
            case TrialOutcome.Timeout:
                problems.Add($"reference solution did not finish inside the test timeout ({task.TestTimeout.TotalSeconds:0} s)");
                break;
            case not TrialOutcome.Pass:
                problems.Add($"reference solution fails its tests ({reference.Passed}/{reference.Total} passed): {LastLine(reference.Output)}");
                break;
        }
        switch (bare.Outcome)
        {
            case TrialOutcome.Pass:
                problems.Add("untouched workspace passes the tests: the task asks for nothing");
                break;
            case TrialOutcome.Timeout:
                problems.Add($"untouched workspace did not finish inside the test timeout ({task.TestTimeout.TotalSeconds:0} s)");
                break;
        }
        var validation = new TaskValidation(task, bare, reference, problems.ToImmutable());
        return checkMistakes && validation.Sound ? await CheckMistakesAsync(suite, validation, scorer, cancellationToken).ConfigureAwait(false) : validation;
    }

    /// <summary>
    /// Mutation testing of the hidden tests: every plausible mistake in the reference (the ones the
    /// simulated agent makes) should fail them; those that pass point at missing test cases.
    /// </summary>
    private async Task<TaskValidation> CheckMistakesAsync(SuiteDefinition suite, TaskValidation validation, TestScorer scorer, CancellationToken cancellationToken)
    {
        var sites = PlausibleMistakes.Sites(validation.Task);
        var surviving = ImmutableArray.CreateBuilder<PlausibleMistakes.Site>();
        foreach (var site in sites)
        {
            using var workspace = TrialWorkspace.Create(validation.Task, _workRoot, $"validate-{validation.Task.Id}-mistake", keep: false);
            PlausibleMistakes.Apply(validation.Task, workspace.Workspace, site);
            var result = await scorer.ScoreAsync(suite, validation.Task, workspace, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == TrialOutcome.Pass)
                surviving.Add(site);
        }
        return validation with { MistakesChecked = sites.Count, SurvivingMistakes = surviving.ToImmutable() };
    }

    private static string LastLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = lines.LastOrDefault(l => !l.StartsWith('[')) ?? "";
        return line.Length > 160 ? line[..160] + "…" : line;
    }
}
