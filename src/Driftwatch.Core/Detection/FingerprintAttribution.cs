using System.Globalization;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Text;

namespace Driftwatch.Core.Detection;

/// <summary>
/// What changed around a change in pass rate: the values (agent version, model, Driftwatch
/// version, sandbox) and harness requests the runs near the change day had that the baseline's
/// never did. The verdict lists these next to the effect; they are not part of the decision.
/// </summary>
internal static class FingerprintAttribution
{
    /// <summary>What the runs around the change ran with that the baseline never did.</summary>
    public static IReadOnlyList<string> Changes(IReadOnlyList<HistoryRun> segment, IReadOnlyDictionary<string, string> texts, DateOnly baselineEnd, DateOnly changeDay)
    {
        var before = segment.Where(r => r.Day <= baselineEnd).ToList();
        var recent = segment.Where(r => r.Day >= changeDay.AddDays(-3)).OrderBy(r => r.Day).ToList();
        var changes = new List<string>();
        void Field(string name, Func<HistoryRun, IEnumerable<string?>> values)
        {
            var known = before.SelectMany(values).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var run in recent)
            {
                foreach (var value in values(run).OfType<string>())
                {
                    if (known.Contains(value) || !seen.Add(value))
                        continue;
                    var previous = known.Count == 0 ? "not recorded" : string.Join(", ", known.Order(StringComparer.Ordinal));
                    changes.Add($"{name}: {previous} → {value} (first seen {run.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})");
                }
            }
        }
        Field("agent version", r => [r.Fingerprint.AgentVersion]);
        Field("model", r => r.Fingerprint.Models.IsDefault ? [] : r.Fingerprint.Models.Select(m => (string?)m));
        Field("driftwatch", r => [r.Fingerprint.DriftwatchVersion]);
        Field("sandbox", r => [r.Fingerprint.Sandbox]);
        changes.AddRange(HarnessChanges(before, recent, texts));
        return changes;
    }

    /// <summary>
    /// What the harness sent that the baseline's never did, from the recording proxy: a new system
    /// prompt or context (with its line counts against the baseline's), tools added or removed,
    /// generation parameters with new values, new beta flags — each with the day it first appeared
    /// and the agent version of that run.
    /// </summary>
    private static IEnumerable<string> HarnessChanges(List<HistoryRun> before, List<HistoryRun> recent, IReadOnlyDictionary<string, string> texts)
    {
        var baseline = before.Select(r => r.Fingerprint.Harness?.Main).OfType<HarnessProfile>().ToList();
        if (baseline.Count == 0)
            yield break;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        string When(HistoryRun run) => $"{run.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}{(run.Fingerprint.AgentVersion is { } version ? $" (agent {version})" : "")}";

        IEnumerable<string> Texts(string kind, Func<HarnessProfile, IEnumerable<string>> hashes, HistoryRun run, HarnessProfile profile)
        {
            var known = baseline.SelectMany(hashes).ToHashSet(StringComparer.Ordinal);
            var usual = baseline.SelectMany(hashes).GroupBy(h => h, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
            foreach (var hash in hashes(profile).Where(h => !known.Contains(h)))
            {
                if (!reported.Add($"{kind}:{hash}"))
                    continue;
                var counts = usual is not null && texts.TryGetValue(usual, out var oldText) && texts.TryGetValue(hash, out var newText)
                    ? $": {FingerprintDiff.Plural(UnifiedDiff.CountChanges(oldText, newText).Added, "+")}, {FingerprintDiff.Plural(UnifiedDiff.CountChanges(oldText, newText).Removed, "−")}"
                    : "";
                yield return $"{kind} changed on {When(run)}{counts}";
            }
        }

        foreach (var run in recent)
        {
            if (run.Fingerprint.Harness?.Main is not { } profile)
                continue;
            foreach (var change in Texts("system prompt", p => p.SystemPrompts, run, profile))
                yield return change;
            foreach (var change in Texts("harness context", p => p.Contexts, run, profile))
                yield return change;
            var knownTools = baseline.SelectMany(p => p.ToolNames).ToHashSet(StringComparer.Ordinal);
            var added = profile.ToolNames.Where(t => !knownTools.Contains(t)).ToList();
            if (added.Count > 0 && reported.Add("tools+:" + string.Join(',', added)))
                yield return $"tools added on {When(run)}: {string.Join(", ", added)}";
            var removed = knownTools.Where(t => !profile.ToolNames.Contains(t)).Order(StringComparer.Ordinal).ToList();
            if (removed.Count > 0 && baseline.All(p => removed.All(p.ToolNames.Contains)) && reported.Add("tools-:" + string.Join(',', removed)))
                yield return $"tools removed on {When(run)}: {string.Join(", ", removed)}";
            foreach (var (key, values) in profile.Parameters)
            {
                var knownValues = baseline.SelectMany(p => p.Parameters.GetValueOrDefault(key, [])).ToHashSet(StringComparer.Ordinal);
                var fresh = values.Where(v => !knownValues.Contains(v)).ToList();
                if (fresh.Count > 0 && reported.Add($"param:{key}:{string.Join(',', fresh)}"))
                    yield return $"{key}: {FingerprintDiff.ShowValues([.. knownValues.Order(StringComparer.Ordinal)])} → {FingerprintDiff.ShowValues(fresh)} since {When(run)}";
            }
            var knownBetas = baseline.SelectMany(p => p.Betas).ToHashSet(StringComparer.Ordinal);
            var newBetas = profile.Betas.Where(b => !knownBetas.Contains(b)).ToList();
            if (newBetas.Count > 0 && reported.Add("betas:" + string.Join(',', newBetas)))
                yield return $"betas added on {When(run)}: {string.Join(", ", newBetas)}";
        }
    }
}
