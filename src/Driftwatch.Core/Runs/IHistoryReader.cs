namespace Driftwatch.Core.Runs;

/// <summary>What detection reads: an agent's runs on a suite and their outcomes.</summary>
public interface IHistoryReader
{
    /// <summary>Every run of an agent on a suite with its trials' outcomes, oldest first (for detection).</summary>
    Task<Detection.History> GetHistoryAsync(string agent, string suite, CancellationToken cancellationToken = default);
}
