using System.Collections.Immutable;
using Driftwatch.Execution.Processes;
using Driftwatch.Execution.Sandbox;

namespace Driftwatch.Execution.Scoring.Scorers;

/// <summary>
/// Runs a scorer's tool (a linter) the way the hidden tests run: in the sandbox, with no network,
/// the suite and Driftwatch's own folders hidden, a timeout that kills the process tree and capped
/// output. The tool sees only the folder of files it is to read, and its own installation.
/// </summary>
internal sealed class ToolSandbox(ISandbox sandbox, IReadOnlyList<string> hidden, TimeSpan? timeout = null)
{
    /// <summary>Output of a tool beyond this is cut, and its figures are not trusted.</summary>
    public const int OutputCapBytes = 1024 * 1024;

    public TimeSpan Timeout { get; } = timeout ?? TimeSpan.FromSeconds(60);

    public string SandboxName => sandbox.Name;

    /// <summary>Where <paramref name="folder"/> appears to a tool run in it (ESLint reports paths so).</summary>
    public string WorkspaceOf(string folder) => sandbox.View(new SandboxPolicy { Workspace = folder }).Workspace;

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="folder"/>
    /// (its workspace; <paramref name="scratch"/> gives it a HOME and /tmp of its own), with
    /// <paramref name="installations"/> shown read-only.
    /// </summary>
    public async Task<ProcessResult> RunAsync(string folder, string scratch, string program, IEnumerable<string> arguments,
        IReadOnlyList<string> installations, CancellationToken cancellationToken)
    {
        var home = Path.Combine(scratch, "home-" + Guid.NewGuid().ToString("N")[..8]);
        var temp = Path.Combine(scratch, "tmp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(temp);
        var policy = new SandboxPolicy
        {
            Workspace = folder,
            Home = home,
            Temp = temp,
            ReadOnly = [.. installations],
            Hidden = [.. hidden],
            Network = NetworkAccess.None,
        };
        var view = sandbox.View(policy);
        var environment = ChildEnvironment.ForTrial(view).SetItems(new Dictionary<string, string>
        {
            ["PYTHONNOUSERSITE"] = "1",
            ["PYTHONSAFEPATH"] = "1",
        });
        var spec = new ProcessSpec
        {
            FileName = program,
            Arguments = [.. arguments],
            WorkingDirectory = view.Workspace,
            Environment = environment,
        };
        using var prepared = sandbox.Prepare(spec, policy);
        return await prepared.RunAsync(Timeout, OutputCapBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Why a tool's run cannot be trusted (it did not run to its end, its output was cut), or null.</summary>
    public static string? Problem(string tool, ProcessResult run) => run.Ending switch
    {
        ProcessEnding.StartFailed => $"{tool} could not be started: {run.StartFailure}",
        ProcessEnding.SandboxFailed => $"{tool}: the sandbox failed ({run.EndingDetail})",
        ProcessEnding.TimedOut => $"{tool} ran out of time and was stopped",
        ProcessEnding.Exited when run.OutputTruncated => $"{tool} wrote more than {OutputCapBytes / 1024} KiB; its figures were not read",
        ProcessEnding.Exited => null,
        _ => $"{tool} was stopped ({run.Ending}: {run.EndingDetail})",
    };

    internal static ImmutableArray<string> Relative(IEnumerable<string> files) => [.. files.Select(f => "./" + f)];
}
