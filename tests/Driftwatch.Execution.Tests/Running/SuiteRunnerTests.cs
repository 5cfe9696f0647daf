using System.Text.Json;
using Driftwatch.Core;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Formats.Suites;
using Driftwatch.Storage;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace Driftwatch.Execution.Tests.Running;

public sealed class SuiteRunnerTests : IDisposable
{
    private static readonly RunOwner Owner = new("test-host", 1, DateTimeOffset.UnixEpoch);
    private readonly TempDirectory _temp = new("runner");
    private readonly SqliteResultStore _store;

    public SuiteRunnerTests() => _store = SqliteResultStore.Open(_temp.Combine("dw.db"), _ => false);

    public void Dispose()
    {
        _store.Dispose();
        _temp.Dispose();
    }

    private SuiteDefinition Suite(int tasks = 3)
    {
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < tasks; i++)
            builder.AddAdder($"add-{i}", i % 2 == 0 ? "generation" : "debugging");
        return SuiteLoader.Load(builder.Build());
    }

    private TestRunner Runner(TrialOptions? options = null) =>
        new(_store, options ?? new TrialOptions { WorkRoot = _temp.Combine("work"), RetryDelay = TimeSpan.FromMilliseconds(1) }, TimeProvider.System, Owner);

    private static RunRequest Request(SuiteDefinition suite, IAgent agent, int k = 2, string? filter = null) => new()
    {
        Suite = suite,
        Agent = agent,
        Sandbox = new NoSandbox(),
        AgentConfigJson = "{}",
        TrialsPerTask = k,
        Seed = 11,
        TaskFilter = filter,
    };

    [Fact]
    public async Task Every_planned_trial_is_run_scored_and_stored()
    {
        // Given a perfect agent on 3 tasks × 2 trials
        var suite = Suite();
        var runner = Runner();
        var runId = await runner.CreateAsync(Request(suite, ScriptedAgent.Solver()), CancellationToken.None);

        // When the run executes
        var outcome = await runner.ExecuteAsync(runId, ScriptedAgent.Solver(), 2, null, CancellationToken.None);

        // Then all 6 trials passed with full credit, and the run is complete
        outcome.Header.Status.ShouldBe(RunStatus.Complete);
        outcome.Header.Summary.ShouldBe(new RunSummary(6, 6, 0, 0, 0, 0));
        var trials = await _store.GetTrialsAsync(runId);
        trials.Select(t => (t.TaskId, t.TrialIndex)).Order().ShouldBe(suite.Tasks.SelectMany(t => new[] { (t.Id, 0), (t.Id, 1) }).Order());
        trials.ShouldAllBe(t => t.TestsPassed == 4 && t.TestsTotal == 4 && t.AgentVersion == "scripted 1.0" && t.Model == "scripted-model");
        outcome.Header.Fingerprint.Models.ShouldBe(["scripted-model"]);
        (await _store.GetArtifactAsync(runId, trials[0].Key, ArtifactKind.Diff)).ShouldNotBeNull().ShouldContain("+    return a + b");
        (await _store.GetArtifactAsync(runId, trials[0].Key, ArtifactKind.TestOutput)).ShouldNotBeNull().ShouldContain("test_zero");
    }

    [Fact]
    public async Task A_run_renews_its_lease_every_heartbeat_on_its_clock_while_a_trial_runs()
    {
        // Given a run on a fake clock, stored where its owner counts as a live process of another
        // machine (only its lease holds it), whose one trial works until released
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero));
        var path = _temp.Combine("leased.db");
        using var store = SqliteResultStore.Open(path, RunOwners.IsAlive, time);
        using var working = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var agent = new ScriptedAgent((request, _) =>
        {
            working.Set();
            release.Wait(TimeSpan.FromMinutes(1));
            Execution.Workspaces.TrialWorkspace.CopyTree(request.Task.SolutionDirectory, request.Workspace);
            return ScriptedAgent.Done();
        });
        var suite = Suite(1);
        var runner = new TestRunner(store, new TrialOptions { WorkRoot = _temp.Combine("work") }, time, Owner);
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);
        var execution = runner.ExecuteAsync(runId, agent, 1, null, CancellationToken.None);
        working.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();

        // When three lease lengths pass on its clock, one heartbeat interval at a time
        for (var elapsed = TimeSpan.Zero; elapsed < 3 * RunLease.Length; elapsed += RunLease.HeartbeatInterval)
        {
            time.Advance(RunLease.HeartbeatInterval);

            // Then each beat moves the lease to a full length from now
            await LeaseReachesAsync(path, runId, time.GetUtcNow() + RunLease.Length);
        }

        // And the run is still its own: running, and no one else can claim it
        (await store.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Running);
        await Should.ThrowAsync<InvalidInputException>(() => store.ClaimRunAsync(runId, new RunOwner("resumer", 2, DateTimeOffset.UnixEpoch)));
        release.Set();
        (await execution).Header.Status.ShouldNotBe(RunStatus.Running);
    }

    [Fact]
    public async Task A_run_taken_over_after_its_lease_expired_stops_records_nothing_more_and_is_left_to_its_new_owner()
    {
        // Given a run on a fake clock whose one trial works until cancelled (or released)
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero));
        var path = _temp.Combine("taken.db");
        using var store = SqliteResultStore.Open(path, RunOwners.IsAlive, time);
        using var working = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var agent = new ScriptedAgent((request, _, token) =>
        {
            working.Set();
            WaitHandle.WaitAny([release.WaitHandle, token.WaitHandle], TimeSpan.FromMinutes(1));
            token.ThrowIfCancellationRequested();
            Execution.Workspaces.TrialWorkspace.CopyTree(request.Task.SolutionDirectory, request.Workspace);
            return ScriptedAgent.Done();
        });
        var suite = Suite(1);
        var runner = new TestRunner(store, new TrialOptions { WorkRoot = _temp.Combine("work") }, time, Owner);
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);
        var execution = runner.ExecuteAsync(runId, agent, 1, null, CancellationToken.None);
        working.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();

        // When another process, whose clock is past the lease, claims the run, and then the first one's heartbeat fires
        var later = new FakeTimeProvider(time.GetUtcNow() + RunLease.Length + TimeSpan.FromSeconds(1));
        using var other = SqliteResultStore.Open(path, RunOwners.IsAlive, later);
        var resumer = new RunOwner("resumer", 2, DateTimeOffset.UnixEpoch);
        await other.ClaimRunAsync(runId, resumer);
        time.Advance(RunLease.HeartbeatInterval);

        // Then the first process stops saying the run was taken over, by whom
        var lost = await Should.ThrowAsync<RunLeaseLostException>(() => execution.WaitAsync(TimeSpan.FromSeconds(30)));
        lost.RunId.ShouldBe(runId);
        lost.Message.ShouldBe($"run {runId} was taken over by {resumer.Id} after its lease expired; nothing more is recorded by this process");

        // And it recorded nothing: the trial in flight is still pending, and the run is unfinished and its new owner's
        (await other.GetPendingTrialsAsync(runId)).Count.ShouldBe(1);
        (await other.GetTrialsAsync(runId)).ShouldBeEmpty();
        var header = (await other.GetRunAsync(runId))!;
        header.Status.ShouldBe(RunStatus.Running);
        header.FinishedAt.ShouldBeNull();
        (await other.GetOwnerAsync(runId)).ShouldBe(resumer);
        (await other.RenewLeaseAsync(runId, resumer)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_heartbeat_whose_write_fails_is_warned_of_and_retried_at_the_next_beat()
    {
        // Given a run on a fake clock whose store fails its first lease renewal as a locked database does
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero));
        var path = _temp.Combine("flaky.db");
        using var real = SqliteResultStore.Open(path, RunOwners.IsAlive, time);
        var store = FailingRenewals.Over(real, failures: 1);
        var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var working = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var agent = BlockingSolver(working, release);
        var suite = Suite(1);
        var runner = new TestRunner(store, new TrialOptions { WorkRoot = _temp.Combine("work") }, time, Owner, warnings.Enqueue);
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);
        var execution = runner.ExecuteAsync(runId, agent, 1, null, CancellationToken.None);
        working.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();

        // When the first beat fails
        time.Advance(RunLease.HeartbeatInterval);

        // Then it is warned of, naming the run and the fault
        await WaitUntilAsync(() => !warnings.IsEmpty);
        warnings.Single().ShouldStartWith($"run {runId}: its lease could not be renewed (SQLite Error 5: 'database is locked'");

        // And the next beat renews the lease to a full length from then, and the run ends normally
        time.Advance(RunLease.HeartbeatInterval);
        await LeaseReachesAsync(path, runId, time.GetUtcNow() + RunLease.Length);
        release.Set();
        var outcome = await execution.WaitAsync(TimeSpan.FromSeconds(30));
        outcome.Header.Status.ShouldBe(RunStatus.Complete);
        warnings.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_run_whose_heartbeats_fail_until_its_lease_would_expire_stops_as_lost_and_records_nothing_more()
    {
        // Given a run on a fake clock whose store can no longer renew its lease
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero));
        var path = _temp.Combine("failing.db");
        using var real = SqliteResultStore.Open(path, RunOwners.IsAlive, time);
        var store = FailingRenewals.Over(real, failures: int.MaxValue);
        var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var working = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var agent = BlockingSolver(working, release);
        var suite = Suite(1);
        var runner = new TestRunner(store, new TrialOptions { WorkRoot = _temp.Combine("work") }, time, Owner, warnings.Enqueue);
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);
        var execution = runner.ExecuteAsync(runId, agent, 1, null, CancellationToken.None);
        working.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();

        // When beats fail until the next one would come after the lease ran out (the third of four)
        for (var beat = 1; beat <= 2; beat++)
        {
            time.Advance(RunLease.HeartbeatInterval);
            await WaitUntilAsync(() => warnings.Count == beat);
        }
        time.Advance(RunLease.HeartbeatInterval);

        // Then the run stops as lost, before its lease expires, with the trial in flight not recorded and the run not closed
        var lost = await Should.ThrowAsync<RunLeaseLostException>(() => execution.WaitAsync(TimeSpan.FromSeconds(30)));
        lost.Message.ShouldStartWith($"run {runId} lost its lease: it could not be renewed before it expired (SQLite Error 5: 'database is locked'");
        lost.Message.ShouldEndWith("nothing more is recorded by this process");
        time.GetUtcNow().ShouldBeLessThan(new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero) + RunLease.Length);
        (await real.GetTrialsAsync(runId)).ShouldBeEmpty();
        (await real.GetRunAsync(runId))!.FinishedAt.ShouldBeNull();
        warnings.Count.ShouldBe(2);
    }

    /// <summary>A perfect agent whose trial starts, says so, and works until released or cancelled.</summary>
    private static ScriptedAgent BlockingSolver(ManualResetEventSlim working, ManualResetEventSlim release) => new((request, _, token) =>
    {
        working.Set();
        WaitHandle.WaitAny([release.WaitHandle, token.WaitHandle], TimeSpan.FromMinutes(1));
        token.ThrowIfCancellationRequested();
        Execution.Workspaces.TrialWorkspace.CopyTree(request.Task.SolutionDirectory, request.Workspace);
        return ScriptedAgent.Done();
    });

    /// <summary>Waits (in real time, at most 10 s) until <paramref name="condition"/> holds.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 200 && !condition(); attempt++)
            await Task.Delay(50);
        condition().ShouldBeTrue();
    }

    /// <summary>
    /// The real store, except that its first <c>failures</c> lease renewals fail as a database
    /// locked by another writer does (SQLITE_BUSY): a fault a test cannot bring about on cue.
    /// </summary>
    public class FailingRenewals : System.Reflection.DispatchProxy
    {
        private IResultStore _inner = null!;
        private int _failures;
        private int _renewals;

        public static IResultStore Over(IResultStore inner, int failures)
        {
            var proxy = Create<IResultStore, FailingRenewals>();
            var self = (FailingRenewals)(object)proxy;
            self._inner = inner;
            self._failures = failures;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IResultStore.RenewLeaseAsync) && Interlocked.Increment(ref _renewals) <= _failures)
                throw new SqliteException("SQLite Error 5: 'database is locked'.", 5);
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }

    /// <summary>Waits (in real time, at most 10 s) until the run's stored lease ends at <paramref name="expected"/>.</summary>
    private static async Task LeaseReachesAsync(string path, long runId, DateTimeOffset expected)
    {
        string? stored = null;
        var wanted = expected.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 200 && stored != wanted; attempt++)
        {
            await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT lease_expires_at FROM runs WHERE id = $id;";
            command.Parameters.AddWithValue("$id", runId);
            stored = await command.ExecuteScalarAsync() as string;
            if (stored != wanted)
                await Task.Delay(50);
        }
        stored.ShouldBe(wanted);
    }

    [Fact]
    public async Task The_order_is_shuffled_reproducibly_by_the_seed()
    {
        var suite = Suite(5);
        var tasks = suite.Tasks;

        var first = RunPlanner.Plan(tasks, 3, seed: 1);
        var again = RunPlanner.Plan(tasks, 3, seed: 1);
        var other = RunPlanner.Plan(tasks, 3, seed: 2);

        first.ShouldBe(again);
        first.Select(t => (t.TaskId, t.TrialIndex)).ShouldNotBe(other.Select(t => (t.TaskId, t.TrialIndex)));
        first.Select(t => (t.TaskId, t.TrialIndex)).ShouldNotBe(first.Select(t => (t.TaskId, t.TrialIndex)).Order());
        first.Select(t => t.Sequence).ShouldBe(Enumerable.Range(0, 15));
    }

    [Fact]
    public async Task Task_filters_select_tasks_and_reject_empty_selections()
    {
        var suite = Suite();
        RunPlanner.SelectTasks(suite, "add-[02]").Select(t => t.Id).ShouldBe(["add-0", "add-2"]);
        Should.Throw<InvalidInputException>(() => RunPlanner.SelectTasks(suite, "nothing-*")).Message.ShouldContain("matches no task");
        Should.Throw<InvalidInputException>(() => RunPlanner.Plan(suite.Tasks, 0, 1)).Message.ShouldContain("--trials");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Infrastructure_errors_are_retried_and_never_scored_as_failures()
    {
        // Given an agent whose first attempt at every trial hits an API outage
        var attempts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var agent = new ScriptedAgent((request, _) =>
        {
            var key = $"{request.Task.Id}#{request.Context.TrialIndex}";
            if (attempts.AddOrUpdate(key, 1, (_, n) => n + 1) == 1)
                return AgentResult.Infrastructure("api-529", "overloaded");
            Execution.Workspaces.TrialWorkspace.CopyTree(request.Task.SolutionDirectory, request.Workspace);
            return ScriptedAgent.Done();
        });
        var suite = Suite(2);
        var runner = Runner();
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);

        // When it runs with retries
        var outcome = await runner.ExecuteAsync(runId, agent, 1, null, CancellationToken.None);

        // Then each trial passed on its second attempt
        outcome.Header.Summary.Pass.ShouldBe(2);
        (await _store.GetTrialsAsync(runId)).ShouldAllBe(t => t.Attempts == 2 && t.Outcome == TrialOutcome.Pass);
    }

    [Fact]
    public async Task Trials_that_keep_failing_for_infrastructure_reasons_end_as_errors_and_the_run_incomplete()
    {
        var agent = new ScriptedAgent((_, _) => AgentResult.Infrastructure("api-500", "internal server error"));
        var suite = Suite(2);
        var runner = Runner(new TrialOptions { WorkRoot = _temp.Combine("work"), MaxAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(1) });
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);

        var outcome = await runner.ExecuteAsync(runId, agent, 2, null, CancellationToken.None);

        outcome.Header.Summary.ShouldBe(new RunSummary(2, 0, 0, 0, 2, 0));
        outcome.Header.Summary.PassRate.ShouldBeNull();
        outcome.Header.Status.ShouldBe(RunStatus.Incomplete);
        agent.Calls.ShouldBe(4);
        (await _store.GetTrialsAsync(runId)).ShouldAllBe(t => t.ErrorKind == "api-500" && t.Attempts == 2);
    }

    [Fact]
    public async Task An_agent_that_overruns_its_time_is_a_timeout_and_its_tests_do_not_run()
    {
        // Given an agent that worked (its model answered a turn) and then ran out of time
        var agent = new ScriptedAgent((_, _) => new AgentResult { Exit = AgentExit.TimedOut, Usage = new AgentUsage { OutputTokens = 120, Turns = 1 } });
        var suite = Suite(1);
        var runner = Runner();
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);

        await runner.ExecuteAsync(runId, agent, 1, null, CancellationToken.None);

        var trial = (await _store.GetTrialsAsync(runId)).Single();
        trial.Outcome.ShouldBe(TrialOutcome.Timeout);
        trial.ErrorKind.ShouldBe("agent-timeout");
        trial.TestDurationMs.ShouldBe(0);
    }

    [Fact]
    public async Task An_agent_that_ran_out_of_time_without_doing_anything_is_an_infrastructure_error()
    {
        // Given an agent whose time ran out with nothing back from its model and the workspace untouched
        var agent = new ScriptedAgent((_, _) => new AgentResult { Exit = AgentExit.TimedOut });
        var suite = Suite(1);
        var runner = Runner(new TrialOptions { WorkRoot = _temp.Combine("work"), MaxAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(1) });
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);

        var outcome = await runner.ExecuteAsync(runId, agent, 1, null, CancellationToken.None);

        // Then it is an error, retried, and never scored as a timeout of the model
        var trial = (await _store.GetTrialsAsync(runId)).Single();
        trial.Outcome.ShouldBe(TrialOutcome.Error);
        trial.ErrorKind.ShouldBe("timeout-before-work");
        trial.Attempts.ShouldBe(2);
        agent.Calls.ShouldBe(2);
        outcome.Header.Summary.Timeout.ShouldBe(0);
    }

    [Fact]
    public async Task An_interrupted_run_resumes_with_no_trial_lost_or_repeated()
    {
        // Given a run cancelled after a few trials were recorded
        var suite = Suite(4);
        var runner = Runner();
        var runId = await runner.CreateAsync(Request(suite, ScriptedAgent.Solver(), k: 3), CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        var progress = new Progress(p =>
        {
            if (p.Last is not null && Interlocked.Increment(ref seen) == 4)
                cancel.Cancel();
        });
        var first = await runner.ExecuteAsync(runId, ScriptedAgent.Solver(), 1, progress, cancel.Token);
        first.Interrupted.ShouldBeTrue();
        first.Header.Status.ShouldBe(RunStatus.Incomplete);
        var recordedBefore = await _store.GetTrialsAsync(runId);
        recordedBefore.Count.ShouldBeInRange(4, 11);

        // When it is resumed
        var counting = ScriptedAgent.Solver();
        var second = await runner.ExecuteAsync(runId, counting, 2, null, CancellationToken.None);

        // Then exactly the missing trials ran, and the run has each planned trial once
        counting.Calls.ShouldBe(12 - recordedBefore.Count);
        second.Header.Status.ShouldBe(RunStatus.Complete);
        var all = await _store.GetTrialsAsync(runId);
        all.Count.ShouldBe(12);
        all.Select(t => t.Key).Distinct().Count().ShouldBe(12);
        foreach (var before in recordedBefore)
            all.Single(t => t.Key == before.Key).ShouldBe(before);
    }

    [Fact]
    public async Task A_suite_that_changed_since_the_run_started_is_refused_on_resume()
    {
        var suite = Suite(2);
        var runner = Runner();
        var runId = await runner.CreateAsync(Request(suite, ScriptedAgent.Solver()), CancellationToken.None);
        File.AppendAllText(Path.Combine(suite.Directory, "tasks", "add-0", "tests", "test_calc.py"), "\n# changed\n");

        var error = await Should.ThrowAsync<InvalidInputException>(() => runner.ExecuteAsync(runId, ScriptedAgent.Solver(), 1, null, CancellationToken.None));

        error.Message.ShouldContain("changed since run");
    }

    [Fact]
    public async Task A_run_whose_process_died_before_closing_it_is_closed_from_its_stored_trials_as_a_normal_close_would()
    {
        // Given two runs of an agent that reports its models and the requests its harness sent: one
        // that ran and closed, and one whose every trial was stored before its process died unclosed
        var suite = Suite(2);
        var runner = Runner();
        var agent = RecordingSolver();
        var normal = await runner.CreateAsync(Request(suite, agent), CancellationToken.None);
        var closedNormally = (await runner.ExecuteAsync(normal, agent, 2, null, CancellationToken.None)).Header;
        var crashed = await runner.CreateAsync(Request(suite, agent), CancellationToken.None);
        await RunTrialsWithoutClosingAsync(crashed, agent);
        var unclosed = (await _store.GetRunAsync(crashed))!;
        unclosed.Summary.Pending.ShouldBe(0);
        unclosed.FinishedAt.ShouldBeNull();
        unclosed.Fingerprint.Models.ShouldBeEmpty();

        // When it is closed
        var closed = await SuiteRunner.CloseAsync(_store, TimeProvider.System, crashed);

        // Then it is complete and finished, its fingerprint completed from the stored trials exactly like the normal run's
        closed.Status.ShouldBe(RunStatus.Complete);
        closed.FinishedAt.ShouldNotBeNull();
        closed.Fingerprint.Models.ShouldBe(["model-a", "model-b", "model-c"]);
        closed.Fingerprint.Models.ShouldBe(closedNormally.Fingerprint.Models);
        closed.Fingerprint.Harness.ShouldNotBeNull().Requests.ShouldBe(4);
        JsonSerializer.Serialize(closed.Fingerprint.Harness).ShouldBe(JsonSerializer.Serialize(closedNormally.Fingerprint.Harness));
        (await _store.GetRunAsync(crashed))!.Status.ShouldBe(RunStatus.Complete);
    }

    [Fact]
    public async Task A_suspect_pass_is_left_out_but_neither_run_again_by_a_resume_nor_makes_the_run_incomplete()
    {
        // Given an agent that solves every task and leaves a usercustomize.py beside the solution
        var agent = new ScriptedAgent((request, _) =>
        {
            Execution.Workspaces.TrialWorkspace.CopyTree(request.Task.SolutionDirectory, request.Workspace);
            File.WriteAllText(Path.Combine(request.Workspace, "usercustomize.py"), "import unittest\n");
            return ScriptedAgent.Done();
        });
        var suite = Suite(2);
        var runner = Runner();
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);

        // When the run executes
        var outcome = await runner.ExecuteAsync(runId, agent, 2, null, CancellationToken.None);

        // Then its passes are not counted (error 'suspect', tried once), yet the run is complete: the
        // infrastructure did not fail, and there is nothing for a resume to run again
        var trials = await _store.GetTrialsAsync(runId);
        trials.ShouldAllBe(t => t.Outcome == TrialOutcome.Error && t.ErrorKind == "suspect" && t.Attempts == 1);
        outcome.Header.Status.ShouldBe(RunStatus.Complete);
        (await _store.GetPendingTrialsAsync(runId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_harness_fault_is_an_error_not_a_failure()
    {
        // Given an I/O fault of the machine while the trial runs (the disk filled up under the harness)
        var agent = new ScriptedAgent((_, _) => throw new IOException("No space left on device"));
        var suite = Suite(1);
        var runner = Runner(new TrialOptions { WorkRoot = _temp.Combine("work"), MaxAttempts = 1 });
        var runId = await runner.CreateAsync(Request(suite, agent, k: 1), CancellationToken.None);

        // When the trial runs
        await runner.ExecuteAsync(runId, agent, 1, null, CancellationToken.None);

        // Then it is an infrastructure error of the harness, not a failure of the agent
        var trial = (await _store.GetTrialsAsync(runId)).Single();
        trial.Outcome.ShouldBe(TrialOutcome.Error);
        trial.ErrorKind.ShouldBe("harness");
    }

    /// <summary>A perfect agent whose answers come from models a, b and c, each trial with one recorded request of its harness.</summary>
    private static ScriptedAgent RecordingSolver() => new((request, _) =>
    {
        Execution.Workspaces.TrialWorkspace.CopyTree(request.Task.SolutionDirectory, request.Workspace);
        var models = request.Task.Id == "add-0" ? new[] { "model-a" } : ["model-c", "model-b"];
        var system = HarnessText.Of(HarnessTextKind.SystemPrompt, "You are a careful agent.");
        var tools = HarnessText.Of(HarnessTextKind.Tools, """[{"name": "Edit"}]""");
        var sent = new HarnessRequest
        {
            Sequence = 0,
            Api = "anthropic-messages",
            Method = "POST",
            Path = "/v1/messages",
            Model = models[0],
            SystemHash = system.Hash,
            ToolsHash = tools.Hash,
            ToolNames = ["Edit"],
            Streamed = true,
            Status = 200,
            StartedAt = DateTimeOffset.UnixEpoch,
        };
        return ScriptedAgent.Done() with { Models = models, Harness = new HarnessCapture([sent], [system, tools]) };
    });

    /// <summary>What a run's process does before it dies right after its last trial: every trial run and stored (as a worker would, one assignment at a time), the run never closed.</summary>
    private async Task RunTrialsWithoutClosingAsync(long runId, IAgent agent)
    {
        await using var executor = new TrialExecutor(_store, _store, TrialEnvironment.Fixed(agent, new NoSandbox(), new TrialOptions { WorkRoot = _temp.Combine("work") }, TimeProvider.System));
        foreach (var planned in await _store.GetPendingTrialsAsync(runId))
            await executor.ExecuteAsync(TrialAssignment.Of(runId, planned), CancellationToken.None);
    }

    /// <summary>The run loop with the trials executed in this process by an agent the test holds.</summary>
    private sealed class TestRunner(IResultStore store, TrialOptions options, TimeProvider time, RunOwner owner, Action<string>? warn = null)
    {
        private readonly SuiteRunner _runner = new(store, time, owner, warn);

        public Task<long> CreateAsync(RunRequest request, CancellationToken cancellationToken) => _runner.CreateAsync(request, cancellationToken);

        public async Task<RunOutcome> ExecuteAsync(long runId, IAgent agent, int parallelism, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
        {
            await using var executor = new TrialExecutor(store, store, TrialEnvironment.Fixed(agent, new NoSandbox(), options, time));
            return await _runner.ExecuteAsync(runId, new InProcessDispatcher(executor), parallelism, progress, cancellationToken);
        }
    }

    private sealed class Progress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
