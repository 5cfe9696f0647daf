using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Stores;
using Driftwatch.Core.Suites;
using Driftwatch.Storage;
using Driftwatch.Storage.Sqlite;

namespace Driftwatch.Bench.HistoryScale;

/// <summary>One real trial of the source database with its artifacts, copied as the outcome of a new trial.</summary>
internal sealed record Template(Trial Trial, IReadOnlyList<TrialArtifact> Artifacts);

/// <summary>The templates of one task: those that passed and those that did not.</summary>
internal sealed record TaskTemplates(string TaskId, TaskCategory Category, string Language, List<Template> Pass, List<Template> Other);

/// <summary>One history (agent × suite): a pass probability per task, and a drop from a day on for some.</summary>
internal sealed record Series(int Index, string Agent, string Suite, double[] TaskPass, int? DropDay);

internal static class Build
{
    public const int Days = 730;
    public static readonly string[] Agents = ["sim-atlas", "sim-birch", "sim-cedar", "sim-delta", "sim-ember"];
    public static readonly string[] Suites = ["core", "core-mirror"];

    /// <summary>Series that drop by 10 points: atlas on core and delta on core-mirror.</summary>
    private static readonly int[] Dropping = [0, 7];

    public static async Task<int> RunAsync(long trials, string outPath, string sourcePath, int writers, ulong seed, DateOnly end)
    {
        if (File.Exists(outPath))
        {
            Console.Error.WriteLine($"{outPath}: exists; the build writes a fresh database only");
            return 2;
        }
        var clock = Stopwatch.StartNew();
        var (tasks, plan, fingerprint) = await ReadSourceAsync(sourcePath);
        Log($"source {sourcePath}: {tasks.Sum(t => t.Pass.Count + t.Other.Count)} trials of {tasks.Count} tasks read in {clock.Elapsed.TotalSeconds:F1} s " +
            $"({tasks.Count(t => t.Pass.Count > 0 && t.Other.Count > 0)} tasks with both passes and failures)");

        var series = MakeSeries(tasks, seed);
        foreach (var s in series)
        {
            Log($"series {s.Index}: {s.Agent} × {s.Suite}: pass rate {s.TaskPass.Average():P1}" +
                (s.DropDay is { } d ? $", drops 10 points from day {d} ({Day(end, d):yyyy-MM-dd})" : ""));
        }

        // Runs in time order (day-major), so that run ids grow with time as they do in a real history.
        var runs = new List<(int Day, Series Series, int Trials)>();
        var totalRuns = (long)Days * series.Count;
        for (var day = 0; day < Days; day++)
        {
            foreach (var s in series)
            {
                var index = runs.Count;
                runs.Add((day, s, (int)(trials / totalRuns + (index < trials % totalRuns ? 1 : 0))));
            }
        }
        if (runs.Any(r => r.Trials == 0))
        {
            Console.Error.WriteLine($"--trials {trials}: fewer than one trial per run ({totalRuns} runs); give at least {totalRuns}");
            return 2;
        }

        using var store = StoreFactory.Of(SqliteResultStore.Open(outPath));
        var owner = RunOwners.Current();
        long done = 0;
        var next = -1;
        var building = Stopwatch.StartNew();
        using var progress = new Timer(_ =>
        {
            var n = Interlocked.Read(ref done);
            var rate = n / building.Elapsed.TotalSeconds;
            Log($"{n:N0} / {trials:N0} trials ({(double)n / trials:P1}), {rate:F0} trials/s, about {(trials - n) / Math.Max(rate, 1e-9) / 60:F1} min left");
        }, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));

