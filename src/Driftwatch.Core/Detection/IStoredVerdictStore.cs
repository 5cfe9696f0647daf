namespace Driftwatch.Core.Detection;

/// <summary>
/// A verdict as computed and kept (#20): the verdict of an agent × suite as JSON (<see cref="KeptVerdictJson"/>),
/// under the key of what it was computed from (<see cref="StoredVerdicts.Key"/>): the history's runs as
/// far as their headers tell, the check options, and the build that judged.
/// </summary>
public sealed record StoredVerdict(string Agent, string Suite, string Key, string Json, DateTimeOffset ComputedAt);

/// <summary>The last verdict computed per agent × suite, so that a verdict is computed once per change of its history or its options.</summary>
public interface IStoredVerdictStore
{
    /// <summary>The verdict kept for the agent × suite, whatever it was computed from, or null.</summary>
    Task<StoredVerdict?> GetStoredVerdictAsync(string agent, string suite, CancellationToken cancellationToken = default);

    /// <summary>Keeps the verdict in place of the one kept before for its agent × suite.</summary>
    Task PutStoredVerdictAsync(StoredVerdict verdict, CancellationToken cancellationToken = default);
}
