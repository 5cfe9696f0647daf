using System.Globalization;
using Driftwatch.Agents;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Core.Detection;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Execution.Agents;
using Driftwatch.Execution.Running;
using Driftwatch.Execution.Sandbox;

namespace Driftwatch.Jobs.Running;

/// <summary>How the trials of a run are executed (flags of `run`, options of `schedule`).</summary>
public sealed record RunJobOptions
{
    public int Parallel { get; init; } = Environment.ProcessorCount;

    /// <summary>auto, bwrap or none; null: auto for a new run, the run's own mode for a resumed one.</summary>
    public string? Sandbox { get; init; }

    /// <summary>Extra attempts for trials that hit an infrastructure error.</summary>
    public int Retries { get; init; } = 2;

    public bool KeepWorkspaces { get; init; }

    /// <summary>Host paths no agent or test may see even where its sandbox shows what contains them (the database and its side files).</summary>
    public IReadOnlyList<string> HiddenPaths { get; init; } = [];

    /// <summary>
    /// The database file, its WAL side files and its artifact blob folder (past transcripts and
    /// diffs: an agent must not read other trials' solutions), to hide from every sandbox.
    /// </summary>
    public static IReadOnlyList<string> DatabaseFiles(string database) =>
        [database, database + "-wal", database + "-shm", database + "-journal", database + ".artifacts"];
}

/// <summary>A new run: which agent on which suite, and how many trials.</summary>
public sealed record NewRunRequest
{
    /// <summary>The agent's definition, its model applied (<see cref="RunJob.WithModel"/>): stored so a resume rebuilds the same agent.</summary>
    public required AgentDefinition Definition { get; init; }

    /// <summary>The adapter built from <see cref="Definition"/> (<see cref="RunJob.CreateAgent"/>).</summary>
    public required IAgent Agent { get; init; }

    public required SuiteDefinition Suite { get; init; }
    public int TrialsPerTask { get; init; } = 1;

    /// <summary>Trials today, spent by adaptive allocation from the baseline (instead of <see cref="TrialsPerTask"/>).</summary>
    public int? Budget { get; init; }

    public string? Tasks { get; init; }

    /// <summary>Seed of the trial order (and the simulated agent); null: random, recorded with the run.</summary>
    public int? Seed { get; init; }
}

/// <summary>
/// A run stored and ready to execute, with the executor that built its world from the stored plan
/// (<see cref="RunJob.ExecuteAsync"/> runs it). A resumed run whose every trial was stored before
/// its process died has no executor: closing it is all that is left (<see cref="ClosingOnly"/>).
/// </summary>
public sealed record PreparedRun(long RunId, bool Resumed, int TrialsLeft, int Parallel)
{
    internal TrialExecutor? Executor { get; init; }

    public bool ClosingOnly => Executor is null;
}

/// <summary>How a run ended, with its trials.</summary>
public sealed record RunResult(RunHeader Header, IReadOnlyList<Trial> Trials, bool Interrupted);

/// <summary>
/// The main job, shared by `run` and `schedule`: make (or resume) a run of an agent on a suite,
/// execute it with every trial committed as it finishes, and judge the agent × suite's history.
/// </summary>
public sealed class RunJob(IResultStore store, TimeProvider time, RunOwner owner, Action<string> warn)
{
    /// <summary>How a run's trials reach an executor; null: in this process, on the run's own executor.</summary>
    public Func<ITrialExecutor, ITrialDispatcher>? Dispatcher { get; init; }

    /// <summary>Another model is another subject: its own history, baseline and verdict. <paramref name="origin"/> says where the model was given.</summary>
    public static AgentDefinition WithModel(AgentDefinition definition, string? model, string origin) =>
        model is null ? definition : definition.With("model", model, origin) with { Name = $"{definition.Name}:{model}" };

