using Driftwatch.Execution.Agents;

namespace Driftwatch.Agents.Proxy;

/// <summary>
/// An agent's recording proxy for one run: started with the first trial that needs it, stopped
/// when the agent is disposed at the end of the run.
/// </summary>
internal sealed class RunProxy(Uri upstream) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RecordingProxy? _proxy;

    public Uri Upstream { get; } = upstream;

    /// <summary>An endpoint from the configuration: an absolute http(s) URL, or bad input naming where it came from.</summary>
    public static Uri ParseEndpoint(string value, string where) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new Core.InvalidInputException($"{where}: '{value}' is not an http(s) URL");

    /// <summary>
    /// Starts recording a trial. Per-trial values in what a CLI sends — its folders, and the
    /// workspace as Claude Code names its project folder (all but letters and digits turned into
    /// '-') — are replaced by placeholders, so equal harnesses have equal fingerprints.
    /// </summary>
    public async Task<TrialRecording> BeginAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _proxy ??= await RecordingProxy.StartAsync(Upstream, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        return _proxy.Begin([
            (request.Workspace, "<workspace>"), (request.Home, "<home>"), (request.Temp, "<tmp>"),
            (string.Concat(request.Workspace.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')), "<workspace-slug>")]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
            await _proxy.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
