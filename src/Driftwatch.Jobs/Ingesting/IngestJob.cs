using Driftwatch.Core;
using Driftwatch.Core.Ingest;
using Driftwatch.Formats.Ingest;

namespace Driftwatch.Jobs.Ingesting;

/// <summary>What one ingest did: each run read, and whether it was new.</summary>
public sealed record IngestSummary(IReadOnlyList<IngestResult> Runs)
{
    public int Added => Runs.Count(r => r.Added);
    public int AlreadyThere => Runs.Count(r => !r.Added);
    public int TrialsAdded => Runs.Where(r => r.Added).Sum(r => r.Run.Trials.Count + (r.Run.Totals?.Total ?? 0));

    /// <summary>The agent × suite pairs that have new runs: the ones to judge again.</summary>
    public IReadOnlyList<(string Agent, string Suite)> Changed =>
        [.. Runs.Where(r => r.Added).Select(r => (r.Run.Agent, r.Run.Suite)).Distinct().Order()];
}

/// <summary>
/// `driftwatch ingest` and a scheduled ingest: reads every path in one format, checks every run,
/// and only then stores them all in one transaction — a bad file anywhere means nothing is written.
/// </summary>
public sealed class IngestJob(IIngestStore store)
{
    public async Task<IngestSummary> RunAsync(string format, IReadOnlyList<string> paths, IngestOptions options, CancellationToken cancellationToken)
    {
        var reader = IngestReaders.Find(format);
        if (paths.Count == 0)
            throw new InvalidInputException("PATH: give at least one file or folder to ingest");
        var runs = new List<IngestedRun>();
        var byKey = new Dictionary<string, IngestedRun>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new InvalidInputException($"{path}: no such file or folder");
            var read = reader.Read(path, options);
            if (read.Count == 0)
                throw new InvalidInputException($"{path}: no {reader.Format} runs in it");
            foreach (var run in read)
            {
                if (IngestedRuns.Problem(run) is { } problem)
                    throw new InvalidInputException($"{run.Path}: run '{run.Key}' {problem}");
                if (byKey.TryGetValue(run.Key, out var earlier))
                {
                    // The same run given twice (a file and its copy) is one run; two different runs
                    // under one key would make the second silently lost.
                    if (earlier.ContentHash() == run.ContentHash())
                        continue;
                    throw new InvalidInputException($"{run.Path}: run '{run.Key}' is also in {earlier.Path} with other content");
                }
                byKey[run.Key] = run;
                runs.Add(run);
            }
        }
        return new IngestSummary(await store.IngestAsync(runs, cancellationToken));
    }
}
