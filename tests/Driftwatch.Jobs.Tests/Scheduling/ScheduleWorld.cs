using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Scheduling;
using Driftwatch.Core.Stores;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Formats.Suites;
using Driftwatch.Jobs.Alerts;
using Driftwatch.Jobs.Running;
using Driftwatch.Jobs.Scheduling;
using Driftwatch.Storage;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Driftwatch.Testing.Servers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Driftwatch.Jobs.Tests.Scheduling;

/// <summary>
/// A scheduler's world for tests: a small real suite, a real SQLite file, a fake clock the test
/// moves, a webhook receiver on 127.0.0.1, and every event the scheduler reports. Schedulers come
/// and go (a restart is a new instance on the same database); the world stays.
/// </summary>
internal sealed class ScheduleWorld : IAsyncDisposable
{
    private readonly TempDirectory _temp = new("schedule");
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Channel<ScheduleEvent> _events = Channel.CreateUnbounded<ScheduleEvent>();
    private readonly List<ScheduleEvent> _seen = [];
    private Running? _running;

    private ScheduleWorld(string suite, LoopbackServer receiver, DateTimeOffset start)
    {
        SuitePath = suite;
        Receiver = receiver;
        Time = new FakeTimeProvider(start);
        Store = SqliteResultStore.Open(_temp.Combine("dw.db"));
    }

    public string SuitePath { get; }
    public LoopbackServer Receiver { get; }
    public FakeTimeProvider Time { get; }
    public SqliteResultStore Store { get; }
    public StringWriter Console { get; } = new();
    public string DatabasePath => Store.Path;

    /// <summary>Every event reported so far, by every scheduler of this world.</summary>
    public IReadOnlyList<ScheduleEvent> Events
    {
        get
        {
            lock (_seen)
                return [.. _seen];
        }
    }

    /// <summary>A world whose suite has <paramref name="tasks"/> adders "add-N" and <paramref name="rigged"/> more named "rig-N" (see <see cref="RiggingAgent"/>).</summary>
    public static async Task<ScheduleWorld> CreateAsync(int tasks, DateTimeOffset start, int rigged = 0)
    {
        var temp = Path.Combine(Path.GetTempPath(), "driftwatch-tests", $"schedule-suite-{Guid.NewGuid().ToString("N")[..10]}");
        var builder = new SuiteBuilder(temp);
        for (var i = 0; i < tasks; i++)
            builder.AddAdder($"add-{i}");
        for (var i = 0; i < rigged; i++)
            builder.AddAdder($"rig-{i}");
        var receiver = await LoopbackServer.StartAsync((_, context) => context.Response.WriteAsync("ok"));
        return new ScheduleWorld(builder.Build(), receiver, start);
    }

    /// <summary>A simulated agent: skill, seed, and a drop from a day on.</summary>
    public static AgentDefinition Agent(string name, double skill = 0.85, DateOnly? dropFrom = null, double drop = 0, double errorRate = 0, int delayMs = 0, int seed = 11)
    {
        var options = new JsonObject
        {
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["skill"] = skill.ToString(CultureInfo.InvariantCulture),
            ["error_rate"] = errorRate.ToString(CultureInfo.InvariantCulture),
            ["delay_ms"] = delayMs.ToString(CultureInfo.InvariantCulture),
        };
        if (dropFrom is { } from)
        {
            options["degradation"] = new JsonArray(new JsonObject
            {
                ["from"] = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["drop"] = drop.ToString(CultureInfo.InvariantCulture),
            });
        }
        return new AgentDefinition(name, "simulated", options, $"test agent {name}");
    }

    /// <summary>
    /// A command agent that solves every adder, and on the tasks named "rig-N" also drops a
    /// sitecustomize.py in the workspace: a change to the test machinery, so its trials are suspect.
    /// </summary>
    public static AgentDefinition RiggingAgent(string name) => new(name, "command", new JsonObject
    {
        ["command"] = "sh -c 'echo \"def add(a, b): return a + b\" > calc.py; case \"$1\" in *\"task rig-\"*) echo \"import os\" > sitecustomize.py;; esac' agent {prompt}",
    }, $"test agent {name}");

    public ScheduledJob Job(AgentDefinition agent, string cron = "0 6 * * *", int trials = 1, string? name = null) => new()
    {
        Entry = new ScheduleEntry
        {
            Key = name ?? $"{agent.Name} on mini @ {cron}",
            Agent = agent.Name,
            Cron = CronSchedule.TryParse(cron, TimeZoneInfo.Utc, out var problem) ?? throw new ArgumentException(problem),
            Trials = trials,
            Source = "test",
        },
        Agent = agent,
        SuitePath = SuitePath,
        SuiteName = "mini",
        TrialsPerTask = trials,
    };

    /// <summary>An ingest entry reading the generic file of trials at <paramref name="path"/> as <paramref name="agent"/> on <paramref name="suite"/>.</summary>
    public static ScheduledJob IngestJob(string path, string agent, string suite, string cron = "0 6 * * *") => new()
    {
        Entry = new ScheduleEntry
        {
            Key = $"ingest {agent} on {suite} @ {cron}",
            Agent = agent,
            Suite = suite,
            Ingest = "jsonl",
            Paths = [path],
            Cron = CronSchedule.TryParse(cron, TimeZoneInfo.Utc, out var problem) ?? throw new ArgumentException(problem),
            Source = "test",
        },
        Ingest = new ScheduledIngest("jsonl", [path], new Core.Ingest.IngestOptions(agent, suite)),
        SuiteName = suite,
    };

