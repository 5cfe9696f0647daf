using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Text;

namespace Driftwatch.Core.Fingerprints;

/// <summary>One difference between what two runs' harnesses sent; <see cref="Detail"/> is a unified diff where there is one.</summary>
public sealed record FingerprintChange(string Area, string Summary, string? Detail = null);

/// <summary>
/// Compares two runs' fingerprints: agent version, the CLI's own init report, and what the
/// harness really sent — models, system prompts and context (as line diffs), tools added, removed
/// or changed, generation parameters, beta flags and client.
/// </summary>
public static class FingerprintDiff
{
    public static IReadOnlyList<FingerprintChange> Compare(RunFingerprint a, RunFingerprint b, Func<string, string?> text, string labelA, string labelB)
    {
        var changes = new List<FingerprintChange>();
        if (a.AgentVersion != b.AgentVersion)
            changes.Add(new("agent", $"version {a.AgentVersion ?? "unknown"} → {b.AgentVersion ?? "unknown"}"));
        foreach (var key in new[] { "initModel", "permissionMode" })
        {
            var before = a.Agent.GetValueOrDefault(key);
            var after = b.Agent.GetValueOrDefault(key);
            if (before != after)
                changes.Add(new("CLI init", $"{key}: {before ?? "(none)"} → {after ?? "(none)"}"));
        }
        AddSetChange(changes, "CLI init", "tools", Split(a.Agent.GetValueOrDefault("tools")), Split(b.Agent.GetValueOrDefault("tools")));

        var scopes = new[] { ("main loop", a.Harness?.Main, b.Harness?.Main), ("side calls", a.Harness?.Side, b.Harness?.Side) };
        foreach (var (scope, before, after) in scopes)
        {
            if (before is null && after is null)
                continue;
            if (before is null || after is null)
            {
                var present = before is null ? labelB : labelA;
                var requests = (before ?? after)!.Requests;
                changes.Add(new(scope, $"recorded only in {present} ({requests} {(requests == 1 ? "request" : "requests")})"));
                continue;
            }
            Profiles(changes, scope, before, after, text, labelA, labelB);
        }
        return changes;
    }

    private static void Profiles(List<FingerprintChange> changes, string scope, HarnessProfile a, HarnessProfile b, Func<string, string?> text, string labelA, string labelB)
    {
        if (!a.Models.Order(StringComparer.Ordinal).SequenceEqual(b.Models.Order(StringComparer.Ordinal)))
            changes.Add(new(scope, $"models: {Show(a.Models)} → {Show(b.Models)}"));
        TextChanges(changes, scope, "system prompt", a.SystemPrompts, b.SystemPrompts, text, labelA, labelB);
        TextChanges(changes, scope, "harness context", a.Contexts, b.Contexts, text, labelA, labelB);
        AddSetChange(changes, scope, "tools", a.ToolNames, b.ToolNames);
        ToolChanges(changes, scope, a, b, text, labelA, labelB);
        foreach (var key in a.Parameters.Keys.Union(b.Parameters.Keys).Order(StringComparer.Ordinal))
        {
            var before = a.Parameters.GetValueOrDefault(key, []);
            var after = b.Parameters.GetValueOrDefault(key, []);
            if (!before.SequenceEqual(after))
                changes.Add(new(scope, $"{key}: {ShowValues(before)} → {ShowValues(after)}"));
        }
        AddSetChange(changes, scope, "betas", a.Betas, b.Betas);
        if (!a.UserAgents.Order(StringComparer.Ordinal).SequenceEqual(b.UserAgents.Order(StringComparer.Ordinal)))
            changes.Add(new(scope, $"user agent: {Show(a.UserAgents)} → {Show(b.UserAgents)}"));
    }

