using Driftwatch.Cli.Rendering;
using Driftwatch.Execution.Running;
using Spectre.Console;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>Reports progress synchronously on the reporting thread (unlike Progress&lt;T&gt;, which posts).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>A live progress bar over a run's trials, shown only on an interactive terminal.</summary>
internal static class LiveProgress
{
    public static async Task<T> RunAsync<T>(CliContext context, string label, Func<IProgress<RunProgress>?, Task<T>> work)
        where T : class
    {
        if (!context.ShowProgress)
            return await work(null).ConfigureAwait(false);
        T? outcome = null;
        await context.Out.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask(TerminalText.Escape(label), autoStart: true, maxValue: 1);
                var reporter = new InlineProgress<RunProgress>(p =>
                {
                    bar.MaxValue = Math.Max(1, p.Planned);
                    bar.Value = p.Done;
                    bar.Description = $"{TerminalText.Escape(label)} [grey]{p.Done}/{p.Planned}[/] [green]pass {p.Summary.Pass}[/] [red]fail {p.Summary.Fail + p.Summary.Timeout}[/]{(p.Summary.Error > 0 ? $" [magenta]error {p.Summary.Error}[/]" : "")}";
                });
                outcome = await work(reporter).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return outcome!;
    }
}
