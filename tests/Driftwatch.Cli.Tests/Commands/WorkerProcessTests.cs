using System.Globalization;
using Driftwatch.Testing;
using Npgsql;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// Scale-out with real processes (docs/scale-out.md): `driftwatch worker` processes and
/// `driftwatch schedule` processes on one PostgreSQL server, killed with SIGKILL at the worst moment.
/// </summary>
public sealed class WorkerProcessTests : IAsyncLifetime, IDisposable
{
    private const string Variable = "DW_TEST_PG";
    private readonly TempDirectory _temp = new("cli-workers");
    private readonly List<CliProcess> _processes = [];
    private string _connection = "";

    public async ValueTask InitializeAsync() => _connection = await PostgresServer.CreateDatabaseAsync();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        _temp.Dispose();
    }

    private static void Log(string line) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.f} {line}");

    private CliProcess Start(string name, params string[] args)
    {
        var process = CliProcess.Start(_temp.Path, new Dictionary<string, string?>
        {
            [Variable] = _connection,
            // Each process its own suite cache, as on its own machine.
            ["XDG_CACHE_HOME"] = _temp.Combine($"cache-{name}"),
        }, args);
        _processes.Add(process);
        Log($"started {name} (pid {process.Id}): driftwatch {string.Join(' ', args)}");
        return process;
    }

    private async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(_connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
            command.Parameters.AddWithValue(parameter);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<(long Id, string Data)>> RowsAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(_connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
            command.Parameters.AddWithValue(parameter);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? "" : reader.GetValue(1).ToString()!));
        return rows;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (never a fixed sleep); fails with <paramref name="what"/> after <paramref name="limit"/>.</summary>
    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> condition, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition() is { } value)
                    return value;
            }
            catch (PostgresException ex) when (ex.SqlState == "42P01")
            {
                // The queue's or the store's tables are not made yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"waited {limit.TotalSeconds:0} s for {what}");
    }

    [Fact]
    public async Task Three_workers_and_one_killed_mid_trial_every_planned_trial_still_ends_exactly_once()
    {
        // Given a suite of 6 tasks, an agent whose trials take seconds, a PostgreSQL store with
        // workers (a dead worker's trial goes to another after a 10-s lease), and three workers
        var builder = new SuiteBuilder(_temp.Combine("suite"));
        for (var i = 0; i < 6; i++)
            builder.AddAdder($"add-{i}");
        var suite = builder.Build();
        _temp.Write("driftwatch.yaml", $"""
            storage:
              kind: postgres
              connection_env: {Variable}
            workers:
              lease_seconds: 10
            agents:
              slow:
                kind: simulated
                delay_ms: 2500
                seed: 4
            """);
        var workers = Enumerable.Range(1, 3).Select(i => Start($"worker-{i}", "worker", "--parallel", "2")).ToList();

        // When a run of 12 trials is enqueued, and worker 1 is killed with SIGKILL while it runs one
        var run = Start("run", "run", "--agent", "slow", "--suite", suite, "--trials", "2", "--seed", "5", "--sandbox", "none");
        var victim = workers[0];
        var marker = $":{victim.Id.ToString(CultureInfo.InvariantCulture)}:";
        var killedJobs = await WaitForAsync(async () =>
        {
            var processing = await RowsAsync("""
                SELECT j.id, s.data::text FROM hangfire.job j JOIN hangfire.state s ON s.id = j.stateid
                WHERE j.statename = 'Processing';
                """);
            var mine = processing.Where(r => r.Data.Contains(marker, StringComparison.Ordinal)).Select(r => r.Id).ToList();
            return mine.Count > 0 ? mine : null;
        }, TimeSpan.FromMinutes(3), "worker 1 to be running a trial");
        victim.KillHard();
        Log($"killed worker-1 (pid {victim.Id}) with SIGKILL while it ran job(s) {string.Join(", ", killedJobs)}");

        // Then the run ends complete: every planned trial once, none lost with the dead worker
        var (exit, output, error) = await run.WaitAsync(TimeSpan.FromMinutes(6));
        Log($"run exited {exit}:\n{output}");
        exit.ShouldBe(0, error);
        (await ScalarAsync<string>("SELECT status FROM runs WHERE id = 1;")).ShouldBe("complete");
        (await ScalarAsync<long>("SELECT count(*) FROM trials WHERE run_id = 1 AND outcome IS NOT NULL;")).ShouldBe(12L);
        (await ScalarAsync<long>("SELECT count(*) FROM trials WHERE run_id = 1 AND outcome = 'error';")).ShouldBe(0L, "the dead worker's trial is not scored as an error");
        (await ScalarAsync<long>("SELECT count(*) FROM trials WHERE run_id = 1;")).ShouldBe(12L, "nothing recorded twice");
        // and each trial the dead worker held was run again by another worker, to success
        foreach (var job in killedJobs)
        {
            var history = await RowsAsync("SELECT id, name || ' ' || coalesce(data::text, '') FROM hangfire.state WHERE jobid = $1 ORDER BY id;", job);
            Log($"job {job}: {string.Join(" → ", history.Select(h => h.Data.Split(' ')[0]))}");
            var processing = history.Where(h => h.Data.StartsWith("Processing", StringComparison.Ordinal)).ToList();
            processing.Count.ShouldBeGreaterThanOrEqualTo(2, $"job {job} ran again after its worker died");
            processing[^1].Data.ShouldNotContain(marker, Case.Sensitive, "the second run was on another worker");
            history[^1].Data.ShouldStartWith("Succeeded");
        }
        (await ScalarAsync<long>("SELECT count(*) FROM hangfire.job WHERE statename = 'Failed';")).ShouldBe(0L);
    }

    /// <summary>Each slot with the pid of the scheduler that made its run (a finished slot keeps no owner; its run does).</summary>
    private const string SlotsByOwner = """
        SELECT split_part(r.owner_id, '/', 2)::bigint, s.slot_at || ' ' || s.status || ' run ' || r.id
        FROM schedule_slots s JOIN runs r ON r.id = s.run_id
        """;

    [Fact]
    public async Task Two_schedulers_on_one_store_run_each_slot_once_and_the_standby_takes_over_when_the_leader_dies()
    {
        // Given a schedule entry due every minute on a PostgreSQL store, and two scheduler processes
        var suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").AddAdder("add-b").Build();
        _temp.Write("driftwatch.yaml", $"""
            storage:
              kind: postgres
              connection_env: {Variable}
            schedule:
              entries:
                - name: every-minute
                  agent: simulated
                  suite: {suite}
                  cron: "* * * * *"
            """);
        var first = Start("scheduler-a", "schedule", "--sandbox", "none");
        var second = Start("scheduler-b", "schedule", "--sandbox", "none");

        // When a slot has run, and then its scheduler is killed with SIGKILL
        var leaderPid = await WaitForAsync<long?>(async () =>
        {
            var done = await RowsAsync(SlotsByOwner + " WHERE s.status = 'complete' ORDER BY s.slot_at;");
            return done.Count > 0 ? done[0].Id : null;
        }, TimeSpan.FromMinutes(3), "the first slot to complete");
        var leader = first.Id == leaderPid ? first : second;
        var standby = leader == first ? second : first;
        leader.KillHard();
        Log($"the leader (pid {leader.Id}) ran the first slot; killed it with SIGKILL");

        // Then the standby leads and runs the next slot; no slot ever ran twice, and while the leader lived the standby claimed none
        await WaitForAsync<long?>(async () =>
        {
            var done = await RowsAsync(SlotsByOwner + " WHERE s.status = 'complete' AND split_part(r.owner_id, '/', 2)::bigint = $1;", (long)standby.Id);
            return done.Count > 0 ? done[0].Id : null;
        }, TimeSpan.FromMinutes(3), "the standby to run a slot");
        var slots = await RowsAsync(SlotsByOwner + " ORDER BY s.slot_at;");
        foreach (var (pid, slot) in slots)
            Log($"slot {slot} by pid {pid}");
        slots.Select(s => s.Data.Split(' ')[0]).Distinct().Count().ShouldBe(slots.Count, "each slot once");
        (await ScalarAsync<long>("SELECT count(*) FROM runs;")).ShouldBe((await ScalarAsync<long>("SELECT count(*) FROM schedule_slots WHERE run_id IS NOT NULL;")), "one run per slot");
        slots[0].Id.ShouldBe((long)leader.Id);
        slots.ShouldContain(s => s.Id == standby.Id);
        slots.SkipWhile(s => s.Id == leader.Id).ShouldAllBe(s => s.Id == standby.Id, "the standby claimed nothing while the leader lived");
        standby.Signal(15);
        var (exit, output, _) = await standby.WaitAsync(TimeSpan.FromMinutes(2));
        Log($"standby exited {exit}:\n{output}");
        output.ShouldContain("standing by");
        output.ShouldContain("leading");

        // and `schedule --list` shows the slots the two ran, read from the shared store
        using var list = CliProcess.Start(_temp.Path, new Dictionary<string, string?> { [Variable] = _connection, ["COLUMNS"] = "200" }, "schedule", "--list");
        var listed = await list.WaitAsync(TimeSpan.FromMinutes(2));
        Log($"schedule --list:\n{listed.Output}");
        listed.ExitCode.ShouldBe(0, listed.Error);
        listed.Output.ShouldNotContain("none yet");
        listed.Output.ShouldContain("run 1");
    }
}
