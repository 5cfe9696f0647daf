namespace Driftwatch.Core.Runs;

/// <summary>What detection reads: an agent's runs on a suite and their outcomes.</summary>
public interface IHistoryReader
{
    /// <summary>Every run of an agent on a suite with its trials' outcomes, oldest first (for detection).</summary>
    Task<Detection.History> GetHistoryAsync(string agent, string suite, CancellationToken cancellationToken = default) =>
        GetHistoryAsync(agent, suite, withMetrics: false, cancellationToken);

    /// <summary>
    /// The same, and with <paramref name="withMetrics"/> each run's <see cref="Detection.HistoryRun.Metrics"/>
    /// too: only a reader of continuous signals asks for them, so the outcome-only reads that
    /// `check`, the dashboard and every run make do not scan every stored metric.
    /// </summary>
    Task<Detection.History> GetHistoryAsync(string agent, string suite, bool withMetrics, CancellationToken cancellationToken = default);

    /// <summary>
    /// One task's finished trials in every run of an agent on a suite, with their metrics, by run
    /// then trial index: a task's history read through the task's index, never every trial of the
    /// runs (#20).
    /// </summary>
    Task<IReadOnlyList<Trial>> GetTaskTrialsAsync(string agent, string suite, string taskId, CancellationToken cancellationToken = default);
}
