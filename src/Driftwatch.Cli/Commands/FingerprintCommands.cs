using System.ComponentModel;
using System.Globalization;
using Driftwatch.Cli.Infrastructure;
using Driftwatch.Cli.Rendering;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Formats.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Driftwatch.Cli.Commands;

internal sealed class FingerprintShowSettings : StoreSettings
{
    [CommandArgument(0, "<RUN>")]
    [Description("The run")]
    public long Run { get; init; }

    [CommandOption("--texts")]
    [Description("Also print the full system prompts and harness contexts")]
    public bool Texts { get; init; }

    [CommandOption("--json")]
    [Description("Print the fingerprint and every recorded request as JSON")]
    public bool Json { get; init; }
}

internal sealed class FingerprintDiffSettings : RunPairSettings;

/// <summary>`fingerprint show RUN`: what the agent's harness really sent to its model during a run.</summary>
internal sealed class FingerprintShowCommand(CliContext cli) : AsyncCommand<FingerprintShowSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, FingerprintShowSettings settings, CancellationToken cancellationToken)
    {
        using var store = Locations.Resolve(cli, settings).OpenStoreForReading();
        var run = await store.Runs.RequireRunAsync("RUN", settings.Run, cancellationToken);
        var requests = await store.Harness.GetHarnessRequestsAsync(run.Id, cancellationToken);
        var harness = run.Fingerprint.Harness;
        var texts = harness is null ? new Dictionary<string, string>() : await store.Harness.GetHarnessTextsAsync(harness.TextHashes(), cancellationToken);

        if (settings.Json)
        {
            cli.WriteRaw(ResultJson.Serialize(new
            {
                run = run.Id,
                agent = run.Agent,
                agentVersion = run.Fingerprint.AgentVersion,
                cli = run.Fingerprint.Agent,
                harness,
                texts,
                requests = requests.Select(r => new { task = r.Trial.TaskId, trial = r.Trial.TrialIndex, request = r.Request, fingerprint = r.Request.Fingerprint }).ToArray(),
            }));
            return ExitCodes.Ok;
        }

        cli.Out.MarkupLine($"[bold]Run {run.Id}[/] · {RunReport.AgentLabel(run)} on [bold]{TerminalText.Escape(run.Suite)}[/] · agent {TerminalText.Escape(run.Fingerprint.AgentVersion ?? "unknown version")} · {run.StartedAt:yyyy-MM-dd HH:mm}Z");
        var init = run.Fingerprint.Agent;
        if (init.GetValueOrDefault("initModel") is not null || init.GetValueOrDefault("permissionMode") is not null)
        {
            cli.Out.MarkupLine($"CLI init: model {TerminalText.Escape(init.GetValueOrDefault("initModel") ?? "–")} · permission mode {TerminalText.Escape(init.GetValueOrDefault("permissionMode") ?? "–")}" +
                $" · tools {TerminalText.Escape(init.GetValueOrDefault("tools") ?? "–")}");
        }
        if (harness is null)
        {
            cli.Out.MarkupLine("[grey]no requests recorded: the recording proxy was off for this run (or the agent is not a CLI behind one)[/]");
            return ExitCodes.Ok;
        }
        var trials = requests.Select(r => r.Trial).Distinct().Count();
        var fingerprints = requests.Select(r => r.Request.Fingerprint).Distinct(StringComparer.Ordinal).Count();
        cli.Out.MarkupLine($"{harness.Requests} requests from {trials} trials ({harness.Main?.Requests ?? 0} main loop, {harness.Side?.Requests ?? 0} side calls), {fingerprints} distinct fingerprint(s)");
        var statuses = requests.GroupBy(r => r.Request.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "unreachable" : g.Key.ToString(CultureInfo.InvariantCulture))} ×{g.Count()}");
        cli.Out.MarkupLine($"statuses: {string.Join(", ", statuses)} · first byte median {RunReport.Median(requests.Select(r => (double)r.Request.FirstByteMs)):0} ms · " +
            $"tokens {requests.Sum(r => r.Request.InputTokens ?? 0):N0} in / {requests.Sum(r => r.Request.OutputTokens ?? 0):N0} out");
        Profile(cli.Out, "main loop", harness.Main, texts, settings.Texts);
        Profile(cli.Out, "side calls", harness.Side, texts, settings.Texts);
        return ExitCodes.Ok;
    }

    private static void Profile(IAnsiConsole console, string title, HarnessProfile? profile, IReadOnlyDictionary<string, string> texts, bool full)
    {
        if (profile is null)
            return;
        console.MarkupLine($"[bold]{title}[/] ({profile.Requests} requests)");
        console.MarkupLine($"  models: {TerminalText.Escape(string.Join(", ", profile.Models))}");
        foreach (var (kind, hashes) in new[] { ("system prompt", profile.SystemPrompts), ("harness context", profile.Contexts) })
        {
            foreach (var hash in hashes)
            {
                var text = texts.GetValueOrDefault(hash);
                console.MarkupLine($"  {kind} {Hashes.Short(hash)}: " + (text is null ? "[grey](text not stored)[/]" : $"{text.Split('\n').Length} lines, {text.Length:N0} characters"));
                if (full && text is not null)
                    console.WriteLine(TerminalText.Clean(Indent(text)));
            }
        }
        console.MarkupLine($"  tools ({profile.ToolNames.Length}): {TerminalText.Escape(string.Join(", ", profile.ToolNames))}" +
            (profile.Tools.IsDefaultOrEmpty ? "" : $" [grey](definitions {string.Join(", ", profile.Tools.Select(Hashes.Short))})[/]"));
        foreach (var (key, values) in profile.Parameters)
            console.MarkupLine($"  {TerminalText.Escape(key)}: {TerminalText.Escape(FingerprintDiff.ShowValues(values))}");
        if (!profile.Betas.IsDefaultOrEmpty)
            console.MarkupLine($"  betas: {TerminalText.Escape(string.Join(", ", profile.Betas))}");
        console.MarkupLine($"  user agent: {TerminalText.Escape(string.Join(", ", profile.UserAgents))}");
    }

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(line => "    │ " + line));
}

