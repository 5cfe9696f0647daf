using System.Collections.Immutable;
using Driftwatch.Core.Fingerprints;
using Driftwatch.Core.Runs;
using Driftwatch.Core.Stores;
using Driftwatch.Core.Suites;
using Driftwatch.Storage.Sqlite;
using Driftwatch.Testing;
using Shouldly;

namespace Driftwatch.Storage.Tests.Sqlite;

/// <summary>The harness records in SQLite: one database file per test.</summary>
public sealed class HarnessStoreTests : HarnessStoreTestsBase
{
    protected override DriftwatchStore Open() => StoreFactory.Of(SqliteResultStore.Open(Temp.Combine("dw.db")));
}

/// <summary>
/// What the recording proxy saw, stored with its trial: requests per trial, texts once per hash.
/// Every store passes these (PostgreSQL: Postgres/PostgresHarnessStoreTests).
/// </summary>
public abstract class HarnessStoreTestsBase : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);

    protected TempDirectory Temp { get; } = new("harness-store");

    /// <summary>Opens this test's (empty) store.</summary>
    protected abstract DriftwatchStore Open();

    public virtual void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    private static readonly HarnessText System = HarnessText.Of(HarnessTextKind.SystemPrompt, "You are an agent.\nBe brief.");
    private static readonly HarnessText Tools = HarnessText.Of(HarnessTextKind.Tools, """[{"name": "Read"}]""");

    private static HarnessRequest Request(int sequence, int status = 200) => new()
    {
        Sequence = sequence,
        Api = "anthropic-messages",
        Method = "POST",
        Path = "/v1/messages?beta=true",
        Model = "claude-a",
        SystemHash = System.Hash,
        ToolsHash = Tools.Hash,
        ToolNames = ["Read"],
        Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("output_config.effort", "\"high\"")]),
        Betas = ["beta-1"],
        UserAgent = "claude-cli/2.1.332",
        ApiVersion = "2023-06-01",
        Streamed = true,
        Status = status,
        ResponseModel = "claude-a",
        InputTokens = 1000,
        OutputTokens = 200,
        CacheReadTokens = 50,
        StopReason = "end_turn",
        StartedAt = Start,
        FirstByteMs = 12,
        DurationMs = 40,
    };

    private static (RunPlan Plan, Trial[] Trials) Plan() 
    {
        var plan = new RunPlan
        {
            AgentName = "claude-code",
            AgentKind = "claude-code",
            AgentConfigJson = "{}",
            Synthetic = false,
            SuiteName = "mini",
            SuitePath = "/suites/mini",
            SuiteRevision = new string('a', 64),
            TrialsPerTask = 1,
            Seed = 1,
            SandboxMode = "none",
            Trials = [new PlannedTrial("task-a", 0, 0, TaskCategory.Generation, "python"), new PlannedTrial("task-b", 0, 1, TaskCategory.Generation, "python")],
        };
        return (plan, [.. plan.Trials.Select(t => new Trial
        {
            RunId = 1, TaskId = t.TaskId, TrialIndex = 0, Sequence = t.Sequence, Category = t.Category, Language = t.Language,
            Outcome = TrialOutcome.Pass, StartedAt = Start, FinishedAt = Start.AddSeconds(1),
        })]);
    }

    [Fact]
    public async Task Requests_read_back_field_for_field_and_texts_are_stored_once()
    {
        // Given two trials whose harness sent the same system prompt and tools
        using var opened = Open();
        var store = opened.Results;
        var (plan, trials) = Plan();
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, new RunOwner("h", 1, Start));
        var capture = new HarnessCapture([Request(0), Request(1)], [System, Tools]);

        // When both are recorded
        await store.RecordTrialAsync(trials[0] with { RunId = runId }, [], capture);
        await store.RecordTrialAsync(trials[1] with { RunId = runId }, [], capture);

        // Then every request reads back as recorded, by trial and order, and each text exists once
        var requests = await store.GetHarnessRequestsAsync(runId);
        requests.Select(r => (r.Trial.TaskId, r.Request.Sequence)).ShouldBe([("task-a", 0), ("task-a", 1), ("task-b", 0), ("task-b", 1)]);
        requests[1].Request.ShouldBeEquivalentTo(Request(1));
        requests[1].Request.Fingerprint.ShouldBe(Request(1).Fingerprint);
        var texts = await store.GetHarnessTextsAsync([System.Hash, Tools.Hash, "unknown"]);
        texts.Count.ShouldBe(2);
        texts[System.Hash].ShouldBe(System.Text);
    }

    [Fact]
    public async Task A_redone_trial_keeps_only_the_requests_of_its_last_attempt()
    {
        using var opened = Open();
        var store = opened.Results;
        var (plan, trials) = Plan();
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, new RunOwner("h", 1, Start));
        await store.RecordTrialAsync(trials[0] with { RunId = runId, Outcome = TrialOutcome.Error }, [], new HarnessCapture([Request(0, 529), Request(1, 529)], [System, Tools]));

        await store.RecordTrialAsync(trials[0] with { RunId = runId }, [], new HarnessCapture([Request(0)], [System, Tools]));

        var requests = await store.GetHarnessRequestsAsync(runId);
        requests.ShouldHaveSingleItem().Request.Status.ShouldBe(200);
    }

    [Fact]
    public async Task A_history_carries_the_texts_its_fingerprints_refer_to()
    {
        using var opened = Open();
        var store = opened.Results;
        var (plan, trials) = Plan();
        var runId = await store.CreateRunAsync(plan, new RunFingerprint(), Start, new RunOwner("h", 1, Start));
        await store.RecordTrialAsync(trials[0] with { RunId = runId }, [], new HarnessCapture([Request(0)], [System, Tools]));
        await store.UpdateFingerprintAsync(runId, new RunFingerprint { Harness = HarnessSummary.Of([Request(0)]) });

        var history = await store.GetHistoryAsync("claude-code", "mini");

        var harness = history.Runs.Single().Fingerprint.Harness.ShouldNotBeNull();
        harness.Main!.Parameters["output_config.effort"].ShouldBe(["\"high\""]);
        history.Texts[System.Hash].ShouldBe(System.Text);
    }
}
