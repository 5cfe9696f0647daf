using System.Collections.Immutable;
using System.Text.Json;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Cli.Tests.Commands;

/// <summary>
/// What an agent reports (its model, version, stop reason, transcript, the requests its harness
/// sent) is data, never terminal control: no command prints a control character from it — no
/// window title, no screen clear, no clipboard write, no fake green line. --json stays valid
/// JSON with the characters escaped.
/// </summary>
public sealed class TerminalEscapeTests : IDisposable
{
    /// <summary>OSC 0 (window title), CSI 2J (clear screen), OSC 52 (clipboard), a fake green line, an 8-bit CSI and a DEL.</summary>
    private const string Hostile = "\u001b]0;pwned-title\u0007\u001b[2J\u001b[H\u001b]52;c;cHduZWQ=\u0007\u001b[1;32mALL 37 TASKS PASSED\u001b[0m\u009b2J\u007f";

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _temp = new("cli-escapes");
    private readonly CliHarness _cli;

    public TerminalEscapeTests() => _cli = new CliHarness(_temp.Path);

    public void Dispose() => _temp.Dispose();

    private string Db => _temp.Combine("dw.db");

    /// <summary>
    /// Twelve daily runs of an agent whose name, version, model, stop reason, error message,
    /// transcript, diff and test output, and whose recorded harness requests and system prompt,
    /// all carry escape sequences; from day 8 its version and model change and a task flips.
    /// </summary>
    private async Task HostileHistoryAsync()
    {
        using var store = SqliteResultStore.Open(Db, _ => false);
        string[] tasks = ["task-a", "task-b", "task-c", "task-d"];
        for (var day = 0; day < 12; day++)
        {
            var started = Start.AddDays(day);
            var plan = new RunPlan
            {
                AgentName = "agent" + Hostile,
                AgentKind = "command",
                AgentConfigJson = "{}",
                Synthetic = false,
                SuiteName = "mini",
                SuitePath = "/nowhere",
                SuiteRevision = new string('b', 64),
                TrialsPerTask = 1,
                Seed = day,
                SandboxMode = "none",
                Trials = [.. tasks.Select((t, i) => new PlannedTrial(t, 0, i, TaskCategory.Generation, "python"))],
            };
            var later = day >= 8;
            var request = new HarnessRequest
            {
                Sequence = 0,
                Api = "anthropic-messages",
                Method = "POST",
                Path = "/v1/messages",
                Model = "model" + Hostile,
                SystemHash = Hashes.Of("system" + Hostile + day / 8),
                ToolNames = ["Edit" + Hostile],
                Parameters = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal).Add("effort" + Hostile, later ? "low" + Hostile : "high"),
                Betas = ["beta" + Hostile],
                UserAgent = "claude-cli" + Hostile,
                Status = 200,
                StartedAt = started,
            };
            var fingerprint = new RunFingerprint
            {
                AgentVersion = (later ? "2.0" : "1.0") + Hostile,
                Models = ["model" + Hostile + (later ? "-b" : "-a")],
                Agent = new Dictionary<string, string?> { ["initModel"] = "init" + Hostile, ["permissionMode"] = "mode" + Hostile, ["tools"] = "Edit" + Hostile },
                Harness = HarnessSummary.Of([request]),
            };
            var runId = await store.CreateRunAsync(plan, fingerprint, started, new RunOwner("elsewhere", 1, Start));
            foreach (var (task, i) in tasks.Select((t, i) => (t, i)))
            {
                var outcome = i == 3 ? TrialOutcome.Error : (i == 0 && later) || i == 2 ? TrialOutcome.Fail : TrialOutcome.Pass;
                var trial = new Trial
                {
                    RunId = runId,
                    TaskId = task,
                    TrialIndex = 0,
                    Sequence = i,
                    Category = TaskCategory.Generation,
                    Language = "python",
                    Outcome = outcome,
                    TestsPassed = outcome == TrialOutcome.Pass ? 1 : 0,
                    TestsTotal = 1,
                    StartedAt = started,
                    FinishedAt = started.AddSeconds(1),
                    AgentVersion = fingerprint.AgentVersion,
                    Model = "model" + Hostile,
                    StopReason = "end_turn" + Hostile,
                    ErrorKind = outcome == TrialOutcome.Error ? "api-500" + Hostile : null,
                    ErrorMessage = outcome == TrialOutcome.Error ? "upstream said" + Hostile : null,
                };
                await store.RecordTrialAsync(trial,
                    [
                        new TrialArtifact(ArtifactKind.Transcript, "transcript " + Hostile),
                        new TrialArtifact(ArtifactKind.AgentOutput, "output " + Hostile),
                        new TrialArtifact(ArtifactKind.Diff, "+diff " + Hostile),
                        new TrialArtifact(ArtifactKind.TestOutput, "tests " + Hostile),
                    ],
                    new HarnessCapture([request], [HarnessText.Of(HarnessTextKind.SystemPrompt, "system" + Hostile + day / 8)]));
            }
            await store.FinishRunAsync(runId, RunStatus.Complete, started.AddMinutes(5));
        }
    }

    /// <summary>No C0 control but newline, tab and a CR ending a line (CSV), no DEL, no C1: nothing a terminal acts on.</summary>
    private static void ShouldBeInert(string text, string what)
    {
        var control = text.Select((c, i) => (c, i)).FirstOrDefault(p =>
            (p.c < 0x20 && p.c is not '\n' and not '\t' && !(p.c == '\r' && p.i + 1 < text.Length && text[p.i + 1] == '\n')) || p.c is >= '\u007f' and <= '\u009f');
        if (control != default)
        {
            var around = text.Substring(Math.Max(0, control.i - 30), Math.Min(60, text.Length - Math.Max(0, control.i - 30)));
            throw new ShouldAssertException($"{what} prints U+{(int)control.c:X4} at {control.i}: …{around}…");
        }
    }

    [Theory]
    [InlineData("runs")]
    [InlineData("show", "12")]
    [InlineData("show", "12", "--task", "task-a")]
    [InlineData("show", "12", "--task", "task-d")]
    [InlineData("check")]
    [InlineData("compare", "1", "12")]
    [InlineData("fingerprint", "show", "12", "--texts")]
    [InlineData("fingerprint", "diff", "1", "12")]
    [InlineData("export", "--format", "markdown")]
    [InlineData("export", "--format", "csv")]
    [InlineData("export", "--format", "junit")]
    [InlineData("export", "--format", "openmetrics")]
    public async Task Stored_agent_data_reaches_the_terminal_without_a_control_character(params string[] args)
    {
        // Given a history whose every agent-reported field carries escape sequences
        await HostileHistoryAsync();

        // When a command prints it
        var result = await _cli.RunAsync([.. args, "--db", Db]);

        // Then it works, and neither its output nor its errors hold a control character
        result.ExitCode.ShouldBeOneOf([0, 3], result.Error);
        ShouldBeInert(result.Output, string.Join(' ', args));
        ShouldBeInert(result.Error, string.Join(' ', args) + " (stderr)");
    }

    [Fact]
    public async Task A_transcript_shows_its_escape_sequences_as_visible_symbols()
    {
        // Given a history whose transcripts carry escape sequences
        await HostileHistoryAsync();

        // When a task's transcript is shown
        var result = await _cli.RunAsync("show", "12", "--task", "task-a", "--db", Db);

        // Then the sequences are there to see, as symbols, and do nothing
        result.Output.ShouldContain("transcript ␛]0;pwned-title␇␛[2J␛[H␛]52;c;cHduZWQ=␇␛[1;32mALL 37 TASKS PASSED␛[0m");
    }

    [Theory]
    [InlineData("runs", "--json")]
    [InlineData("show", "12", "--json")]
    [InlineData("check", "--json")]
    [InlineData("fingerprint", "show", "12", "--json")]
    [InlineData("fingerprint", "diff", "1", "12", "--json")]
    [InlineData("export", "--format", "json")]
    public async Task Json_output_escapes_the_control_characters_and_keeps_the_data(params string[] args)
    {
        // Given a history whose every agent-reported field carries escape sequences
        await HostileHistoryAsync();

        // When a command prints it as JSON
        var result = await _cli.RunAsync([.. args, "--db", Db]);

        // Then the text holds no raw control character, parses, and reads back the data as stored
        result.ExitCode.ShouldBeOneOf([0, 3], result.Error);
        ShouldBeInert(result.Output, string.Join(' ', args));
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetRawText().ShouldContain("\\u001B]0;pwned-title\\u0007", Case.Insensitive);
    }

    [Fact]
    public async Task A_run_of_an_agent_that_prints_escapes_and_reports_a_hostile_model_name_prints_none()
    {
        // Given a command agent whose output carries escape sequences and reports a model name full of them
        var suite = new SuiteBuilder(_temp.Combine("suite")).AddAdder("add-a").Build();
        var agent = _temp.Write("hostile-agent.sh", """
            #!/bin/sh
            printf '\033]0;pwned-title\007\033[2J\033]52;c;cHduZWQ=\007\033[1;32mALL 37 TASKS PASSED\033[0m\n'
            printf '{"type":"result","model":"evil\\u001b]0;model-title\\u0007\\u001b[2J","usage":{"input_tokens":1,"output_tokens":1}}\n'
            """);
        File.SetUnixFileMode(agent, (UnixFileMode)0b111_101_101);
        _temp.Write("driftwatch.yaml", $"""
            agents:
              hostile:
                kind: command
                command: {agent} {'{'}prompt{'}'}
                version_command: {agent}
                usage: auto
            """);

        // When it is run, and its run and transcript are shown
        var run = await _cli.RunAsync("run", "--agent", "hostile", "--suite", suite, "--db", Db, "--sandbox", "none");
        var show = await _cli.RunAsync("show", "1", "--task", "add-a", "--db", Db);
        var json = await _cli.RunAsync("run", "--agent", "hostile", "--suite", suite, "--db", Db, "--sandbox", "none", "--json");

        // Then nothing printed holds a control character, and the model name is there to read
        run.ExitCode.ShouldBe(0, run.Error);
        ShouldBeInert(run.Output, "run");
        ShouldBeInert(run.Error, "run (stderr)");
        show.ExitCode.ShouldBe(0, show.Error);
        ShouldBeInert(show.Output, "show --task");
        show.Output.ShouldContain("evil␛]0;model-title␇␛[2J");
        ShouldBeInert(json.Output, "run --json");
        JsonDocument.Parse(json.Output).RootElement.GetProperty("trials")[0].GetProperty("model").GetString().ShouldBe("evil\u001b]0;model-title\u0007\u001b[2J");
    }
}
