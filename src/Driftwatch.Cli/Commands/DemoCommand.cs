using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Driftwatch.Agents;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Statistics;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Scoring;
using Driftwatch.Formats.Suites;
using Driftwatch.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class DemoSettings : CommandSettings
{
    [CommandOption("--days <N>")]
    [Description("Days of history to build. Default: 40")]
    public int Days { get; init; } = 40;

    [CommandOption("--drop <POINTS>")]
    [Description("How much the simulated agent's pass rate falls (0.10 = 10 points). Default: 0.10")]
    public double Drop { get; init; } = 0.10;

    [CommandOption("--db <PATH>")]
    [Description("Database to fill (default: a fresh temporary folder, printed at the end)")]
    public string? Database { get; init; }

    [CommandOption("--seed <SEED>")]
    [Description("Seed of the simulated agent and the trial order. Default: 7")]
    public int Seed { get; init; } = 7;

    [CommandOption("-p|--parallel <N>")]
    [Description("Trials run at once. Default: number of cores")]
    public int? Parallel { get; init; }

    [CommandOption("--sandbox <MODE>")]
    [Description("auto, bwrap or none. Default: auto")]
    public string Sandbox { get; init; } = "auto";

    [CommandOption("--no-serve")]
    [Description("Do not start the dashboard (http://127.0.0.1:5170) after the tour (it starts only on a terminal)")]
    public bool NoServe { get; init; }

    public override ValidationResult Validate()
    {
        if (Days is < 10 or > 3650)
            return ValidationResult.Error("--days: must be from 10 to 3650");
        if (Drop is < 0 or > 0.5)
            return ValidationResult.Error("--drop: must be from 0 to 0.5");
        return Parallel is < 1 ? ValidationResult.Error("--parallel: must be at least 1") : ValidationResult.Success();
    }
}

