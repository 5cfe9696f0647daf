using Driftwatch.Core;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace Driftwatch.Storage.Tests.Sqlite;

public sealed class RunLeaseTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);

    /// <summary>A process on another machine: never provably dead from here, only its lease can free its run.</summary>
    private static readonly RunOwner Remote = new("another-machine-entirely", 4242, Start);

    private static readonly RunOwner Resumer = new("resuming-machine", 7, Start);

    private readonly TempDirectory _temp = new("leases");
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _temp.Dispose();

    private string DatabasePath => _temp.Combine("driftwatch.db");

    private SqliteResultStore Open() => SqliteResultStore.Open(DatabasePath, RunOwners.IsAlive, _time);

    private static RunPlan Plan() => new()
    {
        AgentName = "simulated",
        AgentKind = "simulated",
        AgentConfigJson = "{}",
        Synthetic = true,
        SuiteName = "mini",
        SuitePath = "/suites/mini",
        SuiteRevision = new string('a', 64),
        TrialsPerTask = 1,
        Seed = 1,
        SandboxMode = "none",
        Trials = [new PlannedTrial("task-0", 0, 0, TaskCategory.Generation, "python")],
    };

    [Fact]
    public async Task A_run_held_by_an_owner_on_another_machine_with_a_current_lease_cannot_be_claimed()
    {
        // Given a run just created by a process on another machine
        using var store = Open();
        var runId = await store.CreateRunAsync(Plan(), new RunFingerprint(), Start, Remote);

        // When a minute passes without a heartbeat (within the lease)
        _time.Advance(TimeSpan.FromMinutes(1));

        // Then it is running, not the run to resume, and claiming it fails
        (await store.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Running);
        (await store.FindLatestResumableRunAsync()).ShouldBeNull();
        (await Should.ThrowAsync<InvalidInputException>(() => store.ClaimRunAsync(runId, Resumer))).Message.ShouldContain("still running");
    }

    [Fact]
    public async Task A_run_whose_owner_on_another_machine_stopped_renewing_its_lease_is_incomplete_and_can_be_claimed()
    {
        // Given a run of a process on another machine that died without a trace (no heartbeat)
        using var store = Open();
        var runId = await store.CreateRunAsync(Plan(), new RunFingerprint(), Start, Remote);

        // When its lease runs out
        _time.Advance(RunLease.Length + TimeSpan.FromSeconds(1));

        // Then it shows incomplete, is the run to resume, and another owner can claim it
        (await store.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Incomplete);
        (await store.FindLatestResumableRunAsync()).ShouldBe(runId);
        await store.ClaimRunAsync(runId, Resumer);
        (await store.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Running);
    }

    [Fact]
    public async Task Heartbeats_keep_a_run_held_past_its_first_lease()
    {
        // Given a run whose owner renews its lease every heartbeat
        using var store = Open();
        var runId = await store.CreateRunAsync(Plan(), new RunFingerprint(), Start, Remote);

        // When it works for three lease lengths, beating on time
        for (var elapsed = TimeSpan.Zero; elapsed < 3 * RunLease.Length; elapsed += RunLease.HeartbeatInterval)
        {
            _time.Advance(RunLease.HeartbeatInterval);
            (await store.RenewLeaseAsync(runId, Remote)).ShouldBeTrue();
        }

        // Then it is still held
        (await store.GetRunAsync(runId))!.Status.ShouldBe(RunStatus.Running);
        await Should.ThrowAsync<InvalidInputException>(() => store.ClaimRunAsync(runId, Resumer));
    }

    [Fact]
    public async Task An_owner_whose_run_was_taken_over_cannot_renew_its_lease()
    {
        // Given a run taken over by another owner after its lease ran out
        using var store = Open();
        var runId = await store.CreateRunAsync(Plan(), new RunFingerprint(), Start, Remote);
        _time.Advance(RunLease.Length + TimeSpan.FromSeconds(1));
        await store.ClaimRunAsync(runId, Resumer);

        // When the first owner wakes up and beats
        var renewed = await store.RenewLeaseAsync(runId, Remote);

        // Then it is told the run is no longer its own, and the new owner's lease holds
        renewed.ShouldBeFalse();
        (await store.RenewLeaseAsync(runId, Resumer)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_closed_run_has_no_lease_to_renew()
    {
        using var store = Open();
        var runId = await store.CreateRunAsync(Plan(), new RunFingerprint(), Start, Remote);
        await store.FinishRunAsync(runId, RunStatus.Incomplete, Start.AddMinutes(1));

        (await store.RenewLeaseAsync(runId, Remote)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_running_run_from_before_leases_is_judged_by_its_owners_pid_as_before()
    {
        // Given a database at schema 6 with two running runs without a lease: one whose owner is a
        // dead process of this machine, one whose owner is this very process
        using (SqliteResultStore.Open(DatabasePath))
        {
        }
        var me = RunOwners.Current();
        using (var connection = new SqliteConnection($"Data Source={DatabasePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE runs SET owner_id = NULL, lease_expires_at = NULL;
                INSERT INTO runs (agent, agent_kind, agent_config, synthetic, suite, suite_path, suite_revision, trials_per_task,
                                  seed, sandbox, status, started_at, fingerprint, owner_host, owner_pid, owner_started_at)
                VALUES ('a', 'simulated', '{}', 1, 'core', '/x', 'abc', 1, 3, 'none', 'running', '2026-01-01T00:00:00.0000000Z', '{}',
                        $host, 999999999, '2026-01-01T00:00:00.0000000Z'),
                       ('a', 'simulated', '{}', 1, 'core', '/x', 'abc', 1, 3, 'none', 'running', '2026-01-02T00:00:00.0000000Z', '{}',
                        $host, $pid, $started);
                """;
            command.Parameters.AddWithValue("$host", me.Host);
            command.Parameters.AddWithValue("$pid", me.ProcessId);
            command.Parameters.AddWithValue("$started", me.ProcessStartedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        // When the current Driftwatch reads them, long after they started
        using var store = Open();
        _time.Advance(TimeSpan.FromDays(400));
        var runs = await store.ListRunsAsync(new RunQuery());

        // Then the dead owner's run is incomplete and the live owner's still running
        runs.Select(r => r.Status).ShouldBe([RunStatus.Incomplete, RunStatus.Running]);
    }
}
