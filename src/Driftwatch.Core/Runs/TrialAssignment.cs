namespace Driftwatch.Core.Runs;

/// <summary>
/// One trial to run, as data: which trial of which run. Everything else a worker needs (the suite,
/// the agent's definition, the sandbox mode, the seed) is in the run's stored plan, so an
/// assignment can be serialized, queued and executed by any process that reaches the store.
/// </summary>
public sealed record TrialAssignment(long RunId, string TaskId, int TrialIndex)
{
    public TrialKey Key => new(TaskId, TrialIndex);

    public static TrialAssignment Of(long runId, PlannedTrial trial) => new(runId, trial.TaskId, trial.TrialIndex);

    public override string ToString() => $"run {RunId}, {TaskId} #{TrialIndex}";
}