    /// <summary>A path in the world's temporary folder.</summary>
    public string PathOf(string name) => _temp.Combine(name);

    public Scheduler Scheduler(IReadOnlyList<ScheduledJob> jobs, CatchUp catchUp = CatchUp.Latest, int retries = 2, Core.Detection.CheckOptions? check = null)
    {
        IReadOnlyList<IAlertSink> sinks =
        [
            new ConsoleAlertSink(Console),
            new WebhookAlertSink(AlertSinkKind.Webhook, "webhook (test receiver)", new Uri(Receiver.BaseUrl + "/alerts"), _http,
                new DeliveryOptions { FirstDelay = TimeSpan.FromMilliseconds(5) }, TimeProvider.System),
        ];
        return new Scheduler(jobs, new DriftwatchStore(Store, Store, Store), sinks, Time, RunOwners.Current(),
            new SchedulerOptions
            {
                CatchUp = catchUp,
                Check = check ?? new(),
                DashboardUrl = "http://127.0.0.1:5170/runs/{run}",
                Run = new RunJobOptions { Parallel = 2, Sandbox = "none", Retries = retries },
            },
            Report, _ => { });
    }

    private void Report(ScheduleEvent e)
    {
        lock (_seen)
            _seen.Add(e);
        _events.Writer.TryWrite(e);
    }

    /// <summary>
    /// What a scheduler leaves when it dies right after the last trial of a slot's run: the slot
    /// claimed and its run made, every trial run and stored, the run never closed. Its process reads
    /// as gone: this test process's id with another start time (as if the id had been reused).
    /// <paramref name="recorded"/>, when given, changes each trial before it is stored (e.g. flags
    /// it as another agent would have).
    /// </summary>
    public async Task<long> WriteSlotOfAGoneSchedulerAsync(ScheduledJob job, DateTimeOffset slot, Func<Trial, Trial>? recorded = null)
    {
        var gone = new RunOwner(Environment.MachineName, Environment.ProcessId, DateTimeOffset.UnixEpoch);
        await Store.ClaimSlotAsync(job.Key, slot, gone, Time.GetUtcNow());
        var runJob = new RunJob(Store, Time, gone, _ => { });
        var agent = job.Agent ?? throw new ArgumentException("a run entry's job", nameof(job));
        var prepared = await runJob.CreateAsync(new NewRunRequest
        {
            Definition = agent,
            Agent = RunJob.CreateAgent(agent),
            Suite = SuiteLoader.Load(job.SuitePath),
            TrialsPerTask = job.TrialsPerTask,
        }, new RunJobOptions { Sandbox = "none" }, CancellationToken.None);
        await Store.SetSlotRunAsync(job.Key, slot, prepared.RunId);
        // The trials are run and stored as a worker would, one assignment at a time, and the run never closed.
        await using var executor = new TrialExecutor(Store, Store, new TrialEnvironment
        {
            CreateAgent = (id, plan) => RunJob.CreateAgent(TrialEnvironment.DefinitionOf(id, plan)),
            CreateSandbox = (_, _, _) => Task.FromResult<ISandbox>(new NoSandbox()),
        });
        foreach (var planned in await Store.GetPendingTrialsAsync(prepared.RunId))
        {
            var record = await executor.RunAsync(TrialAssignment.Of(prepared.RunId, planned), CancellationToken.None);
            await Store.RecordTrialAsync(recorded?.Invoke(record.Trial) ?? record.Trial, record.Artifacts, record.Harness);
        }
        return prepared.RunId;
    }

    /// <summary>Starts a scheduler's loop in the background (one at a time).</summary>
    public void Start(Scheduler scheduler)
    {
        var cancel = new CancellationTokenSource();
        _running = new Running(Task.Run(() => scheduler.RunAsync(cancel.Token)), cancel);
    }

    /// <summary>Stops the running scheduler as SIGTERM would, and returns whether it interrupted a run.</summary>
    public async Task<bool> StopAsync()
    {
        var running = _running ?? throw new InvalidOperationException("no scheduler is running");
        _running = null;
        await running.Cancel.CancelAsync();
        var interrupted = await running.Loop.WaitAsync(TimeSpan.FromSeconds(60));
        running.Cancel.Dispose();
        return interrupted;
    }

    /// <summary>The next event of type <typeparamref name="T"/> (that matches), skipping others; fails after 90 s.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool>? match = null) where T : ScheduleEvent
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            ScheduleEvent e;
            try
            {
                e = await _events.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {typeof(T).Name} within 90 s; seen: {string.Join(", ", Events.TakeLast(5))}");
            }
            if (e is T wanted && (match is null || match(wanted)))
                return wanted;
        }
    }

    /// <summary>Moves the fake clock (off the test's thread: timers fire inside the move).</summary>
    public Task MoveClockTo(DateTimeOffset moment) => Task.Run(() => Time.SetUtcNow(moment));

    public async ValueTask DisposeAsync()
    {
        if (_running is not null)
            await StopAsync();
        Store.Dispose();
        _http.Dispose();
        await Receiver.DisposeAsync();
        _temp.Dispose();
        try
        {
            Directory.Delete(SuitePath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed record Running(Task<bool> Loop, CancellationTokenSource Cancel);
}