    /// <summary>Builds the adapter and checks it can work at all (its program and credential variables) before any trial is spent.</summary>
    public static IAgent CreateAgent(AgentDefinition definition)
    {
        var agent = AgentCatalog.Create(definition);
        if (agent.Preflight() is { } problem)
            throw new InvalidInputException(problem);
        return agent;
    }

    public async Task<PreparedRun> CreateAsync(NewRunRequest request, RunJobOptions options, CancellationToken cancellationToken)
    {
        var definition = request.Definition;
        var agent = request.Agent;
        var suite = request.Suite;
        var sandbox = await CreateSandboxAsync(options.Sandbox ?? "auto", agent.Synthetic, cancellationToken).ConfigureAwait(false);
        var trialsPerTask = request.TrialsPerTask;
        IReadOnlyDictionary<string, int>? taskTrials = null;
        if (request.Budget is { } budget)
        {
            var selected = RunPlanner.SelectTasks(suite, request.Tasks).Select(t => t.Id).ToList();
            var history = await store.GetHistoryAsync(agent.Name, suite.Name, cancellationToken).ConfigureAwait(false);
            taskTrials = Checker.AdaptiveTrials(history, selected, budget, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), new CheckOptions());
            if (taskTrials is not null && taskTrials.Values.All(n => n <= 0))
                throw new InvalidInputException($"budget {budget}: the allocation gives no task a trial today");
            if (taskTrials is null)
            {
                trialsPerTask = Math.Max(1, (int)Math.Round((double)budget / selected.Count));
                warn($"budget {budget}: {agent.Name} on {suite.Name} has no baseline yet ({CheckOptions.MinimumDays} days needed); running every task {trialsPerTask} time(s) until it has");
            }
        }
        var runId = await new SuiteRunner(store, time, owner, warn).CreateAsync(new RunRequest
        {
            Suite = suite,
            Agent = agent,
            Sandbox = sandbox,
            AgentConfigJson = definition.ToJson(),
            TrialsPerTask = trialsPerTask,
            TaskTrials = taskTrials,
            Seed = request.Seed ?? Random.Shared.Next(),
            TaskFilter = request.Tasks,
        }, cancellationToken).ConfigureAwait(false);
        // The trials get their agent from the stored definition, like those of a resume or a worker;
        // the suite just loaded and the sandbox just probed are the ones the plan names, so they are reused.
        var executor = await PreparedExecutorAsync(runId, options, suite, (mode, synthetic, token) =>
            mode == sandbox.Name ? Task.FromResult(sandbox) : CreateSandboxAsync(mode, synthetic, token), claim: false, cancellationToken).ConfigureAwait(false);
        var planned = (await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false))!.PlannedTrials;
        return new PreparedRun(runId, Resumed: false, planned, options.Parallel) { Executor = executor };
    }

    /// <summary>
    /// Takes over an interrupted run (default: the newest incomplete one) to finish it. A run whose
    /// every trial is in (its process died before closing it) is only closed: that needs neither its
    /// suite, nor its agent, nor a sandbox, so nothing that changed since can keep it open.
    /// </summary>
    public async Task<PreparedRun> ResumeAsync(long? runId, RunJobOptions options, CancellationToken cancellationToken)
    {
        var id = runId ?? await store.FindLatestResumableRunAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidInputException("--resume: no incomplete run to resume");
        if ((await store.GetPendingTrialsAsync(id, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            // The claim decides under its lock: an unknown run, a live owner, or a run closed complete is refused.
            await store.ClaimRunAsync(id, owner, cancellationToken).ConfigureAwait(false);
            return new PreparedRun(id, Resumed: true, TrialsLeft: 0, options.Parallel);
        }
        // The run's world (its suite unchanged, its agent able to work, a sandbox) is built before
        // the claim, so a run that cannot go on is refused without being taken from anyone.
        var executor = await PreparedExecutorAsync(id, options, suite: null, (mode, synthetic, token) =>
            CreateSandboxAsync(options.Sandbox ?? (mode == "none" ? "none" : "bwrap"), synthetic, token), claim: true, cancellationToken).ConfigureAwait(false);
        var left = (await store.GetPendingTrialsAsync(id, cancellationToken).ConfigureAwait(false)).Count;
        return new PreparedRun(id, Resumed: true, left, options.Parallel) { Executor = executor };
    }

    /// <summary>Runs the prepared run's pending trials and closes it (incomplete when interrupted).</summary>
    public async Task<RunResult> ExecuteAsync(PreparedRun run, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        if (run.Executor is not { } executor)
        {
            var closed = await SuiteRunner.CloseAsync(store, time, run.RunId).ConfigureAwait(false);
            return new RunResult(closed, await store.GetTrialsAsync(run.RunId, CancellationToken.None).ConfigureAwait(false), Interrupted: false);
        }
        // The run's agent may hold run-long resources (the recording proxy): released when the run ends.
        await using var lifetime = executor;
        var dispatcher = Dispatcher?.Invoke(executor) ?? new InProcessDispatcher(executor);
        var runner = new SuiteRunner(store, time, owner, warn);
        var outcome = await runner.ExecuteAsync(run.RunId, dispatcher, run.Parallel, progress, cancellationToken).ConfigureAwait(false);
        var trials = await store.GetTrialsAsync(run.RunId, CancellationToken.None).ConfigureAwait(false);
        return new RunResult(outcome.Header, trials, outcome.Interrupted);
    }

    /// <summary>The verdict on this agent × suite's whole history (today's run included), kept in the store for `check` and the dashboard (#20).</summary>
    public async Task<Verdict> VerdictAsync(string agent, string suite, CheckOptions options, CancellationToken cancellationToken)
    {
        var runs = await store.ListRunsAsync(new RunQuery(agent, suite), cancellationToken).ConfigureAwait(false);
        return await StoredVerdicts.GetOrJudgeAsync(store, agent, suite, runs, options, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An executor for the run that rebuilds its agent from the stored definition, with the
    /// sandboxes <paramref name="sandboxes"/> makes (and <paramref name="suite"/>, when already
    /// loaded), its world built (checked) before any trial and, when <paramref name="claim"/>, the
    /// run claimed after that; released again if either fails.
    /// </summary>
    private async Task<TrialExecutor> PreparedExecutorAsync(long runId, RunJobOptions options, SuiteDefinition? suite,
        Func<string, bool, CancellationToken, Task<ISandbox>> sandboxes, bool claim, CancellationToken cancellationToken)
    {
        var environment = new TrialEnvironment
        {
            CreateAgent = (id, plan) => CreateAgent(TrialEnvironment.DefinitionOf(id, plan)),
            CreateSandbox = sandboxes,
            Options = TrialOptionsFor(options),
            Time = time,
        };
        var executor = new TrialExecutor(store, store, suite is null ? environment : environment.Reusing(suite));
        try
        {
            await executor.PrepareAsync(runId, cancellationToken).ConfigureAwait(false);
            if (claim)
                await store.ClaimRunAsync(runId, owner, cancellationToken).ConfigureAwait(false);
            return executor;
        }
        catch
        {
            await executor.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static TrialOptions TrialOptionsFor(RunJobOptions options) =>
        new() { MaxAttempts = 1 + options.Retries, KeepWorkspaces = options.KeepWorkspaces, HiddenPaths = options.HiddenPaths };

    /// <summary>The run's sandbox: a synthetic agent runs no process of its own, so only it may fall back to none unasked.</summary>
    private async Task<ISandbox> CreateSandboxAsync(string mode, bool synthetic, CancellationToken cancellationToken)
    {
        var (sandbox, warning) = await SandboxFactory.CreateAsync(SandboxFactory.ParseMode(mode), cancellationToken, unconfinedFallback: synthetic).ConfigureAwait(false);
        if (warning is not null)
            warn(warning);
        return sandbox;
    }

    /// <summary>A run id as the command line writes it.</summary>
    public static string Id(long runId) => runId.ToString(CultureInfo.InvariantCulture);
}
