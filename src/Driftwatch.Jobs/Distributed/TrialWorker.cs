using System.Collections.Concurrent;
using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Formats.Suites;
using Driftwatch.Jobs.Running;
using Hangfire;

namespace Driftwatch.Jobs.Distributed;

/// <summary>How a worker serves the queue (`driftwatch worker` flags).</summary>
public sealed record TrialWorkerOptions
{
    /// <summary>The queues this worker takes trials from.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [Core.Configuration.WorkersConfig.DefaultQueue];

    /// <summary>Trials at once in this process.</summary>
    public int Parallel { get; init; } = Environment.ProcessorCount;

    /// <summary>Where suites unpacked from the store are kept (<see cref="SuiteBundles.DefaultCacheRoot"/>).</summary>
    public string SuiteCache { get; init; } = SuiteBundles.DefaultCacheRoot();

    /// <summary>The name this worker has in the queue's list of servers (default: host and pid).</summary>
    public string? Name { get; init; }

    /// <summary>Where trial folders are made.</summary>
    public string? WorkRoot { get; init; }
}

/// <summary>
/// `driftwatch worker`: takes trial jobs from the shared queue and runs each on its own
/// <see cref="TrialExecutor"/>, exactly as `run` would in its own process: the run's world (its
/// suite unpacked from the store by revision, its agent rebuilt from the stored definition, a
/// sandbox of the stored mode) built once per run. Hangfire's retries are off for trials (the
/// runner's own retries and error classification decide); a trial whose worker dies is fetched
/// again by another once its lease lapses, and its recording is idempotent, so every planned trial
/// ends exactly once.
/// </summary>
public sealed class TrialWorker : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, TrialExecutor> _executors = new();
    private readonly TrialWorkerOptions _options;

    public TrialWorker(IResultStore store, TrialQueue queue, TrialWorkerOptions options, RunOwner owner, TimeProvider time, Action<string> log)
    {
        Store = store;
        Queue = queue;
        _options = options;
        Time = time;
        Log = log;
        Slots = new AgentSlots(queue.DataSource);
        Owner = owner;
    }

    public IResultStore Store { get; }
    public TrialQueue Queue { get; }
    public AgentSlots Slots { get; }
    public TimeProvider Time { get; }
    public Action<string> Log { get; }

    /// <summary>This process, as the owner a finalizer claims an abandoned run for.</summary>
    public RunOwner Owner { get; }

    /// <summary>Serves the queues until cancelled; trials in flight then are handed back to the queue for another worker.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var name = _options.Name ?? $"{Environment.MachineName}:{Environment.ProcessId}";
        using (var server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            ServerName = name,
            WorkerCount = _options.Parallel,
            Queues = [.. _options.Queues],
            Activator = new Activator(this),
            HeartbeatInterval = TimeSpan.FromSeconds(10),
            CancellationCheckInterval = TimeSpan.FromSeconds(1),
            ShutdownTimeout = TimeSpan.FromSeconds(30),
            SchedulePollingInterval = TimeSpan.FromSeconds(5),
        }, Queue.Storage))
        {
            Log($"worker {name}: serving {string.Join(", ", _options.Queues)} with {_options.Parallel} at once");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            Log($"worker {name}: stopping; trials in flight go back to the queue");
            server.SendStop();
        }
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The executor for trials with <paramref name="maxAttempts"/> attempts (one per setting, each caching its runs' worlds).</summary>
    internal TrialExecutor ExecutorFor(int maxAttempts) => _executors.GetOrAdd(maxAttempts, attempts => new TrialExecutor(Store, Store, new TrialEnvironment
    {
        CreateAgent = (id, plan) => RunJob.CreateAgent(TrialEnvironment.DefinitionOf(id, plan)),
        CreateSandbox = CreateSandboxAsync,
        LoadSuite = async (plan, token) => SuiteLoader.Load(await SuiteBundles.MaterializeAsync(
            Store, plan.SuiteRevision, Path.GetFileName(plan.SuitePath.TrimEnd('/', '\\')), _options.SuiteCache, token).ConfigureAwait(false)),
        Options = _options.WorkRoot is { } root ? new TrialOptions { MaxAttempts = attempts, WorkRoot = root } : new TrialOptions { MaxAttempts = attempts },
        Time = Time,
    }));

    /// <summary>Lets go of a run's world on every executor once the run has nothing left to run.</summary>
    internal async Task ReleaseAsync(long runId)
    {
        foreach (var executor in _executors.Values)
            await executor.ReleaseAsync(runId).ConfigureAwait(false);
    }

    /// <summary>The run's stored sandbox mode: bubblewrap where the run had it (never weaker), none only where the run had none.</summary>
    private async Task<ISandbox> CreateSandboxAsync(string mode, bool synthetic, CancellationToken cancellationToken)
    {
        var (sandbox, warning) = await SandboxFactory.CreateAsync(SandboxFactory.ParseMode(mode == "none" ? "none" : "bwrap"), cancellationToken, unconfinedFallback: synthetic).ConfigureAwait(false);
        if (warning is not null)
            Log(warning);
        return sandbox;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var executor in _executors.Values)
            await executor.DisposeAsync().ConfigureAwait(false);
        _executors.Clear();
    }

    /// <summary>Makes the jobs of this worker: each gets the worker's store, queue and executors.</summary>
    private sealed class Activator(TrialWorker worker) : JobActivator
    {
        public override object ActivateJob(Type jobType) =>
            jobType == typeof(TrialJob) ? new TrialJob(worker)
            : jobType == typeof(RunFinalizer) ? new RunFinalizer(worker)
            : throw new InvalidOperationException($"a worker runs Driftwatch's trial jobs only, not {jobType}");
    }
}

