using System.Collections.Immutable;

namespace Driftwatch.Core.Fingerprints;

/// <summary>
/// The distinct values a group of requests carried: models, system prompts, contexts and tool
/// sets (by hash, most frequent first), tool names, generation parameters, beta flags, clients.
/// </summary>
public sealed record HarnessProfile
{
    public int Requests { get; init; }
    public ImmutableArray<string> Models { get; init; } = [];
    public ImmutableArray<string> SystemPrompts { get; init; } = [];
    public ImmutableArray<string> Contexts { get; init; } = [];
    public ImmutableArray<string> Tools { get; init; } = [];
    public ImmutableArray<string> ToolNames { get; init; } = [];
    public ImmutableSortedDictionary<string, ImmutableArray<string>> Parameters { get; init; } =
        ImmutableSortedDictionary<string, ImmutableArray<string>>.Empty.WithComparers(StringComparer.Ordinal);
    public ImmutableArray<string> Betas { get; init; } = [];
    public ImmutableArray<string> UserAgents { get; init; } = [];
    public ImmutableArray<string> Fingerprints { get; init; } = [];

    public static HarnessProfile? Of(IReadOnlyCollection<HarnessRequest> requests)
    {
        if (requests.Count == 0)
            return null;
        static ImmutableArray<string> ByFrequency(IEnumerable<string?> values) =>
            [.. values.OfType<string>().GroupBy(v => v, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key)];
        static ImmutableArray<string> Sorted(IEnumerable<string?> values) =>
            [.. values.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

        var parameters = requests.SelectMany(r => r.Parameters)
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToImmutableSortedDictionary(g => g.Key, g => Sorted(g.Select(p => p.Value)), StringComparer.Ordinal);
        return new HarnessProfile
        {
            Requests = requests.Count,
            Models = ByFrequency(requests.Select(r => r.Model)),
            SystemPrompts = ByFrequency(requests.Select(r => r.SystemHash)),
            Contexts = ByFrequency(requests.Select(r => r.ContextHash)),
            Tools = ByFrequency(requests.Select(r => r.ToolsHash)),
            ToolNames = Sorted(requests.SelectMany(r => r.ToolNames)),
            Parameters = parameters,
            Betas = Sorted(requests.SelectMany(r => r.Betas)),
            UserAgents = ByFrequency(requests.Select(r => r.UserAgent)),
            Fingerprints = ByFrequency(requests.Select(r => r.Fingerprint)),
        };
    }
}

/// <summary>
/// What a run's harness sent, in two groups: the agent's main loop (requests with tools) and its
/// side calls (titles, summaries, probes). Kept in the run's fingerprint.
/// </summary>
public sealed record HarnessSummary
{
    public int Requests { get; init; }
    public HarnessProfile? Main { get; init; }
    public HarnessProfile? Side { get; init; }

    public static HarnessSummary? Of(IReadOnlyList<HarnessRequest> requests) => requests.Count == 0 ? null : new HarnessSummary
    {
        Requests = requests.Count,
        Main = HarnessProfile.Of([.. requests.Where(r => r.IsMainLoop)]),
        Side = HarnessProfile.Of([.. requests.Where(r => !r.IsMainLoop)]),
    };

    /// <summary>Every text hash the summary refers to.</summary>
    public IEnumerable<string> TextHashes() =>
        new[] { Main, Side }.OfType<HarnessProfile>().SelectMany(p => p.SystemPrompts.Concat(p.Contexts).Concat(p.Tools));
}
