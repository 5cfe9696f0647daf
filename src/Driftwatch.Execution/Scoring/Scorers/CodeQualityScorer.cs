using System.Collections.Concurrent;
using Driftwatch.Core.Metrics;
using Driftwatch.Core.Suites;

namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>
/// Lint findings and cyclomatic complexity of the change, beyond the reference solution's: both are
/// measured on the same files — the source files of the task's language that the agent or the
/// reference changed — in the agent's final version and in the reference's, and the metric is the
/// difference (so what the task's own code already had cancels out). A tool that compiles measures
/// each version whole and gives the figures of those files. The reference's figures are
/// measured once per task and suite revision, then reused.
/// </summary>
internal sealed class CodeQualityScorer(ILintTool tool) : IScorer
{
    private static readonly ConcurrentDictionary<(string Tool, string Revision, string Task), Lazy<Task<ToolFigures>>> ReferenceFigures = new();

    /// <summary>More changed files than this are not measured (a tool's command line, and time, have limits).</summary>
    public const int MaxFiles = 500;

    public string Name => tool.Language + "-quality";

    public bool AppliesTo(TaskDefinition task) => string.Equals(task.Language, tool.Language, StringComparison.OrdinalIgnoreCase);

    public async Task<ScorerResult> ScoreAsync(ScoringInput input, CancellationToken cancellationToken)
    {
        var touched = input.Agent.Where(f => f.Changed && tool.Measures(f.Path)).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        if (touched.Count == 0)
        {
            // An agent that changed nothing at all is said so once (by the change size); one that changed other files, here.
            return input.Agent.Any(f => f.Changed) ? ScorerResult.Note($"no {tool.Language} file changed: nothing for {tool.Name} to measure") : ScorerResult.Empty;
        }
        if (tool.Unavailable() is { } why)
            return ScorerResult.Note($"lint and complexity not measured: {why}");

        if (touched.Count > MaxFiles)
            return ScorerResult.Note($"lint and complexity not measured: the agent changed {touched.Count} {tool.Language} files (more than {MaxFiles})");
        var files = touched.Union(input.Reference.Changes.Where(f => tool.Measures(f.Path)).Select(f => f.Path)).Order(StringComparer.Ordinal).ToList();
        // A compiler measures the agent's whole final version (its other files unchanged from the workspace); the sum below stays over the change's files.
        var written = tool.CompilesWholeProgram
            ? input.Reference.WorkspacePaths.Concat(input.Agent.Select(f => f.Path)).Where(tool.Measures).Union(files).Order(StringComparer.Ordinal).ToList()
            : files;
        var agent = await MeasureAsync(input, "agent", written.Select(p => (p, input.AgentText(p))), cancellationToken).ConfigureAwait(false);
        var reference = await ReferenceAsync(input, cancellationToken).ConfigureAwait(false);

        var values = new Dictionary<string, double>();
        var notes = agent.Notes.Concat(reference.Notes.Select(n => "reference: " + n)).ToList();
        void Difference(ScorerMetric metric, Func<FileFigures, int?> figure)
        {
            // A file one side does not have counts 0 there; a file a tool could not measure leaves the metric out.
            int? Sum(ToolFigures figures, Func<string, bool> has) => files.Aggregate((int?)0, (sum, path) =>
                !has(path) ? sum : figures.Files.TryGetValue(path, out var f) && figure(f) is { } value ? sum + value : null);
            var mine = Sum(agent, p => input.AgentText(p) is not null);
            var theirs = Sum(reference, p => input.Reference.Text(p) is not null);
            if (mine is not null && theirs is not null)
                values[metric.Name] = mine.Value - theirs.Value;
            else
                notes.Add($"{metric.Name} not measured");
        }
        Difference(ScorerMetrics.LintBeyondReference, f => f.Findings);
        Difference(ScorerMetrics.ComplexityBeyondReference, f => f.Complexity);
        return new ScorerResult(values, notes);
    }

    /// <summary>The reference's figures for every source file of its final state (once per task and suite revision; a failure is not kept).</summary>
    private async Task<ToolFigures> ReferenceAsync(ScoringInput input, CancellationToken cancellationToken)
    {
        var key = (tool.Name, input.Suite.Revision, input.Task.Directory);
        var measured = ReferenceFigures.GetOrAdd(key, _ => new Lazy<Task<ToolFigures>>(() =>
            MeasureAsync(input, "reference", input.Reference.Paths.Where(tool.Measures).Select(p => (p, input.Reference.Text(p))), CancellationToken.None)));
        var figures = await measured.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (figures.Notes.Count > 0)
            ReferenceFigures.TryRemove(KeyValuePair.Create(key, measured));
        return figures;
    }

    /// <summary>Writes the files' texts into a fresh folder (nothing else there: no configuration) and runs the tool on them.</summary>
    private Task<ToolFigures> MeasureAsync(ScoringInput input, string side, IEnumerable<(string Path, string? Text)> files, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(input.Scratch, $"{side}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var (path, text) in files)
        {
            if (text is null)
                continue;
            var target = Path.GetFullPath(Path.Combine(folder, path));
            if (!target.StartsWith(folder + "/", StringComparison.Ordinal))
                continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, text);
            written.Add(path);
        }
        if (written.Count == 0)
            return Task.FromResult(new ToolFigures(new Dictionary<string, FileFigures>(), []));
        return tool.MeasureAsync(input.Tools, folder, input.Scratch, written, cancellationToken);
    }
}
