using System.Runtime.InteropServices;
using Driftwatch.Cli;
using Driftwatch.Cli.Infrastructure;

// Ctrl-C and SIGTERM cancel the work in progress: finished trials are already committed, the run
// is closed as incomplete and `driftwatch run --resume` finishes it. A second Ctrl-C kills at once.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested)
        return;
    e.Cancel = true;
    cancellation.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    cancellation.Cancel();
});

var context = CliContext.FromProcess();
context.Arguments = args;
return await DriftwatchApp.Create(context).RunAsync(args, cancellation.Token);
