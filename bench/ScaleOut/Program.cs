// Queue latency of distributed execution (issue #15), driven by bench/scale-out.sh: enqueues trial
// jobs on the shared queue at a steady rate, with Driftwatch's own TrialQueue.Enqueue, waits until
// `driftwatch worker` processes have ended every one, and reads enqueue-to-start per job from
// Hangfire's state rows (the Enqueued state's createdat → the job's first Processing state's createdat).
//
//   real:    a planned run (simulated agent, delay 0) of the suite, one job per trial, exactly the
//            jobs `driftwatch run` enqueues, only paced instead of all at once; the run is closed as `run` closes it.
//   trivial: the queue alone: jobs of a run that does not exist, which a worker fetches, starts and
//            fails at once (no workspace, no agent, no test command).
//
// Usage: ScaleOut latency real|trivial --rate R --seconds S [--suite DIR] [--enqueuers N (default 16)]
// The connection string is read from $DW_PG. Prints one JSON line.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Running;
using Driftwatch.Formats.Suites;
using Driftwatch.Jobs.Distributed;
using Driftwatch.Jobs.Running;
using Driftwatch.Storage;
using Npgsql;

if (args.Length < 2 || args[0] != "latency" || args[1] is not ("real" or "trivial"))
{
    Console.Error.WriteLine("usage: ScaleOut latency real|trivial --rate R --seconds S [--suite DIR] [--enqueuers N]");
    return 2;
}
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var mode = args[1];
var rate = double.Parse(Option("--rate") ?? "50", CultureInfo.InvariantCulture);
var seconds = double.Parse(Option("--seconds") ?? "20", CultureInfo.InvariantCulture);
var enqueuers = int.Parse(Option("--enqueuers") ?? "16", CultureInfo.InvariantCulture);
var connection = Environment.GetEnvironmentVariable("DW_PG") is { Length: > 0 } c ? c : throw new InvalidOperationException("DW_PG is not set");
var count = (int)Math.Round(rate * seconds);

using var queue = TrialQueue.Open(connection, new WorkersConfig());
var pacer = new Pacer(queue, rate, enqueuers);
long runId;
if (mode == "real")
{
    var suiteFolder = Option("--suite") ?? throw new InvalidOperationException("--suite DIR is needed for real trials");
    var suite = SuiteLoader.Load(suiteFolder);
    var tasks = suite.Tasks.Length;
    using var store = StoreFactory.OpenPostgres(connection);
    var definition = new AgentDefinition("sim-instant", "simulated", new JsonObject { ["delay_ms"] = 0, ["seed"] = 4 }, "bench/ScaleOut");
    var job = new RunJob(store.Results, TimeProvider.System, RunOwners.Current(), Console.Error.WriteLine)
    {
        Dispatcher = executor => new PacedDispatcher(pacer, store.Results, executor),
    };
    var prepared = await job.CreateAsync(new NewRunRequest
    {
        Definition = definition,
        Agent = RunJob.CreateAgent(definition),
        Suite = suite,
        TrialsPerTask = (count + tasks - 1) / tasks,
        Seed = 5,
    }, new RunJobOptions { Sandbox = "none", Retries = 0 }, CancellationToken.None);
    runId = prepared.RunId;
    var result = await job.ExecuteAsync(prepared, progress: null, CancellationToken.None);
    pacer.Outcomes = string.Join(", ", result.Trials.GroupBy(t => t.Outcome.ToString()).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key.ToLowerInvariant()} {g.Count()}"));
    pacer.RunStatus = result.Header.Status.ToString().ToLowerInvariant();
}
else
{
    // A run id no store will ever have: each job fails as soon as its worker looks the run up.
    runId = long.MaxValue - Random.Shared.Next(1_000_000);
    await pacer.EnqueueAndWaitAsync([.. Enumerable.Range(0, count).Select(i => new TrialAssignment(runId, "none", i))], CancellationToken.None);
}

// Enqueue → start per job, from Hangfire's own state rows.
await using var source = NpgsqlDataSource.Create(connection);
await using var command = source.CreateCommand("""
    SELECT j.id,
           (SELECT min(s.createdat) FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Enqueued'),
           (SELECT min(s.createdat) FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Processing'),
           j.statename
    FROM hangfire.job j WHERE j.id = ANY($1);
    """);
