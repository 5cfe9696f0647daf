namespace Driftwatch.Core.Scoring;

/// <summary>
/// One file of a change, as text: before (the task's workspace) and after (the agent's final
/// workspace, or the reference solution). Null where the file was absent (or is not text).
/// </summary>
public sealed record FileChange(string Path, string? Before, string? After)
{
    public bool Changed => Before != After;
}
