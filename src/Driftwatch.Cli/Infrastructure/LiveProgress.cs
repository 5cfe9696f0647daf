using Driftwatch.Cli.Rendering;
using Driftwatch.Execution.Running;
using Spectre.Console;

namespace Driftwatch.Cli.Infrastructure;

/// <summary>Reports progress synchronously on the reporting thread (unlike Progress&lt;T&gt;, which posts).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>
/// Progress for a log without a terminal (CI, a file): one line on standard error at every tenth
/// of the planned trials, and a line at least every <see cref="Quiet"/> while trials take their
/// time, with done/planned, outcomes so far, elapsed time and an estimate of what is left.
/// </summary>
internal sealed class PlainProgress : IProgress<RunProgress>, IDisposable
{
    /// <summary>The longest a log goes without a line while a run works.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(60);

    private readonly TextWriter _out;
    private readonly string _label;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private RunProgress? _last;
    private int _lastStep = -1;

    public PlainProgress(TextWriter output, string label, TimeProvider time)
    {
        _out = output;
        _label = label;
        _time = time;
        _started = time.GetTimestamp();
        _timer = time.CreateTimer(_ => Write(force: true), null, Quiet, Quiet);
    }

    public void Report(RunProgress value)
    {
        lock (_gate)
            _last = value;
        Write(force: false);
    }

    private void Write(bool force)
    {
        lock (_gate)
        {
            if (_last is not { } p)
                return;
            var step = p.Planned == 0 ? 10 : p.Done * 10 / p.Planned;
            if (!force && step == _lastStep)
                return;
            _lastStep = step;
            _timer.Change(Quiet, Quiet);
            var elapsed = _time.GetElapsedTime(_started);
            var left = p.Done > 0 && p.Done < p.Planned ? $" · about {Duration(elapsed * (p.Planned - p.Done) / p.Done)} left" : "";
            var errors = p.Summary.Error > 0 ? $" · error {p.Summary.Error}" : "";
            _out.WriteLine($"{_label}: {p.Done}/{p.Planned} trials · pass {p.Summary.Pass} · fail {p.Summary.Fail + p.Summary.Timeout}{errors} · {Duration(elapsed)} elapsed{left}");
            _out.Flush();
        }
    }

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m" : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s" : $"{span.Seconds}s";

    public void Dispose() => _timer.Dispose();
}

/// <summary>A live progress bar over a run's trials, shown only on an interactive terminal.</summary>
internal static class LiveProgress
{
    public static async Task<T> RunAsync<T>(CliContext context, string label, Func<IProgress<RunProgress>?, Task<T>> work)
        where T : class
    {
        if (!context.ShowProgress)
        {
            if (!context.PlainProgress)
                return await work(null).ConfigureAwait(false);
            using var plain = new PlainProgress(context.Error, label, context.Time);
            return await work(plain).ConfigureAwait(false);
        }
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
