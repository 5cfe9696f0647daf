using System.ComponentModel;
using Driftwatch.Agents;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Text;
using Driftwatch.Formats.Ingest;
using Driftwatch.Formats.Suites;
using Driftwatch.Jobs.Alerts;
using Driftwatch.Jobs.Running;
using Driftwatch.Jobs.Scheduling;
using Driftwatch.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class ScheduleSettings : StoreSettings
{
    [CommandOption("--once")]
    [Description("Run what is due now and exit: for each entry its latest slot at or before now, unless that slot already ran (an interrupted one is resumed)")]
    public bool Once { get; init; }

    [CommandOption("--fail-on-degradation")]
    [Description("With --once: exit 3 when the verdict on any scheduled agent × suite is degraded (for CI)")]
    public bool FailOnDegradation { get; init; }

    [CommandOption("--list")]
    [Description("Print each entry with its next slot and its last slots, and exit")]
    public bool List { get; init; }

    [CommandOption("-p|--parallel <N>")]
    [Description("Trials run at once. Default: defaults.parallel, else the number of cores")]
    public int? Parallel { get; init; }

    [CommandOption("--sandbox <MODE>")]
    [Description("auto (bubblewrap when usable), bwrap, or none. Default: defaults.sandbox, else auto")]
    public string? Sandbox { get; init; }

    [CommandOption("--retries <N>")]
    [Description("Extra attempts for trials that hit an infrastructure error. Default: 2")]
    public int? Retries { get; init; }

    public override ValidationResult Validate()
    {
        if (FailOnDegradation && !Once)
            return ValidationResult.Error("--fail-on-degradation: only with --once (a long-running scheduler never exits on a verdict; it sends alerts)");
        if (List && Once)
            return ValidationResult.Error("--list: prints the schedule and exits; drop --once");
        if (Parallel is < 1)
            return ValidationResult.Error("--parallel: must be at least 1");
        return Retries is < 0 ? ValidationResult.Error("--retries: must be 0 or more") : ValidationResult.Success();
    }
}