command.Parameters.AddWithValue(pacer.Ids.Select(long.Parse).ToArray());
var latencies = new List<double>();
var enqueuedAt = new List<DateTime>();
var started = new List<DateTime>();
var finalStates = new Dictionary<string, int>(StringComparer.Ordinal);
await using (var reader = await command.ExecuteReaderAsync())
{
    while (await reader.ReadAsync())
    {
        var state = reader.IsDBNull(3) ? "" : reader.GetString(3);
        finalStates[state] = finalStates.GetValueOrDefault(state) + 1;
        if (reader.IsDBNull(1) || reader.IsDBNull(2))
            continue;
        var enqueued = reader.GetDateTime(1);
        var processing = reader.GetDateTime(2);
        enqueuedAt.Add(enqueued);
        started.Add(processing);
        latencies.Add((processing - enqueued).TotalMilliseconds);
    }
}
latencies.Sort();
double Quantile(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
var enqueueSpan = enqueuedAt.Count > 1 ? (enqueuedAt.Max() - enqueuedAt.Min()).TotalSeconds : double.NaN;
var startSpan = started.Count > 1 ? (started.Max() - started.Min()).TotalSeconds : double.NaN;
Console.WriteLine(JsonSerializer.Serialize(new
{
    mode,
    runId,
    jobs = pacer.Ids.Count,
    measured = latencies.Count,
    targetRate = rate,
    // Jobs over the time from the first enqueue to the last, by the client's clock and by Hangfire's state rows.
    enqueueRate = Math.Round((pacer.Ids.Count - 1) / pacer.EnqueueSeconds, 2),
    enqueueRateStates = Math.Round((enqueuedAt.Count - 1) / enqueueSpan, 2),
    startRate = Math.Round((started.Count - 1) / startSpan, 2),
    medianMs = Math.Round(Quantile(0.5), 1),
    p95Ms = Math.Round(Quantile(0.95), 1),
    p99Ms = Math.Round(Quantile(0.99), 1),
    maxMs = Math.Round(latencies.Count == 0 ? double.NaN : latencies[^1], 1),
    drainSeconds = Math.Round(pacer.DrainSeconds, 2),
    enqueuers,
    enqueueCallMedianMs = Math.Round(pacer.EnqueueCallMedianMs, 1),
    enqueueCallP95Ms = Math.Round(pacer.EnqueueCallP95Ms, 1),
    states = finalStates,
    outcomes = pacer.Outcomes,
    runStatus = pacer.RunStatus,
}));
return 0;

/// <summary>Enqueues jobs at a steady rate (job i due at i / rate, spread over enqueuing threads so that one slow insert does not hold up the next), then waits until every job has ended.</summary>
internal sealed class Pacer(TrialQueue queue, double rate, int enqueuers)
{
    public List<string> Ids { get; } = [];
    public double EnqueueSeconds { get; private set; }
    public double DrainSeconds { get; private set; }

    /// <summary>How long one TrialQueue.Enqueue call took (the Hangfire client's insert), median and p95.</summary>
    public double EnqueueCallMedianMs { get; private set; }
    public double EnqueueCallP95Ms { get; private set; }
    public string? Outcomes { get; set; }
    public string? RunStatus { get; set; }

    public async Task EnqueueAndWaitAsync(IReadOnlyList<TrialAssignment> trials, CancellationToken cancellationToken)
    {
        var ids = new string[trials.Count];
        // Warm-up, not measured: one job of a run that does not exist (its worker fails it at once),
        // so that the first paced jobs do not also pay for the client's first connection and JIT.
        queue.Enqueue(new TrialJobArguments(long.MaxValue, "warm-up", 0, "bench", 0, 1));
        var clock = Stopwatch.StartNew();
        var last = new double[enqueuers];
        var calls = new double[trials.Count];
        // Dedicated threads, not the thread pool: the Hangfire client's calls block, and blocked pool
        // threads on 2 cores would starve the pool (and time the pool's thread injection, not the queue).
        var threads = Enumerable.Range(0, enqueuers).Select(e => new Thread(() =>
        {
            for (var i = e; i < trials.Count; i += enqueuers)
            {
                var wait = i / rate - clock.Elapsed.TotalSeconds;
                if (wait > 0)
                    Thread.Sleep(TimeSpan.FromSeconds(wait));
                var t = trials[i];
                var before = clock.Elapsed.TotalMilliseconds;
                ids[i] = queue.Enqueue(new TrialJobArguments(t.RunId, t.TaskId, t.TrialIndex, "bench", 0, 1));
                last[e] = clock.Elapsed.TotalSeconds;
                calls[i] = last[e] * 1000 - before;
            }
        }) { IsBackground = true, Name = $"enqueuer {e}" }).ToList();
        threads.ForEach(t => t.Start());
        await Task.Run(() => threads.ForEach(t => t.Join()), cancellationToken).ConfigureAwait(false);
        EnqueueSeconds = last.Max();
        Array.Sort(calls);
        EnqueueCallMedianMs = calls[calls.Length / 2];
        EnqueueCallP95Ms = calls[Math.Min(calls.Length - 1, (int)Math.Ceiling(0.95 * calls.Length) - 1)];
        Ids.AddRange(ids);
        var open = new HashSet<string>(ids, StringComparer.Ordinal);
        var limit = TimeSpan.FromMinutes(15);
        while (open.Count > 0)
        {
            if (clock.Elapsed > limit)
                throw new TimeoutException($"{open.Count} of {ids.Length} jobs had not ended after {limit.TotalMinutes} min");
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            foreach (var (id, state) in await queue.StatesAsync(open, cancellationToken).ConfigureAwait(false))
            {
                if (state is "Succeeded" or "Failed" or "Deleted")
                    open.Remove(id);
            }
        }
        DrainSeconds = clock.Elapsed.TotalSeconds;
    }
}

/// <summary>What QueueDispatcher does for `run` (the suite published to the store, one job per trial), with the jobs paced.</summary>
internal sealed class PacedDispatcher(Pacer pacer, IResultStore store, ITrialExecutor local) : ITrialDispatcher
{
    public async Task DispatchAsync(TrialDispatch dispatch, CancellationToken cancellationToken)
    {
        await local.PrepareAsync(dispatch.RunId, cancellationToken).ConfigureAwait(false);
        var plan = await store.GetPlanAsync(dispatch.RunId, cancellationToken).ConfigureAwait(false);
        await SuiteBundles.PublishAsync(store, SuiteLoader.Load(plan.SuitePath), cancellationToken).ConfigureAwait(false);
        await pacer.EnqueueAndWaitAsync(dispatch.Trials, cancellationToken).ConfigureAwait(false);
    }
}