        async Task Writer()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= runs.Count)
                    return;
                var (day, s, count) = runs[i];
                await WriteRunAsync(store, owner, plan, fingerprint, tasks, s, day, count, end, seed);
                Interlocked.Add(ref done, count);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, writers)).Select(_ => Task.Run(Writer)));
        building.Stop();
        await progress.DisposeAsync();

        var size = new FileInfo(outPath).Length + (File.Exists(outPath + "-wal") ? new FileInfo(outPath + "-wal").Length : 0);
        Log($"built {trials:N0} trials in {runs.Count:N0} runs in {building.Elapsed.TotalSeconds:F1} s with {writers} writer(s): " +
            $"{trials / building.Elapsed.TotalSeconds:F0} trials/s; database {size:N0} bytes, {(double)size / trials:F0} bytes per trial");
        Console.WriteLine(FormattableString.Invariant(
            $"{{\"trials\":{trials},\"runs\":{runs.Count},\"seconds\":{building.Elapsed.TotalSeconds:F1},\"trialsPerSecond\":{trials / building.Elapsed.TotalSeconds:F1},\"writers\":{writers},\"bytes\":{size},\"bytesPerTrial\":{(double)size / trials:F0}}}"));
        return 0;
    }

    private static DateTimeOffset Day(DateOnly end, int day) =>
        new(end.AddDays(day - (Days - 1)).ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero);

    private static async Task WriteRunAsync(DriftwatchStore store, RunOwner owner, RunPlan source, RunFingerprint fingerprint,
        List<TaskTemplates> tasks, Series s, int day, int count, DateOnly end, ulong seed)
    {
        var random = new SplitMix(seed * 1_000_003UL + (ulong)(s.Index * Days + day));
        // count trials spread over the tasks, the extra ones rotating from day to day.
        var perTask = count / tasks.Count;
        var extra = count % tasks.Count;
        var rotation = (int)((long)day * Math.Max(extra, 1) % tasks.Count);
        var planned = new List<PlannedTrial>(count);
        var taskOf = new List<int>(count);
        for (var t = 0; t < tasks.Count; t++)
        {
            var k = perTask + ((t - rotation + tasks.Count) % tasks.Count < extra ? 1 : 0);
            for (var index = 0; index < k; index++)
            {
                planned.Add(new PlannedTrial(tasks[t].TaskId, index, 0, tasks[t].Category, tasks[t].Language));
                taskOf.Add(t);
            }
        }
        // The run's order, shuffled as a run shuffles its trials.
        var order = Enumerable.Range(0, planned.Count).ToArray();
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)random.Next((ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        var ordered = order.Select((o, sequence) => planned[o] with { Sequence = sequence }).ToImmutableArray();
        var plan = source with
        {
            AgentName = s.Agent,
            SuiteName = s.Suite,
            TrialsPerTask = Math.Max(1, perTask + (extra > 0 ? 1 : 0)),
            Seed = (int)(random.Next(int.MaxValue)),
            TaskFilter = null,
            Trials = ordered,
        };
        var startedAt = Day(end, day).AddMinutes(20 * s.Index);
        var runId = await store.Runs.CreateRunAsync(plan, fingerprint, startedAt, owner);
        var at = startedAt;
        for (var i = 0; i < ordered.Length; i++)
        {
            var task = tasks[taskOf[order[i]]];
            var p = s.TaskPass[taskOf[order[i]]];
            if (s.DropDay is { } drop && day >= drop)
                p = Math.Max(0, p - 0.10);
            var pass = random.NextDouble() < p;
            var pool = pass ? (task.Pass.Count > 0 ? task.Pass : task.Other) : (task.Other.Count > 0 ? task.Other : task.Pass);
            var template = pool[(int)random.Next((ulong)pool.Count)];
            var duration = TimeSpan.FromMilliseconds(Math.Max(template.Trial.DurationMs, 1));
            var trial = template.Trial with
            {
                RunId = runId,
                TrialIndex = ordered[i].TrialIndex,
                Sequence = i,
                StartedAt = at,
                FinishedAt = at + duration,
            };
            at += duration;
            if (await store.Trials.RecordTrialAsync(trial, template.Artifacts) != RecordResult.Recorded)
                throw new InvalidOperationException($"trial {trial.Key} of run {runId} was not recorded");
        }
        await store.Runs.FinishRunAsync(runId, RunStatus.Complete, at);
    }

    private static List<Series> MakeSeries(List<TaskTemplates> tasks, ulong seed)
    {
        var random = new SplitMix(seed);
        var list = new List<Series>();
        foreach (var agent in Agents)
        {
            foreach (var suite in Suites)
            {
                var index = list.Count;
                // A pass rate for the history, and each task around it on the logit scale.
                var rate = 0.55 + 0.3 * random.NextDouble();
                var logit = Math.Log(rate / (1 - rate));
                var pass = tasks.Select(_ => 1 / (1 + Math.Exp(-(logit + 1.5 * random.NextGaussian())))).ToArray();
                int? drop = Dropping.Contains(index) ? Days - 130 + (int)random.Next(100) : null;
                list.Add(new Series(index, agent, suite, pass, drop));
            }
        }
        return list;
    }

    private static async Task<(List<TaskTemplates> Tasks, RunPlan Plan, RunFingerprint Fingerprint)> ReadSourceAsync(string sourcePath)
    {
        using var source = StoreFactory.Of(SqliteResultStore.OpenForReading(sourcePath));
        var runs = (await source.Runs.ListRunsAsync(new RunQuery())).Where(r => r.Status == RunStatus.Complete).ToList();
        if (runs.Count == 0)
            throw new InvalidOperationException($"{sourcePath}: no complete runs");
        var byTask = new SortedDictionary<string, TaskTemplates>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            foreach (var trial in await source.Trials.GetTrialsAsync(run.Id))
            {
                if (trial.Outcome == TrialOutcome.Error)
                    continue;
                var artifacts = new List<TrialArtifact>();
                foreach (var kind in Enum.GetValues<ArtifactKind>())
                {
                    if (await source.Trials.GetArtifactAsync(run.Id, trial.Key, kind) is { } content)
                        artifacts.Add(new TrialArtifact(kind, content));
                }
                if (!byTask.TryGetValue(trial.TaskId, out var templates))
                    byTask[trial.TaskId] = templates = new TaskTemplates(trial.TaskId, trial.Category, trial.Language, [], []);
                (trial.Outcome == TrialOutcome.Pass ? templates.Pass : templates.Other).Add(new Template(trial, artifacts));
            }
        }
        var last = runs[^1];
        return ([.. byTask.Values], await source.Runs.GetPlanAsync(last.Id), last.Fingerprint);
    }

    public static void Log(string message) =>
        Console.Error.WriteLine($"{DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {message}");
}

/// <summary>A small seeded generator (SplitMix64), the same sequence on every machine and runtime.</summary>
internal sealed class SplitMix(ulong seed)
{
    private ulong _state = seed;

    public ulong NextULong()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong Next(ulong bound) => NextULong() % bound;

    public int Next(int bound) => (int)Next((ulong)bound);

    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double NextGaussian() => Math.Sqrt(-2 * Math.Log(1 - NextDouble())) * Math.Cos(2 * Math.PI * NextDouble());
}