/// <summary>The job of one trial: run it, record it once, and have the run closed when it was the last.</summary>
public sealed class TrialJob(TrialWorker worker)
{
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("trial {0}")]
    public async Task RunAsync(TrialJobArguments trial, CancellationToken cancellationToken)
    {
        await using (await worker.Slots.AcquireAsync(trial.Agent, trial.AgentLimit, cancellationToken).ConfigureAwait(false))
        {
            worker.Log($"{trial}: started");
            var (record, result) = await worker.ExecutorFor(trial.MaxAttempts)
                .ExecuteAsync(new TrialAssignment(trial.RunId, trial.TaskId, trial.TrialIndex), cancellationToken).ConfigureAwait(false);
            worker.Log($"{trial}: {record.Trial.Outcome.Name()}{(result == RecordResult.AlreadyRecorded ? " (already recorded by another worker: the first outcome stands)" : "")}");
        }
        var header = await worker.Store.GetRunAsync(trial.RunId, CancellationToken.None).ConfigureAwait(false);
        // Not closed yet (a run whose submitter died reads as incomplete, but is still open).
        if (header is { FinishedAt: null, Summary.Pending: 0 })
        {
            worker.Queue.EnqueueFinalizer(trial.RunId);
            await worker.ReleaseAsync(trial.RunId).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// A run's finalizer: closes a run whose trials are all in once nobody else will. While the run's
/// submitter still holds it (it waits for its trials and closes the run itself), the finalizer
/// looks again after a lease; when the submitter is gone, the finalizer claims the run and closes it.
/// </summary>
public sealed class RunFinalizer(TrialWorker worker)
{
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("close run {0}")]
    public async Task CloseAsync(long runId, CancellationToken cancellationToken)
    {
        var header = await worker.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (header is not { FinishedAt: null, Summary.Pending: 0 })
            return;
        try
        {
            await worker.Store.ClaimRunAsync(runId, worker.Owner, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidInputException)
        {
            worker.Queue.ScheduleFinalizer(runId, RunLease.Length);
            return;
        }
        var closed = await SuiteRunner.CloseAsync(worker.Store, worker.Time, runId).ConfigureAwait(false);
        worker.Log($"run {runId}: closed {closed.Status.Name()} by this worker (its submitter was gone)");
    }
}
