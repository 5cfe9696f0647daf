using System.ComponentModel;
using System.Diagnostics;
using Driftwatch.Agents;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;
using Driftwatch.Execution.Workspaces;
using Driftwatch.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

public sealed class RunSettings : StoreSettings
{
    [CommandOption("-a|--agent <AGENT>")]
    [Description("Agent: a built-in preset (simulated, claude-code, codex, gemini, aider) or a name from driftwatch.yaml. Default: simulated")]
    public string? Agent { get; init; }

    [CommandOption("-m|--model <MODEL>")]
    [Description("The model the agent uses (claude-code, codex, gemini, aider, anthropic, openai); the run is recorded as AGENT:MODEL, with its own history")]
    public string? Model { get; init; }

    [CommandOption("-s|--suite <SUITE>")]
    [Description("Suite: a folder, a name from driftwatch.yaml, or the built-in 'core'. Default: core")]
    public string? Suite { get; init; }

    [CommandOption("-k|--trials <K>")]
    [Description("Trials per task. Default: 1")]
    public int? Trials { get; init; }

    [CommandOption("--budget <N>")]
    [Description("Trials today, spent adaptively from this agent's baseline on the suite (instead of --trials per task)")]
    public int? Budget { get; init; }

    [CommandOption("-p|--parallel <N>")]
    [Description("Trials run at once. Default: number of cores")]
    public int? Parallel { get; init; }

    [CommandOption("--tasks <GLOB>")]
    [Description("Only tasks whose id matches: globs with * ? [..], comma-separated, !glob excludes")]
    public string? Tasks { get; init; }

    [CommandOption("--seed <SEED>")]
    [Description("Seed for the trial order (and the simulated agent). Default: random, recorded with the run")]
    public int? Seed { get; init; }

    [CommandOption("--sandbox <MODE>")]
    [Description("auto (bubblewrap when usable), bwrap, or none. Default: auto")]
    public string? Sandbox { get; init; }

    [CommandOption("--resume [RUN]")]
    [Description("Finish an interrupted run (default: the latest incomplete one) instead of starting a new one")]
    public FlagValue<string>? Resume { get; init; }

    [CommandOption("--retries <N>")]
    [Description("Extra attempts for trials that hit an infrastructure error. Default: 2")]
    public int? Retries { get; init; }

    [CommandOption("--keep-workspaces")]
    [Description("Keep every trial's folder for debugging (where: printed at the end)")]
    public bool KeepWorkspaces { get; init; }

    [CommandOption("--json")]
    [Description("Print the run as JSON instead of tables")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Trials is < 1)
            return ValidationResult.Error("--trials: must be at least 1");
        if (Parallel is < 1)
            return ValidationResult.Error("--parallel: must be at least 1");
        if (Budget is < 1)
            return ValidationResult.Error("--budget: must be at least 1");
        if (Budget is not null && Trials is not null)
            return ValidationResult.Error("--budget: give either --budget (adaptive) or --trials (uniform), not both");
        if (Retries is < 0)
            return ValidationResult.Error("--retries: must be 0 or more");
        if (Resume is { IsSet: true } && (Agent ?? Suite ?? Tasks ?? Model) is not null)
            return ValidationResult.Error("--resume: a resumed run keeps its agent, model, suite and tasks; drop --agent, --model, --suite and --tasks");
        if (Resume is { IsSet: true, Value: { Length: > 0 } run } && !long.TryParse(run, out _))
            return ValidationResult.Error($"--resume: '{run}' is not a run id");
        return ValidationResult.Success();
    }
}