/// <summary>`fingerprint diff RUN_A RUN_B`: what the harness sent differently, as a readable diff.</summary>
internal sealed class FingerprintDiffCommand(CliContext cli) : AsyncCommand<FingerprintDiffSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, FingerprintDiffSettings settings, CancellationToken cancellationToken)
    {
        using var store = Locations.Resolve(cli, settings).OpenStoreForReading();
        var a = await store.Runs.RequireRunAsync("RUN_A", settings.RunA, cancellationToken);
        var b = await store.Runs.RequireRunAsync("RUN_B", settings.RunB, cancellationToken);
        var hashes = (a.Fingerprint.Harness?.TextHashes() ?? []).Concat(b.Fingerprint.Harness?.TextHashes() ?? []);
        var texts = await store.Harness.GetHarnessTextsAsync(hashes, cancellationToken);
        var changes = FingerprintDiff.Compare(a.Fingerprint, b.Fingerprint, h => texts.GetValueOrDefault(h), $"run {a.Id}", $"run {b.Id}");

        if (settings.Json)
        {
            cli.WriteRaw(ResultJson.Serialize(new { runA = a.Id, runB = b.Id, changes = changes.Select(c => new { area = c.Area, summary = c.Summary, detail = c.Detail }).ToArray() }));
            return ExitCodes.Ok;
        }
        cli.Out.MarkupLine($"fingerprint of run {b.Id} ({TerminalText.Escape(b.Agent)}, {b.StartedAt:yyyy-MM-dd}) against run {a.Id} ({TerminalText.Escape(a.Agent)}, {a.StartedAt:yyyy-MM-dd})");
        if (a.Fingerprint.Harness is null && b.Fingerprint.Harness is null)
            cli.Out.MarkupLine("[grey]neither run recorded its requests (the recording proxy was off): only versions and the CLI's own report are compared[/]");
        if (changes.Count == 0)
        {
            cli.Out.MarkupLine("[green]no differences[/]");
            return ExitCodes.Ok;
        }
        foreach (var change in changes)
        {
            cli.Out.MarkupLine($"[bold]{TerminalText.Escape(change.Area)}[/] · {TerminalText.Escape(change.Summary)}");
            if (change.Detail is { Length: > 0 } detail)
            {
                foreach (var line in detail.TrimEnd('\n').Split('\n'))
                {
                    var colour = line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) ? "bold"
                        : line.StartsWith('+') ? "green" : line.StartsWith('-') ? "red" : line.StartsWith("@@", StringComparison.Ordinal) ? "cyan" : "grey";
                    cli.Out.MarkupLine($"    [{colour}]{TerminalText.Escape(line)}[/]");
                }
            }
        }
        return ExitCodes.Ok;
    }
}