    /// <summary>New texts, each diffed against the old text it is closest to; old texts no longer sent.</summary>
    private static void TextChanges(List<FingerprintChange> changes, string scope, string kind, IReadOnlyList<string> before, IReadOnlyList<string> after,
        Func<string, string?> text, string labelA, string labelB)
    {
        var removed = before.Except(after, StringComparer.Ordinal).ToList();
        var added = after.Except(before, StringComparer.Ordinal).ToList();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hash in added)
        {
            var candidates = removed.Count > 0 ? removed : before;
            var newText = text(hash);
            if (candidates.Count == 0)
            {
                changes.Add(new(scope, $"{kind} {Hashes.Short(hash)} added ({Lines(newText)} lines)", newText is null ? null : UnifiedDiff.Create(null, newText, "", $"{labelB} {kind} {Hashes.Short(hash)}")));
                continue;
            }
            var closest = candidates.Select(old => (Hash: old, Count: UnifiedDiff.CountChanges(text(old), newText)))
                .OrderBy(c => c.Count.Added + c.Count.Removed).ThenBy(c => c.Hash, StringComparer.Ordinal).First();
            used.Add(closest.Hash);
            var oldText = text(closest.Hash);
            if (oldText is null || newText is null)
            {
                changes.Add(new(scope, $"{kind} changed: {Hashes.Short(closest.Hash)} → {Hashes.Short(hash)} (text not stored)"));
                continue;
            }
            var (plus, minus) = closest.Count;
            changes.Add(new(scope, $"{kind} changed: {Plural(plus, "+")}, {Plural(minus, "−")} ({Hashes.Short(closest.Hash)} → {Hashes.Short(hash)})",
                UnifiedDiff.Create(oldText, newText, $"{labelA} {kind} {Hashes.Short(closest.Hash)}", $"{labelB} {kind} {Hashes.Short(hash)}")));
        }
        foreach (var hash in removed.Where(h => !used.Contains(h)))
            changes.Add(new(scope, $"{kind} {Hashes.Short(hash)} no longer sent"));
    }

    private static void ToolChanges(List<FingerprintChange> changes, string scope, HarnessProfile a, HarnessProfile b, Func<string, string?> text, string labelA, string labelB)
    {
        if (a.Tools.IsDefaultOrEmpty || b.Tools.IsDefaultOrEmpty || a.Tools[0] == b.Tools[0])
            return;
        var before = ToolDefinitions(text(a.Tools[0]));
        var after = ToolDefinitions(text(b.Tools[0]));
        foreach (var (name, definition) in after.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (before.TryGetValue(name, out var old) && old != definition)
            {
                var (plus, minus) = UnifiedDiff.CountChanges(old, definition);
                changes.Add(new(scope, $"tool {name} changed: {Plural(plus, "+")}, {Plural(minus, "−")}",
                    UnifiedDiff.Create(old, definition, $"{labelA} tool {name}", $"{labelB} tool {name}")));
            }
        }
    }

    /// <summary>Tool name → its canonical, indented definition, from a stored tools text.</summary>
    public static IReadOnlyDictionary<string, string> ToolDefinitions(string? toolsText)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (toolsText is null)
            return result;
        try
        {
            if (JsonNode.Parse(toolsText) is JsonArray tools)
            {
                foreach (var tool in tools)
                {
                    var name = tool?["name"]?.GetValue<string>() ?? tool?["function"]?["name"]?.GetValue<string>();
                    if (name is not null)
                        result[name] = CanonicalJson.Write(tool, indented: true);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // not a tools array: nothing to compare tool by tool
        }
        return result;
    }

    private static void AddSetChange(List<FingerprintChange> changes, string scope, string what, IEnumerable<string> before, IEnumerable<string> after)
    {
        var a = before.ToHashSet(StringComparer.Ordinal);
        var b = after.ToHashSet(StringComparer.Ordinal);
        var added = b.Except(a).Order(StringComparer.Ordinal).ToList();
        var removed = a.Except(b).Order(StringComparer.Ordinal).ToList();
        if (added.Count > 0)
            changes.Add(new(scope, $"{what} added: {string.Join(", ", added)}"));
        if (removed.Count > 0)
            changes.Add(new(scope, $"{what} removed: {string.Join(", ", removed)}"));
    }

    private static string[] Split(string? list) =>
        list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Show(IReadOnlyCollection<string> values) => values.Count == 0 ? "(none)" : string.Join(", ", values);

    public static string ShowValues(IReadOnlyCollection<string> canonicalValues) =>
        canonicalValues.Count == 0 ? "(unset)" : string.Join(" | ", canonicalValues.Select(CanonicalJson.Display));

    private static int Lines(string? text) => text is null ? 0 : text.Split('\n').Length;

    public static string Plural(int count, string sign) =>
        $"{sign}{count.ToString(CultureInfo.InvariantCulture)} {(count == 1 ? "line" : "lines")}";
}