/// <summary>The main job: runs a suite against an agent, stores every trial, prints the summary.</summary>
public sealed class RunCommand(CliContext cli) : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        var locations = Locations.Resolve(cli, settings);
        using var store = locations.OpenStore();
        var clock = Stopwatch.StartNew();
        var owner = RunOwners.Current();
        var parallel = settings.Parallel ?? locations.Config.Defaults.Parallel ?? Environment.ProcessorCount;
        var options = new TrialOptions { MaxAttempts = 1 + (settings.Retries ?? 2), KeepWorkspaces = settings.KeepWorkspaces };

        long runId;
        SuiteDefinition suite;
        IAgent agent;
        ISandbox sandbox;
        if (settings.Resume is { IsSet: true } resume)
        {
            runId = resume.Value is { Length: > 0 } id ? long.Parse(id, System.Globalization.CultureInfo.InvariantCulture)
                : await store.FindLatestResumableRunAsync(cancellationToken) ?? throw new InvalidInputException("--resume: no incomplete run to resume");
            var plan = await store.GetPlanAsync(runId, cancellationToken);
            suite = SuiteLoader.Load(plan.SuitePath);
            agent = AgentCatalog.Create(AgentDefinition.FromJson(plan.AgentConfigJson, $"run {runId}"));
            Preflight(agent);
            var mode = settings.Sandbox ?? (plan.SandboxMode == "none" ? "none" : "bwrap");
            sandbox = await CreateSandboxAsync(mode, cancellationToken);
            await store.ClaimRunAsync(runId, owner, cancellationToken);
            if (!settings.Json)
                cli.Out.MarkupLine($"resuming run {runId}: {(await store.GetPendingTrialsAsync(runId, cancellationToken)).Count} trials left");
        }
        else
        {
            var definition = AgentCatalog.Resolve(settings.Agent ?? locations.Config.Defaults.Agent ?? "simulated", locations.Config);
            if (settings.Model is { } model)
            {
                // Another model is another subject: its own history, baseline and verdict.
                definition = definition.With("model", model) with { Name = $"{definition.Name}:{model}" };
            }
            agent = AgentCatalog.Create(definition);
            Preflight(agent);
            suite = locations.LoadSuite(settings.Suite);
            sandbox = await CreateSandboxAsync(settings.Sandbox ?? locations.Config.Defaults.Sandbox ?? "auto", cancellationToken);
            var seed = settings.Seed ?? Random.Shared.Next();
            var trialsPerTask = settings.Trials ?? locations.Config.Defaults.Trials ?? 1;
            IReadOnlyDictionary<string, int>? taskTrials = null;
            if (settings.Budget is { } budget)
            {
                var selected = RunPlanner.SelectTasks(suite, settings.Tasks).Select(t => t.Id).ToList();
                var history = await store.GetHistoryAsync(agent.Name, suite.Name, cancellationToken);
                taskTrials = Checker.AdaptiveTrials(history, selected, budget, DateOnly.FromDateTime(cli.Time.GetUtcNow().UtcDateTime), new CheckOptions());
                if (taskTrials is null)
                {
                    trialsPerTask = Math.Max(1, (int)Math.Round((double)budget / selected.Count));
                    cli.Warn($"--budget: {agent.Name} on {suite.Name} has no baseline yet ({CheckOptions.MinimumDays} days needed); running every task {trialsPerTask} time(s) until it has");
                }
            }
            var creator = new SuiteRunner(store, sandbox, options, cli.Time, owner);
            runId = await creator.CreateAsync(new RunRequest
            {
                Suite = suite,
                Agent = agent,
                AgentConfigJson = definition.ToJson(),
                TrialsPerTask = trialsPerTask,
                TaskTrials = taskTrials,
                Seed = seed,
                TaskFilter = settings.Tasks,
            }, cancellationToken);
        }

        // Agents may hold run-long resources (the recording proxy): released when the run ends.
        await using var lifetime = agent as IAsyncDisposable ?? NothingToDispose.Instance;
        var runner = new SuiteRunner(store, sandbox, options, cli.Time, owner);
        var outcome = await LiveProgress.RunAsync(cli, $"run {runId}",
            progress => runner.ExecuteAsync(runId, suite, agent, parallel, progress, cancellationToken));
        var trials = await store.GetTrialsAsync(runId, CancellationToken.None);

        if (settings.Json)
        {
            cli.WriteRaw(Json.Serialize(Json.Run(outcome.Header, trials)));
        }
        else
        {
            RunReport.Title(cli.Out, outcome.Header);
            RunReport.Summary(cli.Out, outcome.Header, trials, clock.Elapsed);
            if (settings.KeepWorkspaces)
                cli.Out.MarkupLine($"trial folders kept under [bold]{Markup.Escape(WorkRoot.ForThisProcess(options.WorkRoot))}[/]");
            if (outcome.Header.Status == RunStatus.Incomplete)
                cli.Out.MarkupLine($"[yellow]run {runId} is incomplete[/]: finish it with [bold]driftwatch run --resume {runId}[/]");
            else if (!outcome.Interrupted)
            {
                // The verdict on this agent × suite's history, now including today's run.
                var history = await store.GetHistoryAsync(agent.Name, suite.Name, cancellationToken);
                VerdictReport.Render(cli.Out, [Checker.Check(history, new CheckOptions())]);
            }
        }
        return outcome.Interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
    }

    /// <summary>An agent that cannot work at all is bad input, before any trial is spent on errors.</summary>
    private static void Preflight(IAgent agent)
    {
        if (agent.Preflight() is { } problem)
            throw new InvalidInputException(problem);
    }

    private async Task<ISandbox> CreateSandboxAsync(string mode, CancellationToken cancellationToken)
    {
        var (sandbox, warning) = await SandboxFactory.CreateAsync(SandboxFactory.ParseMode(mode), cancellationToken);
        if (warning is not null)
            cli.Warn(warning);
        return sandbox;
    }
}

internal sealed class NothingToDispose : IAsyncDisposable
{
    public static readonly NothingToDispose Instance = new();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