/// <summary>
/// The offline tour on the embedded defaults: a simulated agent works the built-in suite once a
/// day for N days (real workspaces, real hidden tests) and loses about ten points from 60% of
/// the way in; then the history and where the drop shows.
/// </summary>
internal sealed class DemoCommand(CliContext cli) : AsyncCommand<DemoSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        TrialFolders.EnsureUsable();
        var databasePath = settings.Database is { } db
            ? Path.GetFullPath(db, cli.WorkingDirectory)
            : Path.Combine(Path.GetTempPath(), $"driftwatch-demo-{Guid.NewGuid().ToString("N")[..8]}", "driftwatch.db");
        // Opened first: a database that cannot be used stops the tour before it starts anything.
        using var store = StoreFactory.Open(new StorageConfig(Path: databasePath), StoreAccess.Write, cli.Time);
        var suite = SuiteLoader.Load(Locations.BuiltInSuiteDirectory);
        var (sandbox, warning) = await SandboxFactory.CreateAsync(SandboxFactory.ParseMode(settings.Sandbox), cancellationToken, unconfinedFallback: true);
        if (warning is not null)
            cli.Warn(warning);

        var today = DateOnly.FromDateTime(cli.Time.GetUtcNow().UtcDateTime);
        var firstDay = today.AddDays(-(settings.Days - 1));
        var dropDay = DropDay(settings.Days);
        var dropDate = firstDay.AddDays(dropDay - 1);
        var definition = new AgentDefinition("simulated", "simulated", new JsonObject
        {
            ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
            ["skill"] = "0.8",
            ["degradation"] = new JsonArray(new JsonObject
            {
                ["from"] = dropDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["drop"] = settings.Drop.ToString(CultureInfo.InvariantCulture),
            }),
        }, "demo");
        var agent = AgentCatalog.Create(definition);

        cli.Out.MarkupLine($"[bold]Driftwatch demo[/] · a [yellow]simulated (synthetic)[/] agent works the built-in suite " +
            $"[bold]{suite.Name}[/] ({suite.Tasks.Length} tasks) once a day for {settings.Days} days, sandbox {sandbox.Name}.");
        cli.Out.MarkupLine($"[grey]Every trial edits a real workspace and runs the real hidden tests. From day {dropDay} ({dropDate:yyyy-MM-dd}) " +
            $"the agent gets {settings.Drop * 100:0} points worse; identical workspaces are tested once and their result reused.[/]");

        var cache = new TestResultCache();
        var options = new TrialOptions { TestCache = cache, MaxAttempts = 1 };
        var owner = RunOwners.Current();
        var parallel = settings.Parallel ?? Environment.ProcessorCount;
        // Days are independent runs: several go at once (each one trial at a time), so that no core
        // idles while a day waits for its slowest trial.
        var runIds = new long[settings.Days];
        var finishedTrials = 0;
        async Task RunDays(Action<int>? report)
        {
            await Parallel.ForEachAsync(Enumerable.Range(1, settings.Days),
                new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
                async (day, token) =>
                {
                    var date = firstDay.AddDays(day - 1);
                    var time = ShiftedTimeProvider.StartingAt(cli.Time, new DateTimeOffset(date.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero));
                    var runner = new SuiteRunner(store.Results, time, owner, cli.Warn);
                    var runId = await runner.CreateAsync(new RunRequest
                    {
                        Suite = suite,
                        Agent = agent,
                        Sandbox = sandbox,
                        AgentConfigJson = definition.ToJson(),
                        Seed = settings.Seed + day,
                    }, token);
                    var progress = report is null ? null : new InlineProgress<RunProgress>(p =>
                    {
                        if (p.Last is not null)
                            report(Interlocked.Increment(ref finishedTrials));
                    });
                    // Each day's trials are executed as any run's are: from the stored plan, the agent rebuilt from its definition.
                    await using var executor = new TrialExecutor(store.Runs, store.Trials, new TrialEnvironment
                    {
                        CreateAgent = (id, plan) => AgentCatalog.Create(TrialEnvironment.DefinitionOf(id, plan)),
                        CreateSandbox = (_, _, _) => Task.FromResult(sandbox),
                        Options = options,
                        Time = time,
                    }.Reusing(suite));
                    await runner.ExecuteAsync(runId, new InProcessDispatcher(executor), 1, progress, token);
                    runIds[day - 1] = runId;
                });
        }

        if (cli.ShowProgress)
        {
            await cli.Out.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var bar = progress.AddTask($"building {settings.Days} days of history", maxValue: settings.Days * suite.Tasks.Length);
                    await RunDays(done => bar.Value = done);
                });
        }
        else
        {
            await RunDays(null);
        }

        var runs = (await store.Runs.ListRunsAsync(new RunQuery(), cancellationToken)).Where(r => runIds.Contains(r.Id)).OrderBy(r => r.StartedAt).ToList();
        RenderHistory(runs, firstDay, dropDay);
        RenderDrop(runs, dropDay);
        RenderVerdict(await store.History.GetHistoryAsync(agent.Name, suite.Name, withMetrics: true, cancellationToken), firstDay, dropDay);

        cli.Out.WriteLine();
        cli.Out.MarkupLine($"{runs.Count} runs, {runs.Sum(r => r.Summary.Total)} trials, {cache.Size} distinct workspaces tested, in {RunReport.Seconds(clock.ElapsedMilliseconds)}.");
        cli.Out.MarkupLine($"Database: [bold]{TerminalText.Escape(databasePath)}[/]");
        cli.Out.MarkupLine($"Explore it: [bold]driftwatch runs --db {TerminalText.Escape(databasePath)}[/] · [bold]driftwatch show {runs[^1].Id} --db {TerminalText.Escape(databasePath)}[/] · [bold]driftwatch report --out DIR --db {TerminalText.Escape(databasePath)}[/]");
        if (settings.NoServe)
            return ExitCodes.Ok;
        if (!cli.Interactive)
        {
            // A script or CI ran the tour: waiting for a Ctrl-C that never comes would hang it.
            cli.Out.MarkupLine($"Dashboard: [bold]driftwatch serve --db {TerminalText.Escape(databasePath)}[/] (not started: no terminal)");
            return ExitCodes.Ok;
        }
        try
        {
            await ServeCommand.ServeAsync(cli, databasePath, [Web.Serving.Bindings.DefaultUrl], token: null, new CheckOptions(), cancellationToken);
        }
        catch (Core.InvalidInputException e)
        {
            // The tour itself is done; a busy port only costs the dashboard.
            cli.Warn($"the dashboard did not start: {e.Message}; try `driftwatch serve --db {databasePath} --urls http://127.0.0.1:PORT`");
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// What `driftwatch check` says of the history: the calibrated CUSUM's verdict, the estimated
    /// first day of the change, and the day a daily check would have raised the alarm.
    /// </summary>
    private void RenderVerdict(History history, DateOnly firstDay, int dropDay)
    {
        var verdict = Checker.Check(history, new CheckOptions());
        cli.Out.WriteLine();
        cli.Out.MarkupLine("[bold]driftwatch check[/] on this history:");
        VerdictReport.Render(cli.Out, [verdict]);
        // The first alarm of the verdict: the pass rate's, or a signal's that degraded it sooner.
        var alarms = verdict.Signals.Where(s => s.Status == VerdictStatus.Degraded && s.AlarmDay is not null)
            .Select(s => (Day: s.AlarmDay!.Value, What: s.Label)).ToList();
        if (verdict.AlarmDay is { } passRateAlarm)
            alarms.Add((passRateAlarm, "the pass rate"));
        if (alarms.Count > 0)
        {
            var (alarm, what) = alarms.OrderBy(a => a.Day).First();
            var alarmDay = alarm.DayNumber - firstDay.DayNumber + 1;
            var passRate = verdict.AlarmDay is { } p && p != alarm ? $" (the pass rate alone on day {p.DayNumber - firstDay.DayNumber + 1})" : "";
            var dated = verdict.ChangeDay is { } change ? $", and dated the change to day {change.DayNumber - firstDay.DayNumber + 1}" : "";
            cli.Out.MarkupLine(Markup.Escape($"The drop began on day {dropDay}; a daily `driftwatch check` would have raised the alarm on ") +
                $"[bold]day {alarmDay}[/]" + Markup.Escape($" ({alarm:yyyy-MM-dd}), {alarmDay - dropDay + 1} day(s) in, on {what}{passRate}{dated}."));
        }
        else
        {
            cli.Out.MarkupLine($"The detector has not raised an alarm (verdict: {verdict.Status.ToString().ToLowerInvariant()}).");
        }
    }

    /// <summary>The day the simulated drop starts: 60% of the way in (day 25 of 40).</summary>
    public static int DropDay(int days) => Math.Max(2, (int)Math.Round(days * 0.6) + 1);

    private void RenderHistory(IReadOnlyList<RunHeader> runs, DateOnly firstDay, int dropDay)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("day").RightAligned()).AddColumn("date")
            .AddColumn(new TableColumn("pass").RightAligned()).AddColumn(new TableColumn("rate").RightAligned())
            .AddColumn(new TableColumn("95% CI").RightAligned()).AddColumn("");
        foreach (var run in runs)
        {
            var day = DateOnly.FromDateTime(run.StartedAt.UtcDateTime).DayNumber - firstDay.DayNumber + 1;
            var rate = run.Summary.PassRate ?? 0;
            var bar = new string('█', (int)Math.Round(rate * 40));
            var colour = day >= dropDay ? "yellow" : "green";
            table.AddRow(
                day.ToString(CultureInfo.InvariantCulture), run.StartedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                $"{run.Summary.Pass}/{run.Summary.Scored}", RunReport.Percent(run.Summary.PassRate), RunReport.Range(run.Summary.Interval),
                $"[{colour}]{bar}[/]{(day == dropDay ? " [yellow]← simulated drop starts[/]" : "")}");
        }
        cli.Out.Write(table);
    }

    /// <summary>Where the drop shows: the pass rate before and after the scheduled change.</summary>
    private void RenderDrop(List<RunHeader> runs, int dropDay)
    {
        var before = runs.Take(dropDay - 1).ToList();
        var after = runs.Skip(dropDay - 1).ToList();
        var (passBefore, scoredBefore) = (before.Sum(r => r.Summary.Pass), before.Sum(r => r.Summary.Scored));
        var (passAfter, scoredAfter) = (after.Sum(r => r.Summary.Pass), after.Sum(r => r.Summary.Scored));
        var rateBefore = (double)passBefore / scoredBefore;
        var rateAfter = (double)passAfter / scoredAfter;
        cli.Out.MarkupLine($"days 1–{dropDay - 1}: {RunReport.Percent(rateBefore)} [grey]({RunReport.Range(Wilson.Interval(passBefore, scoredBefore))})[/] · " +
            $"days {dropDay}–{runs.Count}: {RunReport.Percent(rateAfter)} [grey]({RunReport.Range(Wilson.Interval(passAfter, scoredAfter))})[/] · " +
            $"change [bold]{(rateAfter - rateBefore) * 100:+0.0;-0.0} points[/]");
    }
}
