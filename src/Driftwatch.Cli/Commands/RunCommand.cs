using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Driftwatch.Agents;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Text;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Workspaces;
using Driftwatch.Formats.Json;
using Driftwatch.Jobs.Running;
using Driftwatch.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class RunSettings : StoreSettings
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
    [Description("Only tasks whose id matches: globs with * ? [[..]], comma-separated, !glob excludes")]
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

    [CommandOption("--fail-on-degradation")]
    [Description("Exit 3 when, after the run, the verdict on this agent × suite is degraded (for CI)")]
    public bool FailOnDegradation { get; init; }

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
        // Checked before anything starts (the sandbox probe, the agent's version), so that a bad
        // pattern is reported as such even when an interrupt arrives meanwhile.
        return TaskFilter.Check(Tasks) is { } problem ? ValidationResult.Error(problem) : ValidationResult.Success();
    }
}

/// <summary>The main job: runs a suite against an agent, stores every trial, prints the summary.</summary>
internal sealed class RunCommand(CliContext cli) : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        var locations = Locations.Resolve(cli, settings);
        TrialFolders.EnsureUsable();
        using var store = locations.OpenStore();
        var clock = Stopwatch.StartNew();
        var retries = settings.Retries ?? 2;
        // With `workers:`, the trials go to `driftwatch worker` processes through the shared queue.
        using var queue = locations.OpenQueue();
        var job = new RunJob(store.Results, cli.Time, RunOwners.Current(), cli.Warn)
        {
            Dispatcher = queue is null ? null : WorkerQueue.Dispatcher(queue, store.Results, retries, cli.Warn),
        };
        var options = new RunJobOptions
        {
            Parallel = settings.Parallel ?? locations.Config.Defaults.Parallel ?? Environment.ProcessorCount,
            Retries = retries,
            KeepWorkspaces = settings.KeepWorkspaces,
            Sandbox = settings.Sandbox,
            HiddenPaths = RunJobOptions.DatabaseFiles(locations.DatabasePath),
        };

        PreparedRun prepared;
        if (settings.Resume is { IsSet: true } resume)
        {
            long? runId = resume.Value is { Length: > 0 } id ? long.Parse(id, CultureInfo.InvariantCulture) : null;
            prepared = await job.ResumeAsync(runId, options, cancellationToken);
            if (!settings.Json)
            {
                cli.Out.MarkupLine(prepared.ClosingOnly
                    ? $"closing run {prepared.RunId}: every trial was already stored; only its closing was missed"
                    : $"resuming run {prepared.RunId}: {prepared.TrialsLeft} trials left");
            }
        }
        else
        {
            var definition = RunJob.WithModel(AgentCatalog.Resolve(settings.Agent ?? locations.Config.Defaults.Agent ?? "simulated", locations.Config), settings.Model, "--model");
            var agent = RunJob.CreateAgent(definition);
            var suite = locations.LoadSuite(settings.Suite);
            prepared = await job.CreateAsync(new NewRunRequest
            {
                Definition = definition,
                Agent = agent,
                Suite = suite,
                TrialsPerTask = settings.Trials ?? locations.Config.Defaults.Trials ?? 1,
                Budget = settings.Budget,
                Tasks = settings.Tasks,
                Seed = settings.Seed,
            }, options with { Sandbox = settings.Sandbox ?? locations.Config.Defaults.Sandbox ?? "auto" }, cancellationToken);
        }

        var result = await LiveProgress.RunAsync(cli, $"run {prepared.RunId}",
            progress => job.ExecuteAsync(prepared, progress, cancellationToken));
        if (result.Interrupted)
        {
            if (!settings.Json)
                Report(settings, result, clock.Elapsed, verdict: null);
            else
                cli.WriteRaw(ResultJson.RunWithVerdict(ResultJson.Run(result.Header, result.Trials), verdict: null));
            return ExitCodes.Interrupted;
        }

        // The verdict on this agent × suite's history, now including today's run.
        var showVerdict = result.Header.Status == RunStatus.Complete;
        var verdict = showVerdict || settings.FailOnDegradation
            ? await job.VerdictAsync(result.Header.Agent, result.Header.Suite, new CheckOptions(), cancellationToken)
            : null;
        if (settings.Json)
            cli.WriteRaw(ResultJson.RunWithVerdict(ResultJson.Run(result.Header, result.Trials), showVerdict ? verdict : null));
        else
            Report(settings, result, clock.Elapsed, showVerdict ? verdict : null);
        if (settings.FailOnDegradation && verdict?.Status == VerdictStatus.Degraded)
        {
            if (settings.Json || !showVerdict)
                cli.Error.WriteLine($"degraded: {result.Header.Agent} on {result.Header.Suite} (--fail-on-degradation)");
            return ExitCodes.Degraded;
        }
        return ExitCodes.Ok;
    }

    private void Report(RunSettings settings, RunResult result, TimeSpan elapsed, Verdict? verdict)
    {
        RunReport.Title(cli.Out, result.Header);
        RunReport.Summary(cli.Out, result.Header, result.Trials, elapsed);
        if (settings.KeepWorkspaces)
            cli.Out.MarkupLine($"trial folders kept under [bold]{TerminalText.Escape(WorkRoot.ForThisProcess(TrialOptions.DefaultWorkRoot))}[/]");
        if (result.Header.Status == RunStatus.Incomplete)
            cli.Out.MarkupLine($"[yellow]run {result.Header.Id} is incomplete[/]: finish it with [bold]driftwatch run --resume {result.Header.Id}[/]");
        else if (verdict is not null)
            VerdictReport.Render(cli.Out, [verdict]);
    }
}
