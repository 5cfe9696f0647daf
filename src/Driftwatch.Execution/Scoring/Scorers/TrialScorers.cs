using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Driftwatch.Core.Scoring;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Workspaces;

namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>What the scorers made of a trial: metric values by name, and notes on what they could not measure.</summary>
internal sealed record TrialScores(IReadOnlyDictionary<string, double> Values, IReadOnlyList<string> Notes)
{
    public static readonly TrialScores None = new(new Dictionary<string, double>(), []);

    /// <summary>The prefix of the trial flags that carry the notes ("scorer: eslint is not installed …"): shown, never counted.</summary>
    public const string FlagPrefix = "scorer: ";

    /// <summary>Notes kept as flags, at most; the rest are counted in the last.</summary>
    public const int MaxFlags = 5;

    public IEnumerable<string> Flags => Notes.Count <= MaxFlags
        ? Notes.Select(n => FlagPrefix + n)
        : Notes.Take(MaxFlags - 1).Select(n => FlagPrefix + n).Append($"{FlagPrefix}and {Notes.Count - MaxFlags + 1} more note(s)");
}

/// <summary>
/// The scorers every trial goes through after its hidden tests (docs/scorers.md), and the one
/// place they are run: each on its own, any failure of one a note and never an error of the trial.
/// </summary>
internal sealed class TrialScorers(IReadOnlyList<IScorer> scorers, ToolSandbox tools, ConcurrentDictionary<string, Lazy<Task<TrialScores>>>? cache = null)
{
    /// <summary>The scorers of every trial: change size, completion similarity, fault localisation, and code quality per language.</summary>
    public static IReadOnlyList<IScorer> Default(string? eslint) =>
    [
        new ChangeSizeScorer(),
        new CompletionScorer(),
        new FaultLocalisationScorer(),
        new CodeQualityScorer(new PythonTools()),
        new CodeQualityScorer(new EslintTool(eslint)),
        new CodeQualityScorer(new CSharpTools(CSharpTools.FindDotnet())),
    ];

    /// <summary>Scores the agent's final workspace; <paramref name="changes"/> is its change as the runner read it.</summary>
    public async Task<TrialScores> ScoreAsync(SuiteDefinition suite, TaskDefinition task, TrialWorkspace workspace, WorkspaceChanges changes, CancellationToken cancellationToken)
    {
        var agent = changes.Files.Select(f => new FileChange(f.Path, f.Before, f.After)).ToList();
        if (cache is null)
            return await RunAsync(suite, task, workspace, agent, cancellationToken).ConfigureAwait(false);
        // Synthetic agents write the same few workspaces again and again: their scores are reused by content.
        var key = Key(suite, task, agent);
        var scored = cache.GetOrAdd(key, _ => new Lazy<Task<TrialScores>>(() => RunAsync(suite, task, workspace, agent, CancellationToken.None)));
        return await scored.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<TrialScores> RunAsync(SuiteDefinition suite, TaskDefinition task, TrialWorkspace workspace, IReadOnlyList<FileChange> agent, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(workspace.Root, "score");
        Directory.CreateDirectory(scratch);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var notes = new List<string>();
        ScoringInput input;
        try
        {
            input = new ScoringInput { Suite = suite, Task = task, Reference = ReferenceSolution.Of(suite, task), Agent = agent, Scratch = scratch, Tools = tools };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new TrialScores(values, [$"the reference solution could not be read: {ex.Message}"]);
        }
        foreach (var scorer in scorers.Where(s => s.AppliesTo(task)))
        {
            try
            {
                var result = await scorer.ScoreAsync(input, cancellationToken).ConfigureAwait(false);
                foreach (var (name, value) in result.Values.Where(v => double.IsFinite(v.Value)))
                    values[name] = value;
                notes.AddRange(result.Notes);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // A scorer's fault is never the trial's: its metrics are absent, and the note says why.
                notes.Add($"{scorer.Name} failed: {ex.GetType().Name}: {ex.Message}");
            }
        }
        return new TrialScores(values, notes);
    }

    private static string Key(SuiteDefinition suite, TaskDefinition task, IReadOnlyList<FileChange> agent)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in new[] { suite.Revision, task.Directory }.Concat(agent.OrderBy(f => f.Path, StringComparer.Ordinal).SelectMany(f => new[] { f.Path, f.After ?? "\0absent" })))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(part));
            hash.AppendData([0]);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
