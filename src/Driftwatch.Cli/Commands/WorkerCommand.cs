using System.ComponentModel;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core;
using Driftwatch.Core.Configuration;
using Driftwatch.Jobs.Distributed;
using Driftwatch.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class WorkerSettings : StoreSettings
{
    [CommandOption("--queues <LIST>")]
    [Description("The queues to take trials from, comma-separated. Default: workers.queue of driftwatch.yaml, else 'trials'")]
    public string? Queues { get; init; }

    [CommandOption("-p|--parallel <N>")]
    [Description("Trials run at once by this worker. Default: defaults.parallel, else the number of cores")]
    public int? Parallel { get; init; }

    public override ValidationResult Validate()
    {
        if (Parallel is < 1)
            return ValidationResult.Error("--parallel: must be at least 1");
        if (Queues is { } queues && queues.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(q => !WorkersConfig.IsValidQueue(q)) is { } bad)
            return ValidationResult.Error($"--queues: '{bad}' is not a queue name (lower-case letters, digits and '_')");
        return ValidationResult.Success();
    }
}

/// <summary>
/// `worker`: takes trials from the shared queue and runs them until stopped (docs/scale-out.md).
/// Any number of workers on any number of machines; a stop (SIGTERM, Ctrl-C) hands the trials in
/// flight back to the queue, and a worker that dies loses them to another after its lease.
/// </summary>
internal sealed class WorkerCommand(CliContext cli) : AsyncCommand<WorkerSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, WorkerSettings settings, CancellationToken cancellationToken)
    {
        var locations = Locations.Resolve(cli, settings);
        if (locations.Config.Workers is null)
        {
            var where = locations.Config.File ?? DriftwatchConfig.FileName;
            throw new InvalidInputException($"{where}: worker: the configuration has no workers: section (with storage.kind postgres); see docs/scale-out.md");
        }
        TrialFolders.EnsureUsable();
        using var store = locations.OpenStore();
        using var queue = locations.OpenQueue()!;
        var options = new TrialWorkerOptions
        {
            Queues = settings.Queues is { } queues ? [.. queues.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)] : [queue.Config.Queue],
            Parallel = settings.Parallel ?? locations.Config.Defaults.Parallel ?? Environment.ProcessorCount,
        };
        var gate = new Lock();
        var worker = new TrialWorker(store.Results, queue, options, RunOwners.Current(), cli.Time, line =>
        {
            lock (gate)
                cli.Out.MarkupLine($"{cli.Time.GetUtcNow():HH:mm:ss} {TerminalText.Escape(line)}");
        });
        await worker.RunAsync(cancellationToken);
        return ExitCodes.Ok;
    }
}
