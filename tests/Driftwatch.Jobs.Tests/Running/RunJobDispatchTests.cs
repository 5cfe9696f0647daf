using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Driftwatch.Core.Runs;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Jobs.Running;
using Driftwatch.Jobs.Tests.Scheduling;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Formats.Suites;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Jobs.Tests.Running;

public sealed class RunJobDispatchTests : IDisposable
{
    private static readonly RunOwner Owner = new("test-host", 1, DateTimeOffset.UnixEpoch);
    private readonly TempDirectory _temp = new("dispatch");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_run_whose_trials_go_as_json_messages_to_other_workers_ends_exactly_as_the_same_run_in_process()
    {
        // Given a simulated agent (its every decision a hash of seed, day, task and trial) on a
        // 5-task suite, 3 trials each, and one database
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < 5; i++)
            builder.AddAdder($"add-{i}");
        var suite = SuiteLoader.Load(builder.Build());
        var definition = ScheduleWorld.Agent("sim", skill: 0.6);
        using var store = SqliteResultStore.Open(_temp.Combine("dw.db"), _ => false);
        var options = new RunJobOptions { Parallel = 2, Sandbox = "none", Retries = 0 };
        NewRunRequest Request() => new() { Definition = definition, Agent = RunJob.CreateAgent(definition), Suite = suite, TrialsPerTask = 3, Seed = 3 };

        // When one run executes in this process, and another's trials are dispatched as JSON
        // messages to two workers that each open the database themselves and rebuild everything
        // from the stored plan
        var local = new RunJob(store, TimeProvider.System, Owner, _ => { });
        var inProcess = await local.ExecuteAsync(await local.CreateAsync(Request(), options, CancellationToken.None), null, CancellationToken.None);
        var queue = new QueueDispatcher(store.Path, workers: 2);
        var remote = new RunJob(store, TimeProvider.System, Owner, _ => { }) { Dispatcher = _ => queue };
        var dispatched = await remote.ExecuteAsync(await remote.CreateAsync(Request(), options, CancellationToken.None), null, CancellationToken.None);

        // Then every trial went through the queue once, was recorded by a worker, and both runs
        // closed complete with the same outcome for every task and trial
        queue.Messages.Count.ShouldBe(15);
        queue.Messages.Distinct().Count().ShouldBe(15);
        queue.RecordedBy.Count.ShouldBe(15);
        queue.RecordedBy.Values.Distinct().Count().ShouldBe(2, "both workers ran trials");
        queue.WorldsBuilt.ShouldBe(2, "each worker built the run's world once");
        dispatched.Header.Status.ShouldBe(RunStatus.Complete);
        dispatched.Header.Summary.ShouldBe(inProcess.Header.Summary);
        dispatched.Header.Summary.Pending.ShouldBe(0);
        dispatched.Trials.Select(t => (t.TaskId, t.TrialIndex, t.Outcome)).Order()
            .ShouldBe(inProcess.Trials.Select(t => (t.TaskId, t.TrialIndex, t.Outcome)).Order());
        dispatched.Trials.Select(t => t.Outcome).Distinct().Count().ShouldBeGreaterThan(1, "a 60% agent both passes and fails");
    }

    /// <summary>
    /// A stand-in for a job queue: each assignment becomes a JSON message on a channel, and worker
    /// loops (as separate processes would) open their own store and executor and take messages.
    /// </summary>
    private sealed class QueueDispatcher(string databasePath, int workers) : ITrialDispatcher
    {
        private readonly TaskCompletionSource _allTook = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _worldsBuilt;
        private int _took;

        public ConcurrentQueue<string> Messages { get; } = new();
        public ConcurrentDictionary<TrialKey, int> RecordedBy { get; } = new();
        public int WorldsBuilt => _worldsBuilt;

        public async Task DispatchAsync(TrialDispatch dispatch, CancellationToken cancellationToken)
        {
            var channel = Channel.CreateUnbounded<string>();
            foreach (var assignment in dispatch.Trials)
            {
                var message = JsonSerializer.Serialize(assignment);
                Messages.Enqueue(message);
                await channel.Writer.WriteAsync(message, cancellationToken);
            }
            channel.Writer.Complete();
            await Task.WhenAll(Enumerable.Range(1, workers).Select(worker => Task.Run(() => WorkAsync(worker, channel.Reader, dispatch, cancellationToken), cancellationToken)));
        }

        private async Task WorkAsync(int worker, ChannelReader<string> messages, TrialDispatch dispatch, CancellationToken cancellationToken)
        {
            using var store = SqliteResultStore.Open(databasePath, _ => false);
            await using var executor = new TrialExecutor(store, store, new TrialEnvironment
            {
                CreateAgent = (runId, plan) =>
                {
                    Interlocked.Increment(ref _worldsBuilt);
                    return RunJob.CreateAgent(TrialEnvironment.DefinitionOf(runId, plan));
                },
                CreateSandbox = (_, _, _) => Task.FromResult<ISandbox>(new NoSandbox()),
                Options = new TrialOptions { MaxAttempts = 1 },
            });
            var first = true;
            await foreach (var message in messages.ReadAllAsync(cancellationToken))
            {
                if (first)
                {
                    // Every worker holds a message before any executes one: each has trials to run.
                    first = false;
                    if (Interlocked.Increment(ref _took) == workers)
                        _allTook.SetResult();
                    await _allTook.Task.WaitAsync(cancellationToken);
                }
                var assignment = JsonSerializer.Deserialize<TrialAssignment>(message)!;
                var (record, result) = await executor.ExecuteAsync(assignment, cancellationToken);
                RecordedBy[assignment.Key] = worker;
                dispatch.Recorded?.Invoke(record, result);
            }
        }
    }
}
