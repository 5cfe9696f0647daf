using Driftwatch.Core.Runs;

namespace Driftwatch.Core.Fingerprints;

/// <summary>What the recording proxy saw of a run's harness (written with each trial, <see cref="ITrialStore.RecordTrialAsync"/>).</summary>
public interface IHarnessStore
{
    /// <summary>Every request the recording proxy saw in a run, by trial and order.</summary>
    Task<IReadOnlyList<(TrialKey Trial, HarnessRequest Request)>> GetHarnessRequestsAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Stored harness texts (system prompts, contexts, tool sets) by hash; unknown hashes are left out.</summary>
    Task<IReadOnlyDictionary<string, string>> GetHarnessTextsAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default);
}
