using System.Collections.Concurrent;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Running;
using Driftwatch.Formats.Suites;
using Driftwatch.Jobs.Distributed;
using Driftwatch.Jobs.Running;
using Driftwatch.Jobs.Tests.Scheduling;
using Driftwatch.Storage;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Jobs.Tests.Distributed;

/// <summary>
/// Trials as jobs on the PostgreSQL queue, executed by workers in this process (the process-level
/// kill test is in Driftwatch.Cli.Tests): the queue, the store and Hangfire are all real.
/// </summary>
public sealed class QueueDispatcherTests : IDisposable
{
    private static readonly RunOwner Owner = new("test-host", 1, DateTimeOffset.UnixEpoch);
    private readonly TempDirectory _temp = new("queue");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_run_whose_trials_go_through_the_queue_to_two_workers_ends_exactly_as_the_same_run_in_process()
    {
        var token = TestContext.Current.CancellationToken;
        var connection = await PostgresServer.CreateDatabaseAsync();
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < 5; i++)
            builder.AddAdder($"add-{i}");
        var suite = SuiteLoader.Load(builder.Build());
        var definition = ScheduleWorld.Agent("sim", skill: 0.6);
        using var store = StoreFactory.OpenPostgres(connection, _ => false);
        var options = new RunJobOptions { Parallel = 2, Sandbox = "none", Retries = 0 };
        NewRunRequest Request() => new() { Definition = definition, Agent = RunJob.CreateAgent(definition), Suite = suite, TrialsPerTask = 3, Seed = 3 };

        // Given two workers, each with its own store connection and its own suite cache
        using var queue = TrialQueue.Open(connection, new WorkersConfig());
        var ran = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        await using var workers = await Workers.StartAsync(connection, 2, _temp, ran);

        // When one run executes in this process and another goes through the queue
        var local = new RunJob(store.Results, TimeProvider.System, Owner, _ => { });
        var inProcess = await local.ExecuteAsync(await local.CreateAsync(Request(), options, token), null, token);
        var enqueued = new ConcurrentBag<string>();
        var remote = new RunJob(store.Results, TimeProvider.System, Owner, _ => { })
        {
            Dispatcher = executor => new QueueDispatcher(queue, store.Results, executor) { MaxAttempts = 1, Enqueued = (id, _) => enqueued.Add(id) },
        };
        var progress = new ConcurrentBag<RunProgress>();
        var dispatched = await remote.ExecuteAsync(await remote.CreateAsync(Request(), options, token), new SyncProgress(progress.Add), token);