/// <summary>`schedule`: runs the schedule of driftwatch.yaml, once per slot, with alerts; `--once` for cron, CI and timers.</summary>
internal sealed class ScheduleCommand(CliContext cli) : AsyncCommand<ScheduleSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ScheduleSettings settings, CancellationToken cancellationToken)
    {
        var locations = Locations.Resolve(cli, settings);
        var config = locations.Config;
        var jobs = Resolve(locations);
        if (!settings.List)
            TrialFolders.EnsureUsable();
        if (settings.List)
        {
            // The entries come from the configuration; their past slots from the database, when there is one yet.
            using var stored = locations.IsPostgres || File.Exists(locations.DatabasePath) ? locations.OpenStoreForReading() : null;
            await ScheduleReport.ListAsync(cli.Out, jobs, config, stored?.Schedule, cli.Time.GetUtcNow(), cancellationToken);
            return ExitCodes.Ok;
        }
        using var store = locations.OpenStore();
        var retries = settings.Retries ?? 2;
        using var queue = locations.OpenQueue();

        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var sinks = AlertSinks.Create(config.Alerts, cli.GetEnvironmentVariable, http, cli.RawOut, new DeliveryOptions(), TimeProvider.System);
        var report = new ScheduleReport(cli);
        var scheduler = new Scheduler(jobs, store, sinks, cli.Time, RunOwners.Current(),
            new SchedulerOptions
            {
                CatchUp = config.Schedule.CatchUp,
                DashboardUrl = config.Alerts.DashboardUrl,
                Dispatcher = queue is null ? null : WorkerQueue.Dispatcher(queue, store.Results, retries, cli.Warn),
                Run = new RunJobOptions
                {
                    Parallel = settings.Parallel ?? config.Defaults.Parallel ?? Environment.ProcessorCount,
                    Retries = retries,
                    Sandbox = settings.Sandbox ?? config.Defaults.Sandbox,
                    HiddenPaths = RunJobOptions.DatabaseFiles(locations.DatabasePath),
                },
            },
            report.Show, cli.Warn);
        report.Starting(jobs, config, sinks, settings.Once, locations.IsPostgres ? $"PostgreSQL (${locations.Storage.ConnectionEnv}){(queue is null ? "" : $", trials to the workers on queue {queue.Config.Queue}")}" : locations.DatabasePath);

        if (settings.Once)
        {
            var once = await scheduler.RunOnceAsync(cancellationToken);
            if (once.Interrupted)
                return ExitCodes.Interrupted;
            cli.Out.MarkupLine($"[bold]{once.SlotsRun}[/] slot(s) run; verdicts:");
            VerdictReport.Render(cli.Out, once.Verdicts);
            return settings.FailOnDegradation && once.Verdicts.Any(v => v.Status == VerdictStatus.Degraded) ? ExitCodes.Degraded : ExitCodes.Ok;
        }
        var interrupted = await LeadAndRunAsync(locations, scheduler, cancellationToken);
        cli.Out.MarkupLine(interrupted ? "[yellow]stopped during a run[/]: it is resumed on the next start" : "stopped");
        return interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
    }

    /// <summary>
    /// On a PostgreSQL store, only the elected scheduler runs slots: the others stand by and one
    /// takes over when the leader's connection ends (docs/scale-out.md). A leader that loses its
    /// connection stops at once (its run in flight left resumable) and stands by again.
    /// </summary>
    private async Task<bool> LeadAndRunAsync(Locations locations, Scheduler scheduler, CancellationToken cancellationToken)
    {
        if (locations.OpenLeadership() is not var (leadership, connections))
            return await scheduler.RunAsync(cancellationToken);
        using (connections)
        {
            while (true)
            {
                Jobs.Distributed.HeldLock held;
                try
                {
                    held = await leadership.AcquireAsync(() => cli.Out.MarkupLine("another scheduler leads on this store: [bold]standing by[/] to take over"), cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return false;
                }
                await using (held)
                {
                    cli.Out.MarkupLine("[bold]leading[/]: this scheduler runs the slots");
                    using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var watch = WatchAsync(leadership, held, lost);
                    var interrupted = await scheduler.RunAsync(lost.Token);
                    await lost.CancelAsync();
                    await watch;
                    if (cancellationToken.IsCancellationRequested)
                        return interrupted;
                    cli.Warn("this scheduler lost the lead (its connection to PostgreSQL ended); standing by");
                }
            }
        }
    }

    private static async Task WatchAsync(Jobs.Distributed.SchedulerLeadership leadership, Jobs.Distributed.HeldLock held, CancellationTokenSource lost)
    {
        try
        {
            await leadership.WatchAsync(held, lost.Token);
            await lost.CancelAsync();
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Every entry's agent, suite and tasks, checked before anything runs: an unknown agent, a
    /// missing key, an unknown suite or a bad task pattern is bad input named by the entry's file,
    /// line and field.
    /// </summary>
    private static List<ScheduledJob> Resolve(Locations locations)
    {
        var config = locations.Config;
        if (config.Schedule.Entries.IsEmpty)
        {
            var where = config.File ?? Path.Combine(locations.Context.WorkingDirectory, DriftwatchConfig.FileName);
            throw new InvalidInputException($"{where}: schedule.entries: no entries to run (add a schedule section; `driftwatch init` writes an example)");
        }
        var jobs = new List<ScheduledJob>();
        foreach (var entry in config.Schedule.Entries)
        {
            if (entry.Ingest is { } format)
            {
                Located(entry.Locate("ingest"), () => IngestReaders.Find(format));
                foreach (var missing in entry.Paths.Where(p => !File.Exists(p) && !Directory.Exists(p)))
                    throw new InvalidInputException($"{entry.Locate("paths")}: {missing}: no such file or folder");
                jobs.Add(new ScheduledJob
                {
                    Entry = entry,
                    Ingest = new ScheduledIngest(format.ToLowerInvariant(), entry.Paths, new Core.Ingest.IngestOptions(entry.Agent, entry.Suite)),
                    SuiteName = entry.Suite ?? "(as the files say)",
                });
                continue;
            }
            var definition = Located(entry.Locate("agent"), () => RunJob.WithModel(AgentCatalog.Resolve(entry.Agent!, config), entry.Model, entry.Locate("model")));
            Located(entry.Locate("agent"), () => RunJob.CreateAgent(definition));
            var path = Located(entry.Locate("suite"), () => locations.SuitePath(entry.Suite));
            Located(entry.Locate("tasks"), () => entry.Tasks is null ? null : new TaskFilter(entry.Tasks));
            var suite = SuiteLoader.Load(path);
            jobs.Add(new ScheduledJob
            {
                Entry = entry,
                Agent = definition,
                SuitePath = path,
                SuiteName = suite.Name,
                TrialsPerTask = entry.Trials ?? config.Defaults.Trials ?? 1,
            });
        }
        return jobs;
    }

    /// <summary>Runs a check whose message speaks of a flag (--agent, --suite) and says where in the file instead.</summary>
    private static T Located<T>(string location, Func<T> check)
    {
        try
        {
            return check();
        }
        catch (InvalidInputException ex)
        {
            var message = ex.Message;
            foreach (var flag in new[] { "--agent: ", "--suite: ", "--tasks: " })
            {
                if (message.StartsWith(flag, StringComparison.Ordinal))
                    message = message[flag.Length..];
            }
            throw new InvalidInputException($"{location}: {message}", ex);
        }
    }
}
