using Driftwatch.Core.Runs;
using Driftwatch.Execution.Agents;

namespace Driftwatch.Execution.Tests;

/// <summary>An agent whose every attempt does what the test says (write files, fail, hang).</summary>
internal sealed class ScriptedAgent(Func<AgentRequest, int, CancellationToken, AgentResult> act) : IAgent
{
    private int _calls;

    public ScriptedAgent(Func<AgentRequest, int, AgentResult> act)
        : this((request, call, _) => act(request, call))
    {
    }

    public string Name => "scripted";
    public string Kind => "scripted";
    public bool Synthetic => true;
    public int Calls => _calls;

    public Task<string?> GetVersionAsync(CancellationToken cancellationToken) => Task.FromResult<string?>("scripted 1.0");

    public Task<AgentResult> RunAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        return Task.FromResult(act(request, call, cancellationToken));
    }

    public static AgentResult Done(string? transcript = null) => new()
    {
        Exit = AgentExit.Completed,
        Transcript = transcript,
        Model = "scripted-model",
        Usage = new AgentUsage { InputTokens = 10, OutputTokens = 5 },
    };

    /// <summary>Writes the reference solution of the task (like a perfect agent).</summary>
    public static ScriptedAgent Solver() => new((request, _) =>
    {
        Execution.Workspaces.TrialWorkspace.CopyTree(request.Task.SolutionDirectory, request.Workspace);
        return Done();
    });

    /// <summary>Writes the given files into the workspace.</summary>
    public static ScriptedAgent Writing(IReadOnlyDictionary<string, string> files) => new((request, _) =>
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(request.Workspace, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        return Done();
    });
}