        // Then every trial was one job, run by a worker, and the run closed complete with the same outcomes
        enqueued.Count.ShouldBe(15);
        ran.Values.Sum(v => v.Count).ShouldBe(15, "each job ran once");
        ran.Keys.Count.ShouldBe(2, "both workers ran trials");
        dispatched.Header.Status.ShouldBe(RunStatus.Complete);
        dispatched.Header.Summary.ShouldBe(inProcess.Header.Summary);
        dispatched.Trials.Select(t => (t.TaskId, t.TrialIndex, t.Outcome)).Order()
            .ShouldBe(inProcess.Trials.Select(t => (t.TaskId, t.TrialIndex, t.Outcome)).Order());
        progress.Max(p => p.Done).ShouldBe(15, "the owner heard of every trial as it landed");
        // The workers ran the suite from the store, unpacked under its revision, not from the planning folder.
        foreach (var cache in workers.Caches)
            SuiteRevision.Compute(Path.Combine(cache, suite.Revision, "suite")).ShouldBe(suite.Revision);
    }

    [Fact]
    public async Task An_agent_limit_holds_across_workers()
    {
        var token = TestContext.Current.CancellationToken;
        var connection = await PostgresServer.CreateDatabaseAsync();
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < 4; i++)
            builder.AddAdder($"add-{i}");
        var suite = SuiteLoader.Load(builder.Build());
        // The simulated agent takes a while per trial, so that trials would overlap without the limit.
        var definition = ScheduleWorld.Agent("slow", skill: 0.6, delayMs: 400);
        using var store = StoreFactory.OpenPostgres(connection, _ => false);
        using var queue = TrialQueue.Open(connection, new WorkersConfig { AgentLimits = System.Collections.Immutable.ImmutableDictionary<string, int>.Empty.Add("slow", 1) });
        var ran = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var running = 0;
        var most = 0;
        await using var workers = await Workers.StartAsync(connection, 2, _temp, ran, line =>
        {
            if (line.EndsWith(": started", StringComparison.Ordinal))
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
            }
            else if (line.Contains(" #", StringComparison.Ordinal) && !line.Contains("closed", StringComparison.Ordinal))
            {
                Interlocked.Decrement(ref running);
            }
        });
        var job = new RunJob(store.Results, TimeProvider.System, Owner, _ => { })
        {
            Dispatcher = executor => new QueueDispatcher(queue, store.Results, executor) { MaxAttempts = 1 },
        };
        var result = await job.ExecuteAsync(await job.CreateAsync(new NewRunRequest
        {
            Definition = definition, Agent = RunJob.CreateAgent(definition), Suite = suite, TrialsPerTask = 2, Seed = 1,
        }, new RunJobOptions { Parallel = 4, Sandbox = "none", Retries = 0 }, token), null, token);

        result.Header.Status.ShouldBe(RunStatus.Complete);
        ran.Values.Sum(v => v.Count).ShouldBe(8);
        most.ShouldBe(1, "two workers of two threads each, and never two trials of the agent at once");
    }

    [Fact]
    public async Task A_run_whose_submitter_died_is_closed_by_its_finalizer_once_its_trials_are_in()
    {
        var token = TestContext.Current.CancellationToken;
        var connection = await PostgresServer.CreateDatabaseAsync();
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < 3; i++)
            builder.AddAdder($"add-{i}");
        var suite = SuiteLoader.Load(builder.Build());
        var definition = ScheduleWorld.Agent("sim", skill: 0.6);
        using var store = StoreFactory.OpenPostgres(connection);
        using var queue = TrialQueue.Open(connection, new WorkersConfig());

        // Given a run planned and enqueued by a submitter that then died (a process of this
        // machine that is gone: this process's id with another start time), so nobody waits for it
        var gone = new RunOwner(Environment.MachineName, Environment.ProcessId, DateTimeOffset.UnixEpoch);
        var job = new RunJob(store.Results, TimeProvider.System, gone, _ => { });
        var prepared = await job.CreateAsync(new NewRunRequest { Definition = definition, Agent = RunJob.CreateAgent(definition), Suite = suite, TrialsPerTask = 2, Seed = 2 },
            new RunJobOptions { Sandbox = "none", Retries = 0 }, token);
        await SuiteBundles.PublishAsync(store.Results, suite, token);
        foreach (var trial in await store.Results.GetPendingTrialsAsync(prepared.RunId, token))
            queue.Enqueue(new TrialJobArguments(prepared.RunId, trial.TaskId, trial.TrialIndex, "sim", 0, 1));

        // When workers run its trials
        var lines = new ConcurrentBag<string>();
        await using var workers = await Workers.StartAsync(connection, 2, _temp, new ConcurrentDictionary<string, ConcurrentBag<string>>(), lines.Add);

        // Then the last trial's finalizer claims the dead submitter's run and closes it complete
        var deadline = DateTime.UtcNow.AddMinutes(3);
        RunHeader? header;
        // A run whose submitter died reads as incomplete while it is still open: closed is what counts.
        while ((header = await store.Results.GetRunAsync(prepared.RunId, token))!.FinishedAt is null && DateTime.UtcNow < deadline)
            await Task.Delay(200, token);
        var trials = await store.Results.GetTrialsAsync(prepared.RunId, token);
        header.Status.ShouldBe(RunStatus.Complete, string.Join("; ", trials.Select(t => $"{t.Key} {t.Outcome}")));
        trials.Count.ShouldBe(6);
        header.Summary.Pending.ShouldBe(0);
        lines.ShouldContain(l => l.Contains($"run {prepared.RunId}: closed complete by this worker", StringComparison.Ordinal));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private sealed class SyncProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }

    /// <summary>Worker processes' stand-ins: each a <see cref="TrialWorker"/> with its own store, queue and suite cache.</summary>
    private sealed class Workers : IAsyncDisposable
    {
        private readonly List<(TrialWorker Worker, Task Running, IDisposable Store, TrialQueue Queue)> _workers = [];
        private readonly CancellationTokenSource _stop = new();

        public List<string> Caches { get; } = [];

        public static Task<Workers> StartAsync(string connection, int count, TempDirectory temp, ConcurrentDictionary<string, ConcurrentBag<string>> ran, Action<string>? log = null)
        {
            var workers = new Workers();
            for (var i = 0; i < count; i++)
            {
                var name = $"worker-{i}";
                // The real owner check: the tests' submitter is on another host (alive), a gone process here is dead.
                var store = StoreFactory.OpenPostgres(connection);
                var queue = TrialQueue.Open(connection, new WorkersConfig());
                var cache = temp.Combine($"cache-{i}");
                workers.Caches.Add(cache);
                var worker = new TrialWorker(store.Results, queue, new TrialWorkerOptions { Parallel = 2, Name = name, SuiteCache = cache },
                    new RunOwner(name, 100 + i, DateTimeOffset.UnixEpoch), TimeProvider.System, line =>
                    {
                        if (line.EndsWith(": started", StringComparison.Ordinal))
                            ran.GetOrAdd(name, _ => []).Add(line);
                        log?.Invoke(line);
                    });
                workers._workers.Add((worker, worker.RunAsync(workers._stop.Token), store, queue));
            }
            return Task.FromResult(workers);
        }

        public async ValueTask DisposeAsync()
        {
                await _stop.CancelAsync();
            foreach (var (_, running, store, queue) in _workers)
            {
                await running;
                store.Dispose();
                queue.Dispose();
            }
            _stop.Dispose();
        }
    }
}
